namespace Mien.Data;

/// <summary>
/// A decoded, labelled set of grey face images, all the same size, held in memory as bytes (FER2013's
/// 32k faces are ~75 MB). Labels are indices into <see cref="ClassNames"/>. Datasets labelled by several annotators
/// (FER+) also carry <see cref="Targets"/>, each face's label distribution; <see cref="Labels"/> is then its majority.
/// </summary>
public sealed class FaceDataset
{
    /// <summary>A dataset from parallel per-image arrays (see the properties for what each holds).</summary>
    public FaceDataset(string origin, IReadOnlyList<string> classNames, int width, int height,
        byte[] pixels, int[] labels, string?[] subjects, string?[] splits, string[] sources,
        IReadOnlyList<DataProblem>? problems = null, IReadOnlyDictionary<string, int>? originalSizes = null, string format = "",
        float[]? targets = null, IReadOnlyList<string>? datasetNames = null, int[]? datasetIndex = null)
    {
        int n = labels.Length;
        if (pixels.Length != n * width * height || subjects.Length != n || splits.Length != n || sources.Length != n)
            throw new ArgumentException("Dataset arrays disagree in length.");
        if (targets is not null && targets.Length != n * classNames.Count)
            throw new ArgumentException("Dataset targets must hold one distribution over the classes per image.");
        Origin = origin; ClassNames = classNames; Width = width; Height = height;
        Pixels = pixels; Labels = labels; Subjects = subjects; Splits = splits; Sources = sources;
        Problems = problems ?? []; OriginalSizes = originalSizes ?? new Dictionary<string, int>(); Format = format;
        Targets = targets;
        DatasetNames = datasetNames ?? [Path.GetFileName(origin.TrimEnd('/', '\\'))];
        DatasetIndex = datasetIndex ?? new int[n];
        if (DatasetIndex.Length != n || DatasetIndex.Any(d => d < 0 || d >= DatasetNames.Count))
            throw new ArgumentException("Dataset indices must name one of the datasets for every image.");
    }

    /// <summary>The datasets this one was merged from (<see cref="Concat"/>); one name for a dataset read from one source.</summary>
    public IReadOnlyList<string> DatasetNames { get; }

    /// <summary>Per image: which of <see cref="DatasetNames"/> it came from.</summary>
    public int[] DatasetIndex { get; }

    private static byte[] Join(List<byte[]> arrays)
    {
        var all = new byte[arrays.Sum(a => (long)a.Length)];
        long at = 0;
        foreach (var a in arrays) { Buffer.BlockCopy(a, 0, all, (int)at, a.Length); at += a.Length; }
        return all;
    }

    /// <summary>The same images as one dataset (forgets which merged dataset each came from).</summary>
    internal FaceDataset AsSingleDataset(string name) =>
        new(name, ClassNames, Width, Height, Pixels, Labels, Subjects, Splits, Sources, Problems, OriginalSizes, Format, Targets);

    /// <summary>The images of one source dataset.</summary>
    public int[] IndicesOfDataset(int dataset) => Enumerable.Range(0, Count).Where(i => DatasetIndex[i] == dataset).ToArray();

