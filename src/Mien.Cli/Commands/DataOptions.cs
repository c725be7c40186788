using System.CommandLine;
using Mien.Data;

namespace Mien.Cli.Commands;

/// <summary>The options every command that reads a dataset shares.</summary>
internal sealed class DataOptions
{
    public Option<string[]> Data { get; } = new("--data", "-d")
    {
        Description = "Dataset: a folder, a .zip archive (read in place), a FER2013 .csv or a labels .csv; repeat to use several at once (classes merged, each keeps its own split).",
        Required = true, AllowMultipleArgumentsPerToken = false,
    };
    public Option<int> ImageSize { get; } = new("--image-size") { Description = "Side of the square grey input images (default: the model's input size, 48 for the presets). Backbones (resnet18, ...) take 48..224 and follow it.", DefaultValueFactory = _ => 48 };
    public Option<int> Limit { get; } = new("--limit") { Description = "Use at most N images per dataset (spread over it); 0 = all. For quick trials." };
    public Option<string[]> DropClasses { get; } = new("--drop-class") { Description = "Leave out a class (repeatable), e.g. --drop-class contempt for 6-class CK+.", AllowMultipleArgumentsPerToken = true };

    public Option<bool> CropFaces { get; } = new("--crop-faces") { Description = "The images are whole photos: find the largest face in each and train on the crop (no face: skipped and reported)." };

    public void AddTo(Command c) { c.Options.Add(Data); c.Options.Add(ImageSize); c.Options.Add(Limit); c.Options.Add(DropClasses); c.Options.Add(CropFaces); }

    /// <summary>The --data paths, in order.</summary>
    public IReadOnlyList<string> Paths(ParseResult r) => r.GetValue(Data) ?? [];

    /// <summary>Every --data dataset on its own (for per-dataset evaluation).</summary>
    public IReadOnlyList<FaceDataset> LoadEach(ParseResult r, CancellationToken ct, bool quiet = false, int? imageSize = null) =>
        Paths(r).Select(p => LoadOne(r, p, ct, quiet, imageSize)).ToList();

    /// <summary>--image-size when the user gave it, else null.</summary>
    public int? ExplicitImageSize(ParseResult r) => r.GetResult(ImageSize) is { Implicit: false } ? r.GetValue(ImageSize) : null;

    /// <param name="imageSize">The model's input size, when a trained model reads the data: --image-size then need not be given.</param>
    public FaceDataset Load(ParseResult r, CancellationToken ct, bool quiet = false, int? imageSize = null)
    {
        var parts = LoadEach(r, ct, quiet, imageSize);
        if (parts.Count == 1) return parts[0];
        var data = FaceDataset.Concat(parts);
        if (!quiet) { Console.Write($"merged {data.DatasetNames.Count} datasets: "); Summaries.PrintLoaded(data, problems: false); }
        return data;
    }

    private FaceDataset LoadOne(ParseResult r, string path, CancellationToken ct, bool quiet, int? imageSize)
    {
        var progress = quiet ? null : new Progress<(int Done, int Total)>(p =>
        {
            if (!Console.IsErrorRedirected) Console.Error.Write($"\rreading {path}: {p.Done}/{p.Total} images ");
        });
        int size = ExplicitImageSize(r) ?? imageSize ?? r.GetValue(ImageSize);
        if (size is < DatasetLoadOptions.MinImageSize or > DatasetLoadOptions.MaxImageSize)
            throw new ArgumentException($"--image-size {size}: use {DatasetLoadOptions.MinImageSize}..{DatasetLoadOptions.MaxImageSize} (backbones take 48..224).");
        var data = DatasetLoader.Load(path, new DatasetLoadOptions { ImageSize = size, Limit = r.GetValue(Limit), Progress = progress, CropFaces = r.GetValue(CropFaces) ? new Mien.Faces.FaceDetectorOptions() : null }, ct);
        if (!quiet && !Console.IsErrorRedirected) Console.Error.WriteLine();
        var drop = r.GetValue(DropClasses) ?? [];
        if (drop.Length > 0) data = data.WithoutClasses(drop.Where(c => data.ClassNames.Contains(Mien.Data.EmotionVocabulary.Normalize(c))));
        if (!quiet) Summaries.PrintLoaded(data);
        return data;
    }
}
