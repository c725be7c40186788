namespace Mien.Data;

/// <summary>
/// Class-per-folder trees: <c>CK+48/&lt;class&gt;/*.png</c>, <c>train|test/&lt;class&gt;/*.jpg</c> (FER2013 on Kaggle),
/// or any <c>&lt;class&gt;/*</c>. The image's parent folder is its class; an ancestor folder named like a split
/// (train, val, test...) becomes the predefined split.
/// </summary>
public sealed class ClassFolderFormat : IDatasetFormat
{
    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlySet<string> ImageExtensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff" };

    private static readonly Dictionary<string, string> SplitNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["train"] = "train", ["training"] = "train",
        ["val"] = "validation", ["valid"] = "validation", ["validation"] = "validation",
        ["test"] = "test", ["testing"] = "test", ["publictest"] = "test", ["privatetest"] = "private-test",
    };

    /// <inheritdoc />
    public string Name => "class folders";

    /// <inheritdoc />
    public bool CanRead(IFileTree tree) => tree.Files.Any(IsImageInFolder);

    private static bool IsImageInFolder(FileEntry f) =>
        ImageExtensions.Contains(Path.GetExtension(f.RelativePath)) && f.RelativePath.Contains('/');

    /// <inheritdoc />
    public IEnumerable<RawSample> Read(IFileTree tree, List<DataProblem> problems)
    {
        var images = tree.Files.Where(IsImageInFolder).ToList();
        var classDirs = images.Select(f => Parent(f.RelativePath)).ToHashSet(StringComparer.Ordinal);

        // A folder beside the class folders that has no images is an empty class: refuse, naming it.
        var parentsOfClassDirs = classDirs.Select(Parent).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in tree.Directories)
        {
            if (classDirs.Contains(dir) || !parentsOfClassDirs.Contains(Parent(dir))) continue;
            if (SplitNames.ContainsKey(Leaf(dir)) || tree.Directories.Any(d => d.StartsWith(dir + "/", StringComparison.Ordinal))) continue;
            throw new MienDataException($"Class folder '{dir}' in '{tree.Origin}' has no images.");
        }

        foreach (var f in images)
        {
            string dir = Parent(f.RelativePath);
            string? split = null;
            foreach (var part in dir.Split('/')[..^1])
                if (SplitNames.TryGetValue(part, out var s)) split = s;
            yield return new RawSample(f.RelativePath, Leaf(dir), SubjectIdParser.Parse(f.RelativePath), split, f.ReadImageBytes);
        }
    }

    private static string Parent(string path) { int i = path.LastIndexOf('/'); return i < 0 ? "" : path[..i]; }
    private static string Leaf(string path) { int i = path.LastIndexOf('/'); return i < 0 ? path : path[(i + 1)..]; }
}
