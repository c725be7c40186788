using System.Collections.Concurrent;
using OpenCvSharp;

namespace Mien.Data;

/// <summary>
/// Opens a dataset from a folder, a .zip archive or a CSV file, detects its format, decodes every image to
/// grey at the requested size, and normalises class names. Unreadable items are skipped and reported in
/// <see cref="FaceDataset.Problems"/>; problems with the dataset as a whole throw <see cref="MienDataException"/>.
/// </summary>
public static class DatasetLoader
{
    /// <summary>Reads the dataset at <paramref name="path"/> (folder, .zip or .csv), decoded to grey at <see cref="DatasetLoadOptions.ImageSize"/>.</summary>
    public static FaceDataset Load(string path, DatasetLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DatasetLoadOptions();
        if (options.ImageSize is < DatasetLoadOptions.MinImageSize or > DatasetLoadOptions.MaxImageSize)
            throw new MienDataException($"Image size {options.ImageSize} is outside {DatasetLoadOptions.MinImageSize}..{DatasetLoadOptions.MaxImageSize}.");
        using var tree = Open(path);
        return Load(tree, path, options, cancellationToken);
    }

    internal static FaceDataset Load(IFileTree tree, string path, DatasetLoadOptions options, CancellationToken cancellationToken)
    {
        var format = DatasetFormats.Detect(tree);
        var problems = new List<DataProblem>();
        var raw = format.Read(tree, problems).ToList();
        if (options.Limit > 0 && raw.Count > options.Limit)
        {
            // Every k-th item keeps the class and split mix of the whole.
            double step = (double)raw.Count / options.Limit;
            raw = Enumerable.Range(0, options.Limit).Select(i => raw[(int)(i * step)]).ToList();
        }
        if (raw.Count == 0) throw new MienDataException($"'{path}' contains no images.");

        int size = options.ImageSize, area = size * size;
        if ((long)raw.Count * area > Array.MaxLength)
            throw new MienDataException($"'{path}': {raw.Count:N0} images of {size}x{size} pixels do not fit in memory at once; use a smaller image size or --limit.");
        var pixels = new byte[raw.Count * area];
        var ok = new bool[raw.Count];
        var itemProblems = new ConcurrentBag<(int Index, DataProblem Problem)>();
        var sizes = new ConcurrentDictionary<string, int>();
        int done = 0;
        using var detector = options.CropFaces is null ? null : Faces.FaceDetectors.Create(options.CropFaces);
        var crop = new Faces.FaceCropOptions { OutputSize = size };
        Parallel.For(0, raw.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken }, i =>
        {
            var r = raw[i];
            try
            {
                byte[] bytes;
                if (r.GrayPixels is not null)
                {
                    using var m = Mat.FromPixelData(r.PixelHeight, r.PixelWidth, MatType.CV_8UC1, r.GrayPixels);
                    bytes = ImageDecoder.ResizeToBytes(m, size, size);
                    sizes.AddOrUpdate($"{r.PixelWidth}x{r.PixelHeight}", 1, (_, c) => c + 1);
                }
                else
                {
                    using var m = ImageDecoder.DecodeGray(r.ReadBytes!());
                    sizes.AddOrUpdate($"{m.Width}x{m.Height}", 1, (_, c) => c + 1);
                    if (detector is null) bytes = ImageDecoder.ResizeToBytes(m, size, size);
                    else
                    {
                        var boxes = detector.Detect(m);
                        if (boxes.Count == 0) throw new InvalidDataException("no face found");
                        bytes = Faces.FacePreprocessor.Crop(m, boxes.MaxBy(b => b.Width * b.Height)!, crop);
                    }
                }
                bytes.CopyTo(pixels, i * area);
                ok[i] = true;
            }
            catch (Exception e) when (e is InvalidDataException or OpenCVException or IOException or UnauthorizedAccessException)
            {
                itemProblems.Add((i, new DataProblem(r.Source, e is UnauthorizedAccessException ? "permission denied (cannot be read)" : e.Message)));
            }
            int d = Interlocked.Increment(ref done);
            if (d % 512 == 0 || d == raw.Count) options.Progress?.Report((d, raw.Count));
        });
        problems.AddRange(itemProblems.OrderBy(p => p.Index).Select(p => p.Problem));

