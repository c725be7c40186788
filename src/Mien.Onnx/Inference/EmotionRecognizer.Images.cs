using Mien.Faces;
using Mien.Imaging;

namespace Mien.Inference;

// Mien.Onnx's face-finding part of EmotionRecognizer, on its own managed images (SkiaSharp decoding, PixelOps) instead of
// OpenCV, which would weigh 114 MB of the app's natives. It follows Mien's EmotionRecognizer.Faces.cs step by step
// (the detector, the padded retry, the whole-image fallback, the square edge-replicated crop) with the same shared
// pieces (TinyFaceNetwork, PaddedDetection, BoxGeometry), so both packages find and crop a face alike; a test compares them.
public sealed partial class EmotionRecognizer
{
    private readonly TinyFaceNetwork? _detector;
    private readonly FaceCropOptions _crop;

    // The detector and the crop framing of a model of this input size and margin. Only the "tiny" CNN runs without
    // OpenCV: a chain naming it (the default "tiny+haar-alt") uses it alone; anything else is refused by name.
    private static (TinyFaceNetwork? Detector, FaceCropOptions Crop) OpenFaceReaders(RecognizerOptions options, double modelMargin, int inputSize)
    {
        var crop = new FaceCropOptions { Margin = options.CropMargin ?? modelMargin, OutputSize = inputSize };
        if (!options.DetectFaces) return (null, crop);
        if (options.AlignEyes)
            throw new NotSupportedException("AlignEyes needs OpenCV's eye cascade, which Mien.Onnx does not ship: use the Mien package, or leave AlignEyes off.");
        var names = options.Detector.Detector.Split(FaceDetectorOptions.ChainSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!names.Contains(TinyFaceNetwork.Name, StringComparer.OrdinalIgnoreCase))
            throw new NotSupportedException($"Detector '{options.Detector.Detector}': Mien.Onnx finds faces with the '{TinyFaceNetwork.Name}' CNN only (cascades and YuNet need OpenCV); use \"{TinyFaceNetwork.Name}\", or the Mien package.");
        return (new TinyFaceNetwork(options.Detector), crop);
    }

    private void DisposeFaceReaders() => _detector?.Dispose();

    /// <summary>Reads an image file and predicts every face in it. Unreadable files give a result with <see cref="ImagePrediction.Error"/>.</summary>
    public ImagePrediction Predict(string imagePath)
    {
        PixelImage image;
        try { image = SkiaImageDecoder.Read(imagePath); }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            return ImagePrediction.Failed(imagePath, e.Message);
        }
        return Predict(image, imagePath);
    }

    /// <summary>
    /// Predicts every face in an encoded image held in memory (PNG, JPEG, BMP, GIF, WebP: an upload, say). An
    /// undecodable one gives a result with <see cref="ImagePrediction.Error"/>.
    /// </summary>
    public ImagePrediction Predict(byte[] encodedImage, string source = "image")
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        PixelImage image;
        try { image = SkiaImageDecoder.Decode(encodedImage, Data.ImageLimits.MaxPixels); }
        catch (InvalidDataException e) { return ImagePrediction.Failed(source, e.Message); }
        return Predict(image, source);
    }

    private ImagePrediction Predict(PixelImage image, string source)
    {
        var boxes = DetectFaces(image, out var found);
        var probs = Probabilities(Crop(image, boxes), boxes.Count, Options.FlipAverage);
        return new ImagePrediction(source, image.Width, image.Height, boxes.Select((b, i) => ToFace(b, probs[i], found)).ToList());
    }

    /// <summary>
    /// Predicts many image files, classifying the faces of several images in one batch. Results come in input order;
    /// bad files give error results and do not stop the rest.
    /// </summary>
    public IEnumerable<ImagePrediction> PredictMany(IEnumerable<string> imagePaths, int batchSize = 64, CancellationToken cancellationToken = default) =>
        PredictBatched(imagePaths, batchSize, path =>
        {
            var image = SkiaImageDecoder.Read(path);
            var boxes = DetectFaces(image, out var found);
            return new ReadImage(image.Width, image.Height, boxes, found, Crop(image, boxes));
        }, cancellationToken);

    // As Mien's DetectFaces (FindFaces: the detector, the padded retry, the whole-image fallback).
    private IReadOnlyList<FaceBox> DetectFaces(PixelImage image, out FaceSource source)
    {
        source = FaceSource.WholeImage;
        if (_detector is null) return [new FaceBox(0, 0, image.Width, image.Height, 1)];
        var detector = _detector;
        return FindFaces(image.Width, image.Height, () => Detect(detector, image), () =>
        {
            var plan = PaddedDetection.Plan(image.Width, image.Height, Options.Detector.MaxDetectionSide);
            var small = plan.Scale < 1 ? PixelOps.ResizeArea(image, plan.Width, plan.Height) : image;
            var padded = PixelOps.Region(small, -plan.PadX, -plan.PadY, small.Width + 2 * plan.PadX, small.Height + 2 * plan.PadY);
            return PaddedDetection.MapBack(Detect(detector, padded), plan, image.Width, image.Height);
        }, out source);
    }

    // Mien's TinyFaceDetector.Detect on a PixelImage: BGR shrunk by area averaging so the longer side is at most the
    // network's side, or enlarged bilinearly to fill it.
    private static IReadOnlyList<FaceBox> Detect(TinyFaceNetwork network, PixelImage image)
    {
        int side = network.InputSide(image.Width, image.Height), longer = Math.Max(image.Width, image.Height);
        var bgr = PixelOps.ToBgr(image);
        double scale = 1;
        if (longer > side)
        {
            scale = (double)side / longer;
            bgr = PixelOps.ResizeArea(bgr, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
        }
        else if (longer < side)
        {
            scale = (double)side / longer;
            bgr = PixelOps.ResizeLinear(bgr, (int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale));
        }
        var fitted = bgr;
        return network.Detect(fitted.Width, fitted.Height, side, scale, (y, row) => Buffer.BlockCopy(fitted.Pixels, y * fitted.Stride, row, 0, row.Length));
    }

    // Grey crops at the model's input size, one after another, framed as Mien's FaceCropper frames them.
    private byte[] Crop(PixelImage image, IReadOnlyList<FaceBox> boxes)
    {
        int area = InputSize * InputSize;
        var bytes = new byte[boxes.Count * area];
        for (int i = 0; i < boxes.Count; i++)
        {
            var face = _detector is null ? PixelOps.Resize(PixelOps.ToGray(image), InputSize, InputSize) : CropSquare(image, boxes[i]);
            Buffer.BlockCopy(face.Pixels, 0, bytes, i * area, area);
        }
        return bytes;
    }

    // Only the square is turned grey, not the whole photo (the same bytes: grey is per pixel).
    private PixelImage CropSquare(PixelImage image, FaceBox box)
    {
        int side = Math.Max(1, (int)Math.Round(Math.Max(box.Width, box.Height) * (1 + 2 * _crop.Margin)));
        double cx = box.X + box.Width / 2.0, cy = box.Y + box.Height / 2.0;
        var square = PixelOps.Region(image, (int)Math.Round(cx - side / 2.0), (int)Math.Round(cy - side / 2.0), side, side);
        return PixelOps.Resize(PixelOps.ToGray(square), _crop.OutputSize, _crop.OutputSize);
    }
}
