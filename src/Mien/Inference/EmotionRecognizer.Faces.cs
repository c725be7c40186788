using Mien.Data;
using Mien.Faces;
using OpenCvSharp;

namespace Mien.Inference;

// The engine-independent, OpenCV half of EmotionRecognizer (Mien only): finding faces, the fallbacks and cropping.
// EmotionRecognizer.Predictions.cs (shared with Mien.Onnx, which finds faces with its own SkiaSharp code) turns
// probabilities into predictions. Each engine part supplies InputSize, ClassNames, Probabilities(...) and the
// constructors, which call OpenFaceReaders.
public sealed partial class EmotionRecognizer
{
    private readonly IFaceDetector? _detector;
    private readonly FaceCropOptions _crop;
    private readonly EyeAligner? _aligner;

    // The detector, the eye aligner (when asked for) and the crop framing of a model of this input size and margin.
    private static (IFaceDetector? Detector, EyeAligner? Aligner, FaceCropOptions Crop) OpenFaceReaders(RecognizerOptions options, double modelMargin, int inputSize)
    {
        var crop = new FaceCropOptions { Margin = options.CropMargin ?? modelMargin, OutputSize = inputSize };
        var detector = options.DetectFaces ? FaceDetectors.Create(options.Detector) : null;
        try
        {
            return (detector, options.DetectFaces && options.AlignEyes ? new EyeAligner(options.Detector.CascadeDirectory) : null, crop);
        }
        catch
        {
            detector?.Dispose();
            throw;
        }
    }

    private void DisposeFaceReaders()
    {
        _detector?.Dispose();
        _aligner?.Dispose();
    }

    /// <summary>Reads an image file and predicts every face in it. Unreadable files give a result with <see cref="ImagePrediction.Error"/>.</summary>
    public ImagePrediction Predict(string imagePath)
    {
        Mat image;
        try { image = ImageDecoder.ReadColor(imagePath); }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            return ImagePrediction.Failed(imagePath, e.Message);
        }
        using (image) return Predict(image, imagePath);
    }

    /// <summary>Predicts every face in a decoded image (BGR or grey, 8-bit).</summary>
    public ImagePrediction Predict(Mat image, string source = "image")
    {
        var boxes = DetectFaces(image, out var found);
        var crops = Crop(image, boxes);
        var probs = Probabilities(crops, boxes.Count, Options.FlipAverage);
        return new ImagePrediction(source, image.Width, image.Height, boxes.Select((b, i) => ToFace(b, probs[i], found)).ToList());
    }

    /// <summary>
    /// Predicts many image files, classifying the faces of several images in one batch (much faster than
    /// one network call per image for folders of photos). Results come in input order; bad files give
    /// error results and do not stop the rest.
    /// </summary>
    public IEnumerable<ImagePrediction> PredictMany(IEnumerable<string> imagePaths, int batchSize = 64, CancellationToken cancellationToken = default) =>
        PredictBatched(imagePaths, batchSize, path =>
        {
            using var image = ImageDecoder.ReadColor(path);
            var boxes = DetectFaces(image, out var found);
            return new ReadImage(image.Width, image.Height, boxes, found, Crop(image, boxes));
        }, cancellationToken);

    /// <summary>Classifies the whole image as one already-cropped face, whatever the detection setting.</summary>
    public ImagePrediction PredictWholeImage(Mat image, string source = "image")
    {
        var probs = Probabilities(FacePreprocessor.Whole(image, InputSize), 1, Options.FlipAverage);
        return new ImagePrediction(source, image.Width, image.Height, [ToFace(new FaceBox(0, 0, image.Width, image.Height, 1), probs[0], FaceSource.WholeImage)]);
    }

    /// <summary>Face boxes in an image (or the whole image when detection is off), with the fallbacks of <see cref="DetectFaces(Mat, out FaceSource)"/>.</summary>
    public IReadOnlyList<FaceBox> DetectFaces(Mat image) => DetectFaces(image, out _);

    /// <summary>
    /// Face boxes in an image and how they were found. With detection off: the whole image. Otherwise the detector's
    /// boxes; if it finds none and <see cref="RecognizerOptions.FallbackWhenNoFace"/> is on, those it finds on a padded
    /// copy (clipped to the image); if still none, the whole image when it <see cref="LooksLikeFaceCrop">looks like a
    /// face crop</see> (score 0: no detector vouches for it). No boxes at all is reported as <see cref="FaceSource.Detected"/>.
    /// </summary>
    public IReadOnlyList<FaceBox> DetectFaces(Mat image, out FaceSource source)
    {
        ArgumentNullException.ThrowIfNull(image);
        source = FaceSource.WholeImage;
        if (_detector is null) return [new FaceBox(0, 0, image.Width, image.Height, 1)];
        var detector = _detector;
        return FindFaces(image.Width, image.Height, () => detector.Detect(image), () => PaddedDetection.Detect(detector, image, Options.Detector.MaxDetectionSide), out source);
    }

    /// <summary>Grey crops at the model's input size, one after another.</summary>
    public byte[] Crop(Mat image, IReadOnlyList<FaceBox> boxes)
    {
        int area = InputSize * InputSize;
        var bytes = new byte[boxes.Count * area];
        for (int i = 0; i < boxes.Count; i++)
        {
            // A whole-image fallback box is framed like a detected one (square, model margin, edges replicated): on
            // 927 tight 143x181 CK+48 crops that read 67-73 % of the emotions right, squashing the crop square 64-67 %.
            var face = _detector is null ? FacePreprocessor.Whole(image, InputSize)
                : FacePreprocessor.Crop(image, boxes[i], _crop, _aligner?.FindRollDegrees(image, boxes[i]) ?? 0);
            face.CopyTo(bytes, i * area);
        }
        return bytes;
    }
}