    /// <summary>
    /// Several datasets as one, for training on all of them: class vocabularies merged (a class one dataset lacks is
    /// simply absent from its images), label distributions kept (one-hot for hard labels), each image's split and
    /// source dataset kept, and subjects prefixed by dataset so two datasets' "S010" are different people.
    /// </summary>
    public static FaceDataset Concat(IReadOnlyList<FaceDataset> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("No datasets to merge.");
        if (parts.Count == 1) return parts[0];
        if (parts.Any(p => p.Width != parts[0].Width || p.Height != parts[0].Height))
            throw new ArgumentException($"Datasets to merge must be loaded at one size: {string.Join(", ", parts.Select(p => $"{p.Origin} {p.Width}x{p.Height}"))}.");
        var names = parts.Select(p => p.DatasetNames.Count == 1 ? p.DatasetNames[0] : p.Origin).ToList();
        for (int i = 0; i < names.Count; i++) // two datasets with one file name (a/x.zip, b/x.zip) stay apart
            if (names.Take(i).Contains(names[i])) names[i] = $"{names[i]}#{i + 1}";
        var classes = EmotionVocabulary.Order(parts.SelectMany(p => p.ClassNames));
        bool soft = parts.Any(p => p.HasSoftTargets);
        var labels = new List<int>(); var subjects = new List<string?>(); var splits = new List<string?>(); var sources = new List<string>();
        var targets = soft ? new List<float>() : null; var index = new List<int>();
        var problems = new List<DataProblem>(); var sizes = new Dictionary<string, int>();
        for (int d = 0; d < parts.Count; d++)
        {
            var p = parts[d];
            var map = p.ClassNames.Select(c => classes.IndexOf(c)).ToArray();
            for (int i = 0; i < p.Count; i++)
            {
                labels.Add(map[p.Labels[i]]);
                subjects.Add(p.Subjects[i] is { } s ? $"{names[d]}:{s}" : null);
                splits.Add(p.Splits[i]);
                sources.Add($"{names[d]}:{p.Sources[i]}");
                index.Add(d);
                if (targets is not null)
                {
                    var row = new float[classes.Count];
                    var t = p.Target(i);
                    for (int k = 0; k < t.Length; k++) row[map[k]] += t[k];
                    targets.AddRange(row);
                }
            }
            problems.AddRange(p.Problems);
            foreach (var (k, v) in p.OriginalSizes) sizes[k] = sizes.GetValueOrDefault(k) + v;
        }
        return new FaceDataset(string.Join(" + ", parts.Select(p => p.Origin)), classes, parts[0].Width, parts[0].Height,
            Join(parts.Select(p => p.Pixels).ToList()), [.. labels], [.. subjects], [.. splits], [.. sources], problems, sizes,
            string.Join(" + ", parts.Select(p => p.Format).Distinct()), targets?.ToArray(), names, [.. index]);
    }

    /// <summary>
    /// Per-image label distributions (row-major, <see cref="Count"/> x classes, each row summing to 1), or null when
    /// every image has one hard label. FER+ fills it from its ten annotators' votes.
    /// </summary>
    public float[]? Targets { get; }

    /// <summary>True when the images carry label distributions (<see cref="Targets"/>).</summary>
    public bool HasSoftTargets => Targets is not null;

    /// <summary>One image's label distribution: its <see cref="Targets"/> row, or one-hot on its label.</summary>
    public float[] Target(int index)
    {
        int c = ClassNames.Count;
        if (Targets is not null) return Targets.AsSpan(index * c, c).ToArray();
        var t = new float[c];
        t[Labels[index]] = 1;
        return t;
    }

    /// <summary>Where the dataset was read from (path or paths).</summary>
    public string Origin { get; }
    /// <summary>The format that read it ("class folders", "FER+ votes", ...).</summary>
    public string Format { get; }
    /// <summary>Canonical class names; label i means <c>ClassNames[i]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Image width in pixels (every image).</summary>
    public int Width { get; }
    /// <summary>Image height in pixels (every image).</summary>
    public int Height { get; }
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Row-major grey pixels, <see cref="Width"/> x <see cref="Height"/> per image, image after image.</summary>
    public byte[] Pixels { get; }
    /// <summary>Per image: its class index (the majority class for voted labels).</summary>
    public int[] Labels { get; }
    /// <summary>Per image: the person, when known (CK+ file names), else null; splits keep a person on one side.</summary>
    public string?[] Subjects { get; }
    /// <summary>Per image: the dataset's own split (train, validation, test...), or null.</summary>
    public string?[] Splits { get; }
    /// <summary>Per image: where it came from (a path inside the dataset, or a CSV line).</summary>
    public string[] Sources { get; }
    /// <summary>Items that were skipped while reading, with the reason.</summary>
    public IReadOnlyList<DataProblem> Problems { get; }
    /// <summary>How many images had each original size ("48x48": 981).</summary>
    public IReadOnlyDictionary<string, int> OriginalSizes { get; }

