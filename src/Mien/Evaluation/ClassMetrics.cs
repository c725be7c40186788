namespace Mien.Evaluation;

/// <summary>Precision, recall and F1 of one class, with its support (true items).</summary>
public sealed record ClassMetrics(string ClassName, double Precision, double Recall, double F1, int Support);
