namespace Mien.Data;

/// <summary>How a dataset is read and preprocessed.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>The smallest <see cref="ImageSize"/> (the models' smallest input).</summary>
    public const int MinImageSize = 8;

    /// <summary>The largest <see cref="ImageSize"/> (the models' largest input).</summary>
    public const int MaxImageSize = 512;

    /// <summary>Side of the square grey images produced (the model's input size), <see cref="MinImageSize"/>..<see cref="MaxImageSize"/>.</summary>
    public int ImageSize { get; init; } = 48;

    /// <summary>Keep at most this many images (stratified-ish: every n-th item), 0 = all. For quick runs.</summary>
    public int Limit { get; init; }

    /// <summary>Degree of parallelism for decoding (default: processor count).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Find the face in each image and keep only it (the largest, cropped like the predict path crops),
    /// for datasets of whole photos. Images with no face are skipped and reported. Null = images are faces already.
    /// </summary>
    public Faces.FaceDetectorOptions? CropFaces { get; init; }

    /// <summary>Receives (done, total) as images are decoded.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }
}
