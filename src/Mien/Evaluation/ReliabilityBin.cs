namespace Mien.Evaluation;

/// <summary>
/// One confidence bin of a reliability diagram: the items whose top-1 probability lies in [Lower, Upper) (the last bin
/// includes 1), their mean top-1 probability and the share of them the model got right. Empty bins have 0 for both.
/// </summary>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanConfidence, double Accuracy)
{
    /// <summary>Accuracy minus confidence: negative when the model is overconfident in this bin.</summary>
    public double Gap => Accuracy - MeanConfidence;
}