    /// <summary>True when at least one image's subject is known.</summary>
    public bool HasSubjects => Subjects.Any(s => s is not null);
    /// <summary>True when some image belongs to the named split.</summary>
    public bool HasSplit(string split) => Splits.Any(s => s == split);

    /// <summary>The grey pixels of one image, row-major.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Width * Height, Width * Height);

    /// <summary>
    /// A 128-bit digest of an image's decoded pixels: equal digests mean identical faces as the model sees them
    /// (FER2013, for one, holds byte-identical copies of training images in its test split).
    /// </summary>
    public UInt128 PixelDigest(int index) => (_digests ??= ComputeDigests())[index];

    // Computed once, on first use: splitting into k folds and `mien info` ask for every digest, repeatedly.
    private UInt128[]? _digests;

    private UInt128[] ComputeDigests()
    {
        var digests = new UInt128[Count];
        Parallel.For(0, Count, i =>
        {
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(Image(i), hash);
            digests[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
        });
        return digests;
    }

    /// <summary>Images per class, of the given items (all by default).</summary>
    public int[] ClassCounts(IEnumerable<int>? indices = null)
    {
        var counts = new int[ClassNames.Count];
        foreach (int i in indices ?? Enumerable.Range(0, Count)) counts[Labels[i]]++;
        return counts;
    }

    /// <summary>The images of one predefined split.</summary>
    public int[] IndicesOfSplit(string split) => Enumerable.Range(0, Count).Where(i => Splits[i] == split).ToArray();

    /// <summary>A new dataset of the given items (e.g. a fold), sharing the class list.</summary>
    public FaceDataset Subset(IReadOnlyList<int> indices)
    {
        int size = Width * Height;
        var pixels = new byte[indices.Count * size];
        for (int k = 0; k < indices.Count; k++) Image(indices[k]).CopyTo(pixels.AsSpan(k * size, size));
        return new FaceDataset(Origin, ClassNames, Width, Height, pixels,
            indices.Select(i => Labels[i]).ToArray(), indices.Select(i => Subjects[i]).ToArray(),
            indices.Select(i => Splits[i]).ToArray(), indices.Select(i => Sources[i]).ToArray(), Problems, OriginalSizes, Format,
            Targets is null ? null : indices.SelectMany(Target).ToArray(), DatasetNames, indices.Select(i => DatasetIndex[i]).ToArray());
    }

    /// <summary>
    /// Keeps only the other classes (e.g. CK+ without contempt), re-indexing labels. With label distributions, the
    /// dropped classes' shares are removed and the rest renormalised; images whose majority was a dropped class go.
    /// </summary>
    public FaceDataset WithoutClasses(IEnumerable<string> drop)
    {
        var dropSet = drop.Select(EmotionVocabulary.Normalize).ToHashSet();
        var keep = Enumerable.Range(0, Count).Where(i => !dropSet.Contains(ClassNames[Labels[i]])).ToArray();
        var names = ClassNames.Where(c => !dropSet.Contains(c)).ToList();
        var sub = Subset(keep);
        var remap = sub.Labels.Select(l => names.IndexOf(ClassNames[l])).ToArray();
        float[]? targets = null;
        if (sub.Targets is not null)
        {
            var kept = names.Select(n => ((IList<string>)ClassNames).IndexOf(n)).ToArray();
            targets = new float[keep.Length * names.Count];
            for (int i = 0; i < keep.Length; i++)
            {
                var row = sub.Target(i);
                float sum = kept.Sum(c => row[c]);
                for (int k = 0; k < kept.Length; k++) targets[i * names.Count + k] = sum > 0 ? row[kept[k]] / sum : (k == remap[i] ? 1 : 0);
            }
        }
        return new FaceDataset(Origin, names, Width, Height, sub.Pixels, remap, sub.Subjects, sub.Splits, sub.Sources, Problems, OriginalSizes, Format, targets,
            DatasetNames, sub.DatasetIndex);
    }
}
