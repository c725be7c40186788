using System.CommandLine;
using Mien.Data;
using Mien.Faces;
using Mien.Inference;
using Mien.Reporting;

namespace Mien.Cli.Commands;

/// <summary><c>mien explain</c>: Grad-CAM heat maps of what the network looked at, one overlay PNG per face.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "A photo (or, with --no-detect, an already-cropped face)." };
        var cls = new Option<string?>("--class", "-c") { Description = "Explain this emotion (e.g. happy) instead of the predicted one." };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the overlay PNGs (<image>.face<N>.gradcam.png; with --class, .gradcam-<class>.png).", DefaultValueFactory = _ => ".", HelpName = "folder" };
        var cmd = new Command("explain", "Show which parts of each face drove the prediction (Grad-CAM on the last convolutional layer).");
        cmd.Arguments.Add(image);
        var rec = new RecognizerArguments();
        rec.AddTo(cmd);
        foreach (var o in new Option[] { cls, output }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            using var recognizer = rec.Load(r);
            string? className = r.GetValue(cls);
            if (className is not null) GradCam.ClassIndex(recognizer.Model, className); // fail before the slow part
            string file = r.GetValue(image)!;
            using var picture = ImageDecoder.ReadColor(file);
            var boxes = recognizer.DetectFaces(picture);
            if (boxes.Count == 0)
            {
                Console.Error.WriteLine($"error: no face found in '{file}' (for a face crop, use --no-detect).");
                return CliErrors.Failed;
            }
            c.ThrowIfCancellationRequested();
            var faces = GradCam.ExplainFaces(recognizer, picture, boxes, r.GetValue(output)!, Path.GetFileNameWithoutExtension(file), className);
            for (int i = 0; i < faces.Count; i++)
            {
                var (box, cam) = (faces[i].Box, faces[i].Cam);
                Console.WriteLine($"face {i + 1} at {box.X},{box.Y} {box.Width}x{box.Height}: {cam.PredictedClass} {cam.PredictedProbability:P0}; " +
                                  $"Grad-CAM of {cam.ClassName} ({cam.Probability:P0}) on {cam.Layer} ({cam.FeatureMapSize}x{cam.FeatureMapSize})" +
                                  $"{(cam.HasEvidence ? "" : ", empty: no region raises this score")} -> {faces[i].File}");
            }
            return 0;
        }, ct));
        return cmd;
    }
}
