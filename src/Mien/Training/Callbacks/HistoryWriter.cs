using System.Globalization;
using System.Text;
using Mien.IO;

namespace Mien.Training;

/// <summary>Writes the run's history after every epoch (history.csv for spreadsheets, history.json for programs).</summary>
public sealed class HistoryWriter : ITrainingCallback
{
    /// <inheritdoc />
    public void OnEpochEnd(TrainingContext context)
    {
        if (context.Run is not { } run) return;
        var ci = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,images_per_second\n");
        foreach (var h in context.History)
            csv.AppendLine(string.Join(',', h.Epoch.ToString(ci), h.TrainLoss.ToString("F5", ci), h.TrainAccuracy.ToString("F5", ci),
                h.ValidationLoss.ToString("F5", ci), h.ValidationAccuracy.ToString("F5", ci), h.LearningRate.ToString("G5", ci),
                h.Seconds.ToString("F2", ci), h.ImagesPerSecond.ToString("F1", ci)));
        AtomicFile.WriteAllText(run.HistoryCsv, csv.ToString());
        MienJson.Write(run.HistoryJson, context.History);
    }
}
