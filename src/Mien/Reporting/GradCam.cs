using Mien.Data;
using Mien.Faces;
using Mien.Inference;
using Mien.Models;
using OpenCvSharp;
using TorchSharp;
using static TorchSharp.torch;
using Scalar = OpenCvSharp.Scalar;
using Size = OpenCvSharp.Size;

namespace Mien.Reporting;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017) in its HiResCAM form (Draelos and Carin, 2020): which parts of a face made the
/// network choose a class. The class score (logit) is differentiated with respect to the last spatial feature map;
/// gradient times activation is summed over channels at each position, passed through ReLU and upsampled to the
/// face crop. For networks ending in global average pooling this is exactly Grad-CAM; for flatten + dense heads
/// it stays faithful to what the dense weights do at each position.
/// <code>
/// var cam = GradCam.Compute(model, face48x48);            // the predicted class
/// using var png = GradCam.Overlay(face48x48, cam);       // heat map over the face
/// </code>
/// </summary>
public static class GradCam
{
    /// <summary>Grad-CAM of one grey face (<c>InputSize</c>² bytes) for <paramref name="className"/>, or the predicted class when null.</summary>
    public static GradCamResult Compute(EmotionModel model, ReadOnlySpan<byte> face, string? className = null)
    {
        int size = model.InputSize;
        int target = className is null ? -1 : ClassIndex(model, className);
        var net = model.Network;
        // Networks from ModelBuilder are an nn.Sequential: running its children one by one exposes the feature map to explain.
        if (net is not TorchSharp.Modules.Sequential) throw new ArgumentException("Grad-CAM needs a network built by ModelBuilder (an nn.Sequential).");
        var layers = net.named_children().Select(c => (c.name, Module: (nn.Module<Tensor, Tensor>)c.module)).ToList();
        bool wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            var x = model.ToInput(face, 1);
            int camLayer = LastSpatialLayer(layers, x);
            Tensor features;
            using (torch.no_grad())
            {
                features = x;
                for (int i = 0; i <= camLayer; i++) features = layers[i].Module.forward(features);
            }
            // The rest runs from a fresh leaf: gradients stop there, and earlier in-place ReLUs cannot interfere.
            using var _ = torch.enable_grad();
            var leaf = features.detach().clone().requires_grad_(true);
            var logits = leaf;
            for (int i = camLayer + 1; i < layers.Count; i++) logits = layers[i].Module.forward(logits);
            // The model's prior correction and temperature, so the explained winner is the one predict reports.
            var meta = model.Metadata;
            var probs = Evaluation.Calibration.ToFloat(Evaluation.Calibration.Softmax(
                logits.detach().data<float>().ToArray().Select((v, c) => (v + (meta.LogitBias?[c] ?? 0)) / meta.Temperature)));
            int predicted = Evaluation.Evaluator.ArgMax(probs);
            if (target < 0) target = predicted;
            var grad = torch.autograd.grad([logits[0, target]], [leaf])[0];
            // Gradient x activation per position (HiResCAM), not per-channel mean gradients (Grad-CAM): with a
            // flatten + dense head, as in vgg-small, each position has its own weights, and averaging them over the
            // map can cancel to an all-negative (empty) map even for a confident prediction. With a global-average-
            // pooling head the two are the same map.
            var cam = nn.functional.relu((grad * leaf.detach()).sum(1, keepdim: true)); // 1 x 1 x h x w
            var up = nn.functional.interpolate(cam, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            float max = up.max().item<float>();
            var heat = (max > 0 ? up / max : up).contiguous().data<float>().ToArray();
            return new GradCamResult(model.ClassNames[target], probs[target], model.ClassNames[predicted], probs[predicted],
                heat, size, layers[camLayer].name, (int)features.shape[2]);
        }
        finally { net.train(wasTraining); }
    }

