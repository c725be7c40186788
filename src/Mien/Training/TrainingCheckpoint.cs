using System.Text.Json;

namespace Mien.Training;

/// <summary>
/// The resumable state of a run, committed last and atomically (checkpoint.json names the epoch's model and
/// optimizer files), so a kill at any moment leaves either the previous or the new checkpoint, never a mix.
/// </summary>
internal sealed record TrainingCheckpoint
{
    public int Epoch { get; init; }
    public string ModelFile { get; init; } = "";
    public string OptimizerFile { get; init; } = "";
    public double BestAccuracy { get; init; }
    public int BestEpoch { get; init; }
    public int EpochsWithoutImprovement { get; init; }
    public double PlateauFactor { get; init; } = 1;
    public double PlateauBest { get; init; } = double.MaxValue;
    public int PlateauBad { get; init; }
    public List<EpochMetrics> History { get; init; } = [];
    public string GeneratorState { get; init; } = "";

    public const string FileName = "checkpoint.json";

    public void Commit(string directory)
    {
        Reporting.MienJson.Write(Path.Combine(directory, FileName), this);
    }

    public static TrainingCheckpoint? TryLoad(string directory)
    {
        string path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<TrainingCheckpoint>(File.ReadAllText(path)) : null;
    }
}
