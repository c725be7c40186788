namespace Mien.Data;

/// <summary>The registry of dataset formats, tried in order; the first that recognises a tree reads it.</summary>
public static class DatasetFormats
{
    /// <summary>The registered formats, in detection order (a more specific layout before a more general one).</summary>
    public static IReadOnlyList<IDatasetFormat> All { get; } =
    [
        new FerPlusFormat(),
        new Fer2013CsvFormat(),
        new LabelsCsvFormat(),
        new ClassFolderFormat(),
    ];

    /// <summary>The first registered format that recognises the tree; throws <see cref="MienDataException"/> naming what it looked for.</summary>
    public static IDatasetFormat Detect(IFileTree tree) =>
        All.FirstOrDefault(f => f.CanRead(tree))
        ?? throw new MienDataException(
            $"'{tree.Origin}' holds no dataset Mien can read: no images (.png .jpg .jpeg .bmp .tif .tiff) in class folders , no FER2013-style CSV (emotion,pixels[,Usage]), no FER+ label.csv and no labels CSV (a path column plus a label column or one column per emotion).");
}