    /// <summary>
    /// The face (left) and the face under a JET-coloured Grad-CAM map (right), enlarged <paramref name="scale"/> times,
    /// with a caption strip naming the prediction and the explained class. BGR, 8-bit.
    /// </summary>
    public static Mat Overlay(ReadOnlySpan<byte> face, GradCamResult cam, int scale = 4, double heatWeight = 0.45)
    {
        int s = cam.Size, big = s * scale;
        using var grey = Mat.FromPixelData(s, s, MatType.CV_8UC1, face.ToArray());
        using var greyBig = new Mat();
        Cv2.Resize(grey, greyBig, new Size(big, big), 0, 0, InterpolationFlags.Cubic);
        using var faceBgr = new Mat();
        Cv2.CvtColor(greyBig, faceBgr, ColorConversionCodes.GRAY2BGR);
        var heatBytes = cam.Heatmap.Select(v => (byte)Math.Clamp(Math.Round(v * 255), 0, 255)).ToArray();
        using var heat = Mat.FromPixelData(s, s, MatType.CV_8UC1, heatBytes);
        using var heatBig = new Mat();
        Cv2.Resize(heat, heatBig, new Size(big, big), 0, 0, InterpolationFlags.Linear);
        using var colored = new Mat();
        Cv2.ApplyColorMap(heatBig, colored, ColormapTypes.Jet);
        using var blended = new Mat();
        Cv2.AddWeighted(faceBgr, 1 - heatWeight, colored, heatWeight, 0, blended);

        const int strip = 26;
        var canvas = new Mat(new Size(2 * big, big + strip), MatType.CV_8UC3, Scalar.White);
        faceBgr.CopyTo(canvas[new Rect(0, 0, big, big)]);
        blended.CopyTo(canvas[new Rect(big, 0, big, big)]);
        string text = (cam.ClassName == cam.PredictedClass
            ? $"{cam.PredictedClass} {100 * cam.PredictedProbability:0}% - Grad-CAM"
            : $"{cam.PredictedClass} {100 * cam.PredictedProbability:0}% - Grad-CAM for {cam.ClassName} ({100 * cam.Probability:0}%)")
            + (cam.HasEvidence ? "" : ": no positive evidence");
        double fontScale = Math.Min(0.5, 0.5 * (2 * big - 8) / Math.Max(1, Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, 0.5, 1, out _).Width));
        Cv2.PutText(canvas, text, new Point(4, big + strip - 8), HersheyFonts.HersheySimplex, fontScale, Scalar.Black, 1, LineTypes.AntiAlias);
        return canvas;
    }

    /// <summary>
    /// Explains every given face of an image: one overlay PNG per face, named <c>{baseName}.face{N}.gradcam.png</c>
    /// (<c>.gradcam-{class}.png</c> when a class is named), written to <paramref name="outputDirectory"/>.
    /// </summary>
    public static IReadOnlyList<FaceExplanation> ExplainFaces(EmotionRecognizer recognizer, Mat image, IReadOnlyList<FaceBox> boxes,
        string outputDirectory, string baseName, string? className = null)
    {
        Directory.CreateDirectory(outputDirectory);
        var crops = recognizer.Crop(image, boxes);
        int area = recognizer.Model.InputSize * recognizer.Model.InputSize;
        var result = new List<FaceExplanation>(boxes.Count);
        for (int i = 0; i < boxes.Count; i++)
        {
            var face = crops.AsSpan(i * area, area);
            var cam = Compute(recognizer.Model, face, className);
            string suffix = className is null ? "" : "-" + cam.ClassName; // explaining another class must not overwrite the default map
            string path = Path.Combine(outputDirectory, $"{baseName}.face{i + 1}.gradcam{suffix}.png");
            using var overlay = Overlay(face, cam);
            if (!Cv2.ImWrite(path, overlay)) throw new IOException($"Could not write '{path}'.");
            result.Add(new FaceExplanation(boxes[i], cam, path));
        }
        return result;
    }

    /// <summary>The model's index for a class name, accepting synonyms ("happiness", "angry").</summary>
    public static int ClassIndex(EmotionModel model, string className)
    {
        string wanted = EmotionVocabulary.Normalize(className);
        for (int i = 0; i < model.ClassNames.Count; i++)
            if (model.ClassNames[i] == wanted || EmotionVocabulary.Normalize(model.ClassNames[i]) == wanted) return i;
        throw new ArgumentException($"The model has no class '{className}'; it knows {string.Join(", ", model.ClassNames)}.");
    }

    /// <summary>
    /// The last layer whose output is still an image (N x C x H x W with H·W > 1), skipping pooling and dropout:
    /// the map before the final pooling is finer, and dropout is the identity when not training.
    /// </summary>
    private static int LastSpatialLayer(List<(string name, nn.Module<Tensor, Tensor> Module)> layers, Tensor x)
    {
        int found = -1;
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var t = x;
        for (int i = 0; i < layers.Count; i++)
        {
            t = layers[i].Module.forward(t);
            bool skip = layers[i].name.EndsWith("pool", StringComparison.Ordinal) || layers[i].name.EndsWith("_dropout", StringComparison.Ordinal);
            if (t.dim() == 4 && t.shape[2] * t.shape[3] > 1 && !skip) found = i;
        }
        return found >= 0 ? found : throw new ArgumentException("Grad-CAM needs a convolutional model: this network has no spatial feature map.");
    }
}
