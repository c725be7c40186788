namespace Mien.Data;

/// <summary>A folder on disk as an <see cref="IFileTree"/>.</summary>
internal sealed class DirectoryFileTree : IFileTree
{
    /// <param name="focus">A file of the folder (relative path) that the user named: a labels CSV whose images lie beside it.</param>
    public DirectoryFileTree(string root, string? focus = null)
    {
        Focus = focus;
        if (!Directory.Exists(root)) throw new MienDataException($"Dataset folder '{root}' does not exist.");
        Origin = root;
        var opts = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        try
        {
            Files = Directory.EnumerateFiles(root, "*", opts)
                .Select(f => new FileEntry(Relative(root, f), new FileInfo(f).Length, () => IO.RegularFile.OpenRead(f)))
                .OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToList();
            Directories = Directory.EnumerateDirectories(root, "*", opts).Select(d => Relative(root, d))
                .OrderBy(d => d, StringComparer.Ordinal).ToList();
        }
        catch (UnauthorizedAccessException e) { throw new MienDataException($"Dataset folder '{root}' cannot be listed: permission denied.", e); }
    }

    public string Origin { get; }
    public string? Focus { get; }
    public IReadOnlyList<FileEntry> Files { get; }
    public IReadOnlyList<string> Directories { get; }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    public void Dispose() { }
}
