using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Mien.Faces;

/// <summary>
/// A small CNN face detector, selected as "tiny": face-api.js's TinyFaceDetector (a Tiny-YOLOv2 with depthwise-separable
/// convolutions, 190 KB of 8-bit weights, MIT licence; models/detectors/README.md), run by ONNX Runtime, which runs this
/// network 2-3x faster than LibTorch on two cores. Its cost follows <see cref="FaceDetectorOptions.MinFaceSize"/>: on
/// a 640x480 photo about half the haar-alt cascade's time at 48 px, under an eighth at 80 px (docs/BENCHMARKS.md, "Face
/// detectors"). The network is embedded in Mien.dll (and Mien.Onnx.dll), so it needs no file and works offline.
/// </summary>
internal sealed class TinyFaceDetector : IFaceDetector
{
    public const string Name = "tiny";

    // The network's own constants (face-api.js src/tinyFaceDetector/const.ts): anchor sizes in 32-px cells, the mean
    // RGB subtracted from the input, and the IoU above which two boxes are one face.
    private static readonly (float W, float H)[] Anchors = [(1.603231f, 2.094468f), (6.041143f, 7.080126f), (2.882459f, 3.518061f), (4.266906f, 5.178857f), (9.041765f, 10.66308f)];
    private static readonly float[] MeanRgb = [117.001f, 114.697f, 97.404f];
    private const double NmsIou = 0.4;
    private const int Cell = 32;
    private const float DefaultMinScore = 0.5f;

    // This network's boxes sit lower and wider on a face than a FER2013 crop: on 800 PublicTest faces (upscaled to 144 px
    // and padded; bench/DetectProbe --fer) the crop's centre is 9.3 % of the box side above the box centre and 2.4 % to
    // the right, and its side (less the 2 % crop margin) is 0.923 of the box's longer side. The medians, applied to
    // every box; the haar-alt cascade needs no such correction (0.3 %, 0.8 %, 1.011 on the same faces).
    private static readonly (double Dx, double Dy, double Scale) FerFraming = (0.024, -0.093, 0.923);

    private readonly FaceDetectorOptions options;
    private readonly Lock gate = new();
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private float[] input = [];
    // models/detectors/tiny_face_detector.onnx: the network converted from face-api.js's files by TinyFaceDetectorGraph
    // (a committed generated file, so Mien.Onnx needs no protobuf; a test checks it is what the converter writes today).
    private static readonly Lazy<byte[]> Onnx = new(() =>
    {
        const string resource = "Mien.detectors.tiny_face_detector.onnx";
        using var stream = typeof(TinyFaceDetector).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource '{resource}' is missing from the assembly (a broken build).");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });
    private bool disposed;

    public TinyFaceDetector(FaceDetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // Detection is always followed by another engine (LibTorch, or the classifier's own ONNX Runtime session): a pool
        // that spins after each run takes the two cores from it. Without spinning, a 640x480 photo through tiny + ONNX int8
        // took 9.7-11.9 ms median (p95 11.5-15.8) against 14.0-16.3 (p95 17.7-29.2) with it (docs/BENCHMARKS.md).
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        session = new InferenceSession(Onnx.Value, so);
    }

    public static bool Handles(string detector) => string.Equals(detector, Name, StringComparison.OrdinalIgnoreCase);

    // The smallest face the network finds reliably, in pixels of its input (astronaut.png scaled down: found at 40-45 px,
    // missed at 31; bench/DetectProbe).
    private const int SmallestFace = 40;

    /// <summary>
    /// The longer side of the network input for an image (the shorter follows the image's shape): like a cascade, the
    /// coarsest resolution at which a face of <see cref="FaceDetectorOptions.MinFaceSize"/> still spans
    /// <see cref="SmallestFace"/> pixels, a multiple of 32, at least 128, at most
    /// <see cref="FaceDetectorOptions.NetworkInputSize"/> and the detection side.
    /// </summary>
    internal int InputSide(int width, int height)
    {
        int longer = Math.Max(width, height);
        int wanted = (int)Math.Ceiling(longer * (double)SmallestFace / Math.Max(options.MinFaceSize, 1) / Cell) * Cell;
        int cap = options.NetworkInputSize;
        if (options.MaxDetectionSide > 0) cap = Math.Min(cap, options.MaxDetectionSide / Cell * Cell);
        return Math.Clamp(wanted, 4 * Cell, Math.Max(4 * Cell, cap));
    }

    public IReadOnlyList<FaceBox> Detect(Mat image)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty()) throw new ArgumentException("The image is empty.", nameof(image));
        int side = InputSide(image.Width, image.Height);
        // Scaled so the longer side fills the input, as face-api.js does, but padded only to the next multiple of 32 (the
        // network is fully convolutional): a 4:3 photo feeds 544x416 instead of a 544x544 letterbox, a quarter less work.
        using var bgr = DetectionImage.Prepare(image, side, color: true, out double scale);
        if (Math.Max(image.Width, image.Height) < side) scale = (double)side / Math.Max(image.Width, image.Height);
        using var fitted = scale > 1 ? bgr.Resize(new OpenCvSharp.Size((int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale)), 0, 0, InterpolationFlags.Linear) : bgr.Clone();
        int width = CellsFor(fitted.Width, side) * Cell, height = CellsFor(fitted.Height, side) * Cell;
        float[] output;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // One input buffer per detector (2.7 MB at 544x416), reused while the size stays: video frames keep it.
            if (input.Length != 3 * width * height) input = new float[3 * width * height];
            Fill(fitted, width, height, input);
            using var feed = OrtValue.CreateTensorValueFromMemory(input, [1, 3, height, width]);
            using var results = session.Run(runOptions, ["image"], [feed], ["boxes"]);
            output = results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        return DetectionImage.Finish(Nms(Decode(output, height / Cell, width / Cell, scale)), options);
    }

