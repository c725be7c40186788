namespace Mien.Data;

/// <summary>
/// A decoded, labelled set of grey face images, all the same size, held in memory as bytes (FER2013's
/// 32k faces are ~75 MB). Labels are indices into <see cref="ClassNames"/>.
/// </summary>
public sealed class FaceDataset
{
    public FaceDataset(string origin, IReadOnlyList<string> classNames, int width, int height,
        byte[] pixels, int[] labels, string?[] subjects, string?[] splits, string[] sources,
        IReadOnlyList<DataProblem>? problems = null, IReadOnlyDictionary<string, int>? originalSizes = null, string format = "")
    {
        int n = labels.Length;
        if (pixels.Length != n * width * height || subjects.Length != n || splits.Length != n || sources.Length != n)
            throw new ArgumentException("Dataset arrays disagree in length.");
        Origin = origin; ClassNames = classNames; Width = width; Height = height;
        Pixels = pixels; Labels = labels; Subjects = subjects; Splits = splits; Sources = sources;
        Problems = problems ?? []; OriginalSizes = originalSizes ?? new Dictionary<string, int>(); Format = format;
    }

    public string Origin { get; }
    public string Format { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Width { get; }
    public int Height { get; }
    public int Count => Labels.Length;

    /// <summary>Row-major grey pixels, <see cref="Width"/> x <see cref="Height"/> per image, image after image.</summary>
    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public string?[] Subjects { get; }
    public string?[] Splits { get; }
    public string[] Sources { get; }
    public IReadOnlyList<DataProblem> Problems { get; }
    public IReadOnlyDictionary<string, int> OriginalSizes { get; }

    public bool HasSubjects => Subjects.Any(s => s is not null);
    public bool HasSplit(string split) => Splits.Any(s => s == split);

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

    public int[] ClassCounts(IEnumerable<int>? indices = null)
    {
        var counts = new int[ClassNames.Count];
        foreach (int i in indices ?? Enumerable.Range(0, Count)) counts[Labels[i]]++;
        return counts;
    }

    public int[] IndicesOfSplit(string split) => Enumerable.Range(0, Count).Where(i => Splits[i] == split).ToArray();

    /// <summary>A new dataset of the given items (e.g. a fold), sharing the class list.</summary>
    public FaceDataset Subset(IReadOnlyList<int> indices)
    {
        int size = Width * Height;
        var pixels = new byte[indices.Count * size];
        for (int k = 0; k < indices.Count; k++) Image(indices[k]).CopyTo(pixels.AsSpan(k * size, size));
        return new FaceDataset(Origin, ClassNames, Width, Height, pixels,
            indices.Select(i => Labels[i]).ToArray(), indices.Select(i => Subjects[i]).ToArray(),
            indices.Select(i => Splits[i]).ToArray(), indices.Select(i => Sources[i]).ToArray(), Problems, OriginalSizes, Format);
    }

    /// <summary>Keeps only the named classes (e.g. CK+ without contempt), re-indexing labels.</summary>
    public FaceDataset WithoutClasses(IEnumerable<string> drop)
    {
        var dropSet = drop.Select(EmotionVocabulary.Normalize).ToHashSet();
        var keep = Enumerable.Range(0, Count).Where(i => !dropSet.Contains(ClassNames[Labels[i]])).ToArray();
        var names = ClassNames.Where(c => !dropSet.Contains(c)).ToList();
        var sub = Subset(keep);
        var remap = sub.Labels.Select(l => names.IndexOf(ClassNames[l])).ToArray();
        return new FaceDataset(Origin, names, Width, Height, sub.Pixels, remap, sub.Subjects, sub.Splits, sub.Sources, Problems, OriginalSizes, Format);
    }
}
