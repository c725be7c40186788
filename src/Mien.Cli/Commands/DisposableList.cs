namespace Mien.Cli.Commands;

/// <summary>A list that disposes its items with itself (the models of an ensemble).</summary>
internal sealed class DisposableList<T> : List<T>, IDisposable where T : IDisposable
{
    public void Dispose()
    {
        foreach (var item in this) item.Dispose();
        Clear();
    }
}
