namespace Mien.Data;

/// <summary>One input item that was skipped while reading a dataset (e.g. a corrupt image), and why.</summary>
public sealed record DataProblem(string Item, string Reason)
{
    /// <summary><c>item: reason</c>, as shown to users.</summary>
    public override string ToString() => $"{Item}: {Reason}";
}
