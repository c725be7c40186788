using System.CommandLine;
using System.Globalization;
using System.Text;
using Mien.Data;
using Mien.Faces;
using Mien.Inference;
using Mien.Reporting;
using OpenCvSharp;

namespace Mien.Cli.Commands;

/// <summary><c>mien predict</c>: the emotions of every face in photos, folders or globs.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders (searched recursively) or globs such as 'photos/*.jpg'.", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format", "-f") { Description = "table, jsonl or csv.", DefaultValueFactory = _ => "table" };
        var annotate = new Option<string?>("--annotate") { Description = "Write copies of the images with boxes and labels into this folder (<name>.annotated.png; images found in a folder keep their sub-folders).", HelpName = "folder" };
        var explain = new Option<string?>("--explain") { Description = "Write a Grad-CAM overlay per face (what the network looked at) into this folder.", HelpName = "folder" };
        var rec = new RecognizerArguments();
        var cmd = new Command("predict", "Find the faces in images and print the probability of every emotion for each.");
        cmd.Arguments.Add(inputs);
        rec.AddTo(cmd);
        foreach (var o in new Option[] { format, annotate, explain }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            string fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "jsonl" or "csv")) throw new ArgumentException($"--format '{fmt}': use table, jsonl or csv.");
            var files = ExpandInputs(r.GetValue(inputs)!, out var missing, out var names);
            // Output folders first: one that cannot be made fails before the model loads, not after the first image.
            string? annotateDir = OutputPaths.Folder(r.GetValue(annotate), "--annotate");
            string? explainDir = OutputPaths.Folder(r.GetValue(explain), "--explain");
            using var recognizer = rec.Load(r);

            // The bar (a terminal only) is set up before the first row, so that rows written while it is live go above it.
            var progress = PredictProgress.For(files.Count, Terminal.StdoutIsLive, Terminal.StderrIsLive);
            using var throughBar = progress?.ResultWriter();
            var writer = new PredictionWriter(fmt, recognizer.ClassNames, throughBar ?? Console.Out);
            writer.Header();
            int failed = 0;
            foreach (var (input, error) in missing) { writer.Write(ImagePrediction.Failed(input, error)); failed++; }
            // Without drawing, faces of many images share one network call; with drawing, each image is kept to draw on.
            var results = annotateDir is null && explainDir is null
                ? recognizer.PredictMany(files, cancellationToken: c)
                : files.Select((f, i) => PredictOne(recognizer, f, names[i], annotateDir, explainDir));
            void Predict(Action imageDone)
            {
                foreach (var result in results)
                {
                    c.ThrowIfCancellationRequested();
                    if (!result.Succeeded) failed++;
                    writer.Write(result);
                    imageDone();
                }
            }
            if (progress is null) Predict(() => { });
            else progress.Run(files.Count, Predict);
            if (files.Count + missing.Count == 0) throw new ArgumentException("No images found in the given inputs.");
            if (failed > 0) Console.Error.WriteLine($"{failed} of {files.Count + missing.Count} input(s) failed.");
            return failed == 0 ? 0 : CliErrors.PartlyFailed;
        }, ct));
        return cmd;
    }

    // name: the image's unique output name from ExpandInputs, so that same-named images of two sub-folders keep both outputs.
    private static ImagePrediction PredictOne(EmotionRecognizer recognizer, string file, string name, string? annotateDir, string? explainDir)
    {
        Mat image;
        try { image = ImageDecoder.ReadColor(file); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { return ImagePrediction.Failed(file, e.Message); }
        using (image)
        {
            var result = recognizer.Predict(image, file);
            if (annotateDir is not null) ImageAnnotator.Write(Path.Combine(annotateDir, name + ".annotated.png"), image, result);
            if (explainDir is not null)
            {
                string target = Path.Combine(explainDir, name);
                GradCam.ExplainFaces(recognizer, image, result.Faces.Select(f => f.Box).ToList(), Path.GetDirectoryName(target)!, Path.GetFileName(target));
            }
            return result;
        }
    }

    /// <summary>Files as given, folders recursively, and simple globs (* and ? in the file name part).</summary>
    internal static List<string> ExpandInputs(IEnumerable<string> inputs, out List<(string Input, string Error)> failed) => ExpandInputs(inputs, out failed, out _);

    /// <summary>
    /// Files as given, folders recursively, and simple globs (* and ? in the file name part). Inputs that name
    /// nothing, or a folder that cannot be listed, come back in <paramref name="failed"/> with the reason.
    /// <paramref name="names"/> holds, per file, a unique name for its outputs without extension: its path under the
    /// folder it was found in (so d/a/x.png and d/b/x.png give a/x and b/x), else its file name, with -2, -3... where
    /// names still collide.
    /// </summary>
    internal static List<string> ExpandInputs(IEnumerable<string> inputs, out List<(string Input, string Error)> failed, out List<string> names)
    {
        var files = new List<string>();
        names = [];
        failed = [];
        foreach (var input in inputs)
        {
            try
            {
                if (Directory.Exists(input))
                {
                    foreach (var f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                                 .Where(f => ClassFolderFormat.ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList())
                    {
                        files.Add(f);
                        string relative = Path.GetRelativePath(input, f);
                        names.Add(Path.Combine(Path.GetDirectoryName(relative)!, Path.GetFileNameWithoutExtension(relative)));
                    }
                }
                else if (File.Exists(input)) { files.Add(input); names.Add(Path.GetFileNameWithoutExtension(input)); }
                else if (input.IndexOfAny(['*', '?']) >= 0)
                {
                    string dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                    var matches = Directory.Exists(dir) ? Directory.GetFiles(dir, Path.GetFileName(input)).Order(StringComparer.Ordinal).ToList() : [];
                    if (matches.Count == 0) failed.Add((input, $"'{input}' matches no file."));
                    else { files.AddRange(matches); names.AddRange(matches.Select(m => Path.GetFileNameWithoutExtension(m))); }
                }
                else failed.Add((input, $"'{input}' does not exist."));
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                failed.Add((input, $"'{input}' cannot be listed: {e.Message}"));
            }
        }
        // Case-insensitively: on Windows and macOS X.png and x.png would land on one file.
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i];
            for (int k = 2; !used.Add(name); k++) name = $"{names[i]}-{k}";
            names[i] = name;
        }
        return files;
    }

    /// <summary>Renders predictions as an aligned table, JSON lines or CSV; each names the image by its path as found.</summary>
    private sealed class PredictionWriter(string format, IReadOnlyList<string> classes, TextWriter output)
    {
        private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
        // "found" goes last in CSV (before error) so readers that index columns keep working.
        private readonly CsvRows _csv = new(["file", "face", "x", "y", "width", "height", "emotion", "confidence", .. classes, "found", "error"]);

        public void Header()
        {
            if (format == "csv") output.Write(_csv.Header());
            if (format == "table") output.WriteLine($"{"file",-28} {"face",4} {"box (x,y,w,h)",-18} {"found",-11} {"emotion",-9} {"conf",5}  " + string.Join(' ', classes.Select(c => Short(c).PadLeft(6))));
        }

        public void Write(ImagePrediction p)
        {
            switch (format)
            {
                case "jsonl":
                    output.WriteLine(PredictionRecords.ToJson(PredictionRecords.Of(p)));
                    break;
                case "csv":
                    // An image without faces (or that failed) still gets its row, with the emotion cells empty, as in table and jsonl.
                    var rows = new List<IReadOnlyList<string?>>();
                    if (p.Faces.Count == 0) rows.Add([p.Source, .. Enumerable.Repeat<string?>(null, _csv.Columns.Count - 2), p.Error]);
                    for (int i = 0; i < p.Faces.Count; i++)
                    {
                        var f = p.Faces[i];
                        rows.Add([p.Source, (i + 1).ToString(Ci), f.Box.X.ToString(Ci), f.Box.Y.ToString(Ci), f.Box.Width.ToString(Ci), f.Box.Height.ToString(Ci),
                            f.Emotion, f.Confidence.ToString("F4", Ci), .. classes.Select(c => f.Probabilities[c].ToString("F4", Ci)), f.FaceSource.Name(), null]);
                    }
                    output.Write(_csv.Rows(rows));
                    break;
                default:
                    string name = p.Source;
                    if (!p.Succeeded) { output.WriteLine($"{name,-28} error: {p.Error}"); break; }
                    if (p.Faces.Count == 0) { output.WriteLine($"{name,-28} {"-",4} no face found"); break; }
                    for (int i = 0; i < p.Faces.Count; i++)
                    {
                        var f = p.Faces[i];
                        string box = $"{f.Box.X},{f.Box.Y},{f.Box.Width},{f.Box.Height}";
                        output.WriteLine($"{(i == 0 ? name : ""),-28} {i + 1,4} {box,-18} {f.FaceSource.Name(),-11} {f.Emotion,-9} {f.Confidence,5:F2}  " +
                                          string.Join(' ', classes.Select(c => f.Probabilities[c].ToString("F2", Ci).PadLeft(6))));
                    }
                    break;
            }
        }

        private static string Short(string c) => c.Length > 6 ? c[..6] : c;
    }
}
