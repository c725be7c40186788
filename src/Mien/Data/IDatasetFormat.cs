namespace Mien.Data;

/// <summary>
/// A dataset layout (class folders, FER2013 CSV, ...). Register new formats in <see cref="DatasetFormats"/>.
/// </summary>
public interface IDatasetFormat
{
    /// <summary>Short name shown by <c>mien info</c>.</summary>
    string Name { get; }

    /// <summary>True when this format recognises the tree.</summary>
    bool CanRead(IFileTree tree);

    /// <summary>Lists the labelled samples. Whole-dataset problems throw <see cref="MienDataException"/>;
    /// item problems (e.g. one bad CSV row) go to <paramref name="problems"/>.</summary>
    IEnumerable<RawSample> Read(IFileTree tree, List<DataProblem> problems);
}