    // Cells along one side of the fitted image: enough to cover it, at least 4 (the smallest input, 128 px, as for the
    // square side), at most the square side's.
    private static int CellsFor(int pixels, int side) => Math.Clamp((pixels + Cell - 1) / Cell, 4, side / Cell);

    // Channel planes R, G, B of (pixel - mean) / 255; the padding stays 0 - mean/255, as the zero padding does in face-api.js.
    private static void Fill(Mat bgr, int width, int height, float[] input)
    {
        int plane = width * height;
        for (int c = 0; c < 3; c++) Array.Fill(input, -MeanRgb[c] / 255f, c * plane, plane);
        int w = Math.Min(bgr.Width, width), h = Math.Min(bgr.Height, height);
        var row = new byte[3 * w];
        for (int y = 0; y < h; y++)
        {
            System.Runtime.InteropServices.Marshal.Copy(bgr.Ptr(y), row, 0, row.Length);
            for (int x = 0, i = y * width; x < w; x++, i++)
            {
                input[i] = (row[3 * x + 2] - MeanRgb[0]) / 255f;
                input[plane + i] = (row[3 * x + 1] - MeanRgb[1]) / 255f;
                input[2 * plane + i] = (row[3 * x] - MeanRgb[2]) / 255f;
            }
        }
    }

    // out: 25 channels = 5 anchors x (x, y, w, h, objectness), over rows x cols cells.
    private IEnumerable<FaceBox> Decode(float[] output, int rows, int cols, double scale)
    {
        int plane = rows * cols;
        for (int a = 0; a < Anchors.Length; a++)
        for (int row = 0; row < rows; row++)
        for (int col = 0; col < cols; col++)
        {
            float At(int k) => output[(a * 5 + k) * plane + row * cols + col];
            double score = Sigmoid(At(4));
            if (score < (options.MinScore ?? DefaultMinScore)) continue;
            double cx = (col + Sigmoid(At(0))) * Cell, cy = (row + Sigmoid(At(1))) * Cell;
            double w = Math.Exp(At(2)) * Anchors[a].W * Cell, h = Math.Exp(At(3)) * Anchors[a].H * Cell;
            // Reframed as the square a cascade would report (see FerFraming), so crops match what the emotion models learnt.
            double side = Math.Max(w, h);
            (cx, cy, side) = (cx + FerFraming.Dx * side, cy + FerFraming.Dy * side, side * FerFraming.Scale);
            var r = new Rect((int)Math.Round(cx - side / 2), (int)Math.Round(cy - side / 2), (int)Math.Round(side), (int)Math.Round(side));
            yield return DetectionImage.ToFullResolution(r, scale, score);
        }
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static List<FaceBox> Nms(IEnumerable<FaceBox> boxes)
    {
        var kept = new List<FaceBox>();
        foreach (var b in boxes.OrderByDescending(b => b.Score))
            if (!kept.Any(k => DetectionImage.Iou(k, b) > NmsIou)) kept.Add(b);
        return kept;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            session.Dispose();
            runOptions.Dispose();
        }
    }
}
