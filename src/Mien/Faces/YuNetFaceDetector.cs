using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Mien.Faces;

/// <summary>
/// OpenCV's YuNet CNN face detector (FaceDetectorYN), selected as "yunet:&lt;path to model .onnx&gt;". More robust to
/// pose and lighting than cascades; the model file (e.g. face_detection_yunet_2023mar.onnx) is not shipped.
/// </summary>
internal sealed class YuNetFaceDetector : IFaceDetector
{
    public const string Prefix = "yunet:";

    // NMS inside the network output; YuNet's published default.
    private const float NmsThreshold = 0.3f;
    private const int TopK = 5000;

    private readonly FaceDetectorOptions options;
    // FaceDetectorYN is stateful (its input size) and not safe for concurrent use.
    private readonly Lock gate = new();
    private FaceDetectorYN net;
    private Size inputSize;
    private bool disposed;

    public YuNetFaceDetector(FaceDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!Handles(options.Detector)) throw new ArgumentException($"Expected '{Prefix}<model.onnx>', got '{options.Detector}'.", nameof(options));
        this.options = options;
        ModelPath = options.Detector[Prefix.Length..];
        if (!File.Exists(ModelPath))
            throw new FileNotFoundException($"YuNet model '{ModelPath}' not found (detector '{options.Detector}').", ModelPath);
        // Load now so a bad model fails at construction, not at the first image.
        inputSize = new Size(320, 320);
        net = CreateNet(inputSize);
    }

    public string ModelPath { get; }

    public static bool Handles(string detector) => detector.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<FaceBox> Detect(Mat image)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var bgr = DetectionImage.Prepare(image, options.MaxDetectionSide, color: true, out double scale);
        using var faces = new Mat();
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // The network's input size must equal the image size, and OpenCvSharp 4.13 wraps no setInputSize,
            // so the detector is rebuilt when the size changes (cheap next to inference; video keeps one size).
            if (bgr.Size() != inputSize)
            {
                net.Dispose();
                inputSize = bgr.Size();
                net = CreateNet(inputSize);
            }
            net.Detect(bgr, faces);
        }

        // One row per face: x, y, w, h, 5 landmarks (10 values), score.
        int rows = faces.Rows;
        var boxes = new List<FaceBox>(rows);
        for (int i = 0; i < rows; i++)
        {
            var r = new Rect((int)Math.Round(faces.At<float>(i, 0)), (int)Math.Round(faces.At<float>(i, 1)),
                             (int)Math.Round(faces.At<float>(i, 2)), (int)Math.Round(faces.At<float>(i, 3)));
            boxes.Add(DetectionImage.ToFullResolution(r, scale, faces.At<float>(i, 14)));
        }
        return BoxGeometry.Finish(boxes, options);
    }

    private FaceDetectorYN CreateNet(Size size) =>
        FaceDetectorYN.Create(ModelPath, "", size, options.MinScore ?? 0.9f, NmsThreshold, TopK, Backend.OPENCV, Target.CPU);

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            net.Dispose();
        }
    }
}
