namespace Mien.Data;

/// <summary>One file (e.g. a FER2013 CSV) as an <see cref="IFileTree"/>.</summary>
internal sealed class SingleFileTree(string path) : IFileTree
{
    public string Origin { get; } = path;
    public IReadOnlyList<FileEntry> Files { get; } =
        [new FileEntry(Path.GetFileName(path), new FileInfo(path).Length, () => IO.RegularFile.OpenRead(path))];
    public IReadOnlyList<string> Directories { get; } = [];
    public void Dispose() { }
}
