using Mien.Faces;

namespace Mien.Inference;

// The part of EmotionRecognizer without image types, compiled into Mien and Mien.Onnx alike: which images the
// whole-image fallback takes for a face crop, and how probabilities become predictions. Each package's face-finding part
// (Mien: EmotionRecognizer.Faces.cs on OpenCV; Mien.Onnx: EmotionRecognizer.Images.cs on SkiaSharp) uses these, so both
// report a face the same way.
public sealed partial class EmotionRecognizer
{
    /// <summary>Longest side, in pixels, of an image the whole-image fallback takes for a face crop.</summary>
    /// <remarks>
    /// Face crops are small (143x181 film-frame crops, 48x48 FER2013 and CK+48); photos are larger: coffee.png (600x400)
    /// and chelsea.png (451x300), which hold no face, stay out by size alone.
    /// </remarks>
    public const int FaceCropMaxSide = 400;

    /// <summary>Shortest side of a face crop: below the cascades' 24-px window an image is an icon, not a face to read.</summary>
    public const int FaceCropMinSide = 24;

    /// <summary>
    /// Width / height range of a face crop. Faces are taller than wide, so crops are square (FER2013, CK+48) or
    /// portrait (143x181 = 0.79); 0.6 leaves room for a crop with some neck. 1.25 stays below 4:3 (1.33), so small
    /// landscape photos and video frames (320x240, 3:2, 16:9) without a face are not classified as one.
    /// </summary>
    public const double FaceCropMinAspect = 0.6, FaceCropMaxAspect = 1.25;

    /// <summary>True when an image of this size is shaped like a face crop, so the whole-image fallback may classify it.</summary>
    public static bool LooksLikeFaceCrop(int width, int height)
    {
        if (Math.Min(width, height) < FaceCropMinSide || Math.Max(width, height) > FaceCropMaxSide) return false;
        double aspect = (double)width / height;
        return aspect is >= FaceCropMinAspect and <= FaceCropMaxAspect;
    }

    /// <summary>Classifies already-cropped grey faces (count x size x size bytes).</summary>
    public IReadOnlyList<FacePrediction> PredictCrops(ReadOnlySpan<byte> faces, int count)
    {
        var probs = Probabilities(faces, count, Options.FlipAverage);
        return probs.Select(p => ToFace(new FaceBox(0, 0, InputSize, InputSize, 1), p, FaceSource.WholeImage)).ToList();
    }

    private FacePrediction ToFace(FaceBox box, float[] p, FaceSource found)
    {
        int best = Array.IndexOf(p, p.Max()); // the first of equal maxima, as Evaluator.ArgMax
        var dict = new Dictionary<string, float>();
        for (int c = 0; c < p.Length; c++) dict[ClassNames[c]] = p[c];
        return new FacePrediction(box, ClassNames[best], p[best], dict, found);
    }

    /// <summary>What one image file gave: its size, the boxes and how they were found, and their grey crops.</summary>
    private readonly record struct ReadImage(int Width, int Height, IReadOnlyList<FaceBox> Boxes, FaceSource Found, byte[] Crops);

    // PredictMany for both packages: each reads, detects and crops a file its own way (read throws for a bad file);
    // the faces of several images then go through the network in one batch. Results come in input order.
    private IEnumerable<ImagePrediction> PredictBatched(IEnumerable<string> imagePaths, int batchSize, Func<string, ReadImage> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        var pending = new List<(string Source, ReadImage? Image, string? Error)>();
        var crops = new List<byte>();
        int faces = 0;
        foreach (var path in imagePaths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var image = read(path);
                crops.AddRange(image.Crops);
                pending.Add((path, image, null));
                faces += image.Boxes.Count;
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or UnauthorizedAccessException)
            {
                pending.Add((path, null, e.Message));
            }
            if (faces >= batchSize)
            {
                foreach (var r in Flush()) yield return r;
            }
        }
        foreach (var r in Flush()) yield return r;

        List<ImagePrediction> Flush()
        {
            var probs = Probabilities(crops.ToArray(), faces, Options.FlipAverage);
            var results = new List<ImagePrediction>(pending.Count);
            int k = 0;
            foreach (var (source, image, error) in pending)
            {
                if (image is not { } i) { results.Add(ImagePrediction.Failed(source, error!)); continue; }
                results.Add(new ImagePrediction(source, i.Width, i.Height, i.Boxes.Select(b => ToFace(b, probs[k++], i.Found)).ToList()));
            }
            pending.Clear(); crops.Clear(); faces = 0;
            return results;
        }
    }

    // The fallback order of both packages' DetectFaces: the detector's boxes; if none (and the fallback is on), those
    // found on a padded copy; if still none, the whole image when it is shaped like a face crop (score 0: no detector
    // vouches for it).
    private IReadOnlyList<FaceBox> FindFaces(int width, int height, Func<IReadOnlyList<FaceBox>> detect, Func<IReadOnlyList<FaceBox>> detectPadded, out FaceSource source)
    {
        source = FaceSource.Detected;
        var boxes = detect();
        if (boxes.Count > 0 || !Options.FallbackWhenNoFace) return boxes;
        boxes = detectPadded();
        if (boxes.Count > 0)
        {
            source = FaceSource.Padded;
            return boxes;
        }
        if (!LooksLikeFaceCrop(width, height)) return [];
        source = FaceSource.WholeImage;
        return [new FaceBox(0, 0, width, height, 0)];
    }
}
