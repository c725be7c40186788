using Microsoft.ML.OnnxRuntime;

namespace Mien.Faces;

/// <summary>
/// The network behind the "tiny" detector, without image types: it takes the photo already scaled for it, one BGR row
/// at a time, and returns face boxes in the photo's own coordinates. Mien feeds it from OpenCV (TinyFaceDetector),
/// Mien.Onnx from its own decoder, so both packages find faces with the same code. Thread-safe; dispose to free the session.
/// </summary>
internal sealed class TinyFaceNetwork : IDisposable
{
    /// <summary>The detector's name in <see cref="FaceDetectorOptions.Detector"/>, in both packages.</summary>
    public const string Name = "tiny";

    // The network's own constants (face-api.js src/tinyFaceDetector/const.ts): anchor sizes in 32-px cells, the mean
    // RGB subtracted from the input, and the IoU above which two boxes are one face.
    private static readonly (float W, float H)[] Anchors = [(1.603231f, 2.094468f), (6.041143f, 7.080126f), (2.882459f, 3.518061f), (4.266906f, 5.178857f), (9.041765f, 10.66308f)];
    private static readonly float[] MeanRgb = [117.001f, 114.697f, 97.404f];
    private const double NmsIou = 0.4;
    internal const int Cell = 32;
    private const float DefaultMinScore = 0.5f;

    // This network's boxes sit lower and wider on a face than a FER2013 crop: on 800 PublicTest faces (upscaled to 144 px
    // and padded; bench/DetectProbe --fer) the crop's centre is 9.3 % of the box side above the box centre and 2.4 % to
    // the right, and its side (less the 2 % crop margin) is 0.923 of the box's longer side. The medians, applied to
    // every box; the haar-alt cascade needs no such correction (0.3 %, 0.8 %, 1.011 on the same faces).
    private static readonly (double Dx, double Dy, double Scale) FerFraming = (0.024, -0.093, 0.923);

    // The smallest face the network finds reliably, in pixels of its input (astronaut.png scaled down: found at 40-45 px,
    // missed at 31; bench/DetectProbe).
    private const int SmallestFace = 40;

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
        using var stream = typeof(TinyFaceNetwork).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource '{resource}' is missing from the assembly (a broken build).");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });
    private bool disposed;

    /// <summary>Copies row <c>y</c> of the scaled photo, as B, G, R bytes, into the array (its length is 3 x the scaled width).</summary>
    public delegate void RowReader(int y, byte[] bgr);

    public TinyFaceNetwork(FaceDetectorOptions options)
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

    /// <summary>
    /// The longer side of the network input for an image (the shorter follows the image's shape): like a cascade, the
    /// coarsest resolution at which a face of <see cref="FaceDetectorOptions.MinFaceSize"/> still spans
    /// <see cref="SmallestFace"/> pixels, a multiple of 32, at least 128, at most
    /// <see cref="FaceDetectorOptions.NetworkInputSize"/> and the detection side.
    /// </summary>
    public int InputSide(int width, int height)
    {
        int longer = Math.Max(width, height);
        int wanted = (int)Math.Ceiling(longer * (double)SmallestFace / Math.Max(options.MinFaceSize, 1) / Cell) * Cell;
        int cap = options.NetworkInputSize;
        if (options.MaxDetectionSide > 0) cap = Math.Min(cap, options.MaxDetectionSide / Cell * Cell);
        return Math.Clamp(wanted, 4 * Cell, Math.Max(4 * Cell, cap));
    }

    /// <summary>
    /// Faces in a photo scaled by <paramref name="scale"/> (network pixels per photo pixel) to
    /// <paramref name="scaledWidth"/> x <paramref name="scaledHeight"/>, whose longer side is <paramref name="side"/>
    /// (<see cref="InputSide"/>). Boxes come back in the photo's coordinates, tidied as every detector's are.
    /// </summary>
    public IReadOnlyList<FaceBox> Detect(int scaledWidth, int scaledHeight, int side, double scale, RowReader readRow)
    {
        ArgumentNullException.ThrowIfNull(readRow);
        ObjectDisposedException.ThrowIf(disposed, this);
        // Padded only to the next multiple of 32 (the network is fully convolutional), not to a square: a 4:3 photo feeds
        // 544x416 instead of a 544x544 letterbox, a quarter less work.
        int width = CellsFor(scaledWidth, side) * Cell, height = CellsFor(scaledHeight, side) * Cell;
        float[] output;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // One input buffer per detector (2.7 MB at 544x416), reused while the size stays: video frames keep it.
            if (input.Length != 3 * width * height) input = new float[3 * width * height];
            Fill(scaledWidth, scaledHeight, width, height, readRow, input);
            using var feed = OrtValue.CreateTensorValueFromMemory(input, [1, 3, height, width]);
            using var results = session.Run(runOptions, ["image"], [feed], ["boxes"]);
            output = results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        return BoxGeometry.Finish(Nms(Decode(output, height / Cell, width / Cell, scale)), options);
    }

    // Cells along one side of the scaled image: enough to cover it, at least 4 (the smallest input, 128 px, as for the
    // square side), at most the square side's.
    private static int CellsFor(int pixels, int side) => Math.Clamp((pixels + Cell - 1) / Cell, 4, side / Cell);

    // Channel planes R, G, B of (pixel - mean) / 255; the padding stays 0 - mean/255, as the zero padding does in face-api.js.
    private static void Fill(int scaledWidth, int scaledHeight, int width, int height, RowReader readRow, float[] input)
    {
        int plane = width * height;
        for (int c = 0; c < 3; c++) Array.Fill(input, -MeanRgb[c] / 255f, c * plane, plane);
        int w = Math.Min(scaledWidth, width), h = Math.Min(scaledHeight, height);
        var row = new byte[3 * scaledWidth];
        for (int y = 0; y < h; y++)
        {
            readRow(y, row);
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
            double s = Math.Round(side);
            yield return BoxGeometry.ToFullResolution(Math.Round(cx - side / 2), Math.Round(cy - side / 2), s, s, scale, score);
        }
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static List<FaceBox> Nms(IEnumerable<FaceBox> boxes)
    {
        var kept = new List<FaceBox>();
        foreach (var b in boxes.OrderByDescending(b => b.Score))
            if (!kept.Any(k => BoxGeometry.Iou(k, b) > NmsIou)) kept.Add(b);
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