        var keep = Enumerable.Range(0, raw.Count).Where(i => ok[i]).ToArray();
        if (keep.Length == 0) throw new MienDataException($"'{path}': none of its {raw.Count} images could be read (first problem: {problems.FirstOrDefault()}).");

        var names = raw.Select(r => EmotionVocabulary.Normalize(r.ClassName)).ToArray();
        var allClasses = EmotionVocabulary.Order(names);
        // Classes that only ever get a share of the votes (never a majority) are classes too: FER+'s contempt.
        var voted = keep.SelectMany(i => raw[i].Votes?.Where(v => v.Value > 0).Select(v => EmotionVocabulary.Normalize(v.Key)) ?? []);
        var classes = EmotionVocabulary.Order(keep.Select(i => names[i]).Concat(voted));
        var lost = allClasses.Except(classes).ToList();
        float[]? targets = keep.Any(i => raw[i].Votes is not null) ? Targets(raw, keep, names, classes) : null;
        if (lost.Count > 0)
            throw new MienDataException($"'{path}': class '{lost[0]}' has no readable images.");

        var packed = new byte[keep.Length * area];
        for (int k = 0; k < keep.Length; k++) Buffer.BlockCopy(pixels, keep[k] * area, packed, k * area, area);
        return new FaceDataset(path, classes, size, size, packed,
            keep.Select(i => classes.IndexOf(names[i])).ToArray(),
            keep.Select(i => raw[i].Subject).ToArray(),
            keep.Select(i => raw[i].Split).ToArray(),
            keep.Select(i => raw[i].Source).ToArray(),
            problems, new Dictionary<string, int>(sizes), format.Name, targets);
    }

    // One distribution per kept image: its votes normalised, or one-hot on its class when it has none.
    private static float[] Targets(List<RawSample> raw, int[] keep, string[] names, List<string> classes)
    {
        int c = classes.Count;
        var targets = new float[keep.Length * c];
        for (int k = 0; k < keep.Length; k++)
        {
            var row = targets.AsSpan(k * c, c);
            var votes = raw[keep[k]].Votes;
            float sum = 0;
            if (votes is not null)
                foreach (var (name, v) in votes)
                {
                    int j = classes.IndexOf(EmotionVocabulary.Normalize(name));
                    if (j >= 0 && v > 0) { row[j] += v; sum += v; }
                }
            if (sum <= 0) { row.Clear(); row[classes.IndexOf(names[keep[k]])] = 1; }
            else for (int j = 0; j < c; j++) row[j] /= sum;
        }
        return targets;
    }

    /// <summary>Opens a folder, .zip or single file as a file tree.</summary>
    public static IFileTree Open(string path)
    {
        if (Directory.Exists(path)) return new DirectoryFileTree(path);
        if (!File.Exists(path)) throw new MienDataException($"Dataset path '{path}' does not exist.");
        // Before any open: opening a named pipe blocks until something writes to it.
        if (IO.RegularFile.NotRegular(path) is { } kind) throw new MienDataException($"Dataset path '{path}' is {kind}, not a folder, .zip or .csv file.");
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) return new ZipFileTree(path);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            // A FER2013 CSV holds its pixels; any other CSV lists images that sit beside it.
            if (Fer2013CsvFormat.HasPixelsHeader(path)) return new SingleFileTree(path);
            string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return new DirectoryFileTree(dir, Path.GetFileName(path));
        }
        throw new MienDataException($"'{path}' is not a folder, a .zip archive or a .csv file.");
    }
}
