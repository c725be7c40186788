using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Mien.Inference;
using Mien.Reporting;
using OpenCvSharp;

namespace Mien.Web;

/// <summary>
/// API v1: <c>POST /v1/predict</c>, <c>POST /v1/predict/batch</c>, <c>POST /v1/explain</c>, <c>GET /v1/model</c>. The
/// handlers parse and answer; the library (one thread-safe <see cref="EmotionRecognizer"/>) does the work.
/// </summary>
internal static partial class MienEndpoints
{
    public const string InferencePolicy = "inference";

    // "*/*" first: the routing answers 415 to any content type not listed, and the body is sniffed, whatever its type.
    private static readonly string[] ImageTypes = ["*/*", "image/png", "image/jpeg", "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data", "application/json"];

    public static void MapMienEndpoints(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").WithTags("v1");

        v1.MapPost("/predict", Predict).RequireRateLimiting(InferencePolicy).DisableAntiforgery()
            .Accepts<byte[]>(ImageTypes[0], ImageTypes[1..]).Produces<PredictResponse>().WithSummary("Every face in an image with the probability of every emotion.")
            .WithDescription("The body is the image (any content type: what it is is sniffed), a multipart file field 'image', or JSON {\"image_base64\": ...}.");
        v1.MapPost("/predict/batch", PredictBatch).RequireRateLimiting(InferencePolicy).DisableAntiforgery()
            .Accepts<byte[]>("multipart/form-data").Produces<BatchResponse>().WithSummary("Several images (multipart file fields); one record per image, errors per image.");
        v1.MapPost("/explain", Explain).RequireRateLimiting(InferencePolicy).DisableAntiforgery()
            .Accepts<byte[]>(ImageTypes[0], ImageTypes[1..]).Produces(200, contentType: "image/png").Produces<ExplainResponse>()
            .WithSummary("Grad-CAM: which parts of each face drove the prediction (a PNG of overlays, or ?format=json with a heat map per face).");
        v1.MapGet("/model", (Recognizers r, ServiceOptions o) => Results.Json(Info(r.Main, o))).Produces<ModelInfo>().WithSummary("The served model, the request defaults and the limits.");
        foreach (var b in new[] { v1 }) b.ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503);
    }

    private static async Task<IResult> Predict(HttpRequest request, Recognizers recognizers, ServiceOptions options, CancellationToken ct,
        [FromQuery] string? detect, [FromQuery(Name = "min_face")] string? minFace, [FromQuery] string? align, [FromQuery] string? tta)
    {
        var clock = Stopwatch.StartNew();
        var part = (await ImageUpload.ReadAsync(request, options, 1, ct))[0];
        using var lease = recognizers.For(Bool(detect, "detect"), MinFace(minFace), Bool(align, "align"), Bool(tta, "tta"));
        using var image = ImageUpload.Decode(part.Bytes, options);
        double decoded = clock.Elapsed.TotalMilliseconds;
        ct.ThrowIfCancellationRequested();
        var result = lease.Recognizer.Predict(image, part.Name);
        var faces = result.Faces.Select(PredictionRecords.Of).ToList();
        return Results.Json(new PredictResponse(part.Name, result.Width, result.Height, faces, Times(clock, decoded), Ref(lease.Recognizer)));
    }

    private static async Task<IResult> PredictBatch(HttpRequest request, Recognizers recognizers, ServiceOptions options, CancellationToken ct,
        [FromQuery] string? detect, [FromQuery(Name = "min_face")] string? minFace, [FromQuery] string? align, [FromQuery] string? tta)
    {
        var clock = Stopwatch.StartNew();
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) != true)
            throw new RequestProblem(415, "a batch is multipart/form-data with one file field per image (curl -F image=@a.jpg -F image=@b.jpg).");
        var parts = await ImageUpload.ReadAsync(request, options, options.MaxBatchImages, ct);
        using var lease = recognizers.For(Bool(detect, "detect"), MinFace(minFace), Bool(align, "align"), Bool(tta, "tta"));
        var records = new List<ImageRecord>(parts.Count);
        double decodeMs = 0;
        foreach (var part in parts)
        {
            ct.ThrowIfCancellationRequested();
            var t = clock.Elapsed.TotalMilliseconds;
            Mat image;
            try { image = ImageUpload.Decode(part.Bytes, options); }
            catch (RequestProblem e) { records.Add(new ImageRecord(part.Name, 0, 0, e.Message, [])); continue; } // one bad image does not fail the rest
            decodeMs += clock.Elapsed.TotalMilliseconds - t;
            using (image) records.Add(PredictionRecords.Of(lease.Recognizer.Predict(image, part.Name)));
        }
        double total = clock.Elapsed.TotalMilliseconds;
        return Results.Json(new BatchResponse(records, new Timings(Math.Round(decodeMs, 2), Math.Round(total - decodeMs, 2), Math.Round(total, 2)), Ref(lease.Recognizer)));
    }

    private static async Task<IResult> Explain(HttpRequest request, Recognizers recognizers, ServiceOptions options, CancellationToken ct,
        [FromQuery] string? format, [FromQuery(Name = "class")] string? className,
        [FromQuery] string? detect, [FromQuery(Name = "min_face")] string? minFace, [FromQuery] string? align)
    {
        var clock = Stopwatch.StartNew();
        string fmt = (format ?? (request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase) ? "json" : "png")).ToLowerInvariant();
        if (fmt is not ("png" or "json")) throw new RequestProblem(400, $"format '{format}': use png or json.");
        var part = (await ImageUpload.ReadAsync(request, options, 1, ct))[0];
        using var lease = recognizers.For(Bool(detect, "detect"), MinFace(minFace), Bool(align, "align"), tta: null);
        var recognizer = lease.Recognizer;
        if (className is not null)
        {
            try { GradCam.ClassIndex(recognizer.Model, className); }
            catch (ArgumentException e) { throw new RequestProblem(400, e.Message); }
        }
        using var image = ImageUpload.Decode(part.Bytes, options);
        double decoded = clock.Elapsed.TotalMilliseconds;
        ct.ThrowIfCancellationRequested();
        var prediction = recognizer.Predict(image, part.Name);
        if (prediction.Faces.Count == 0) throw new RequestProblem(422, "no face found in the image (for a face crop, add ?detect=false).");
        var crops = recognizer.Crop(image, prediction.Faces.Select(f => f.Box).ToList());
        int area = recognizer.Model.InputSize * recognizer.Model.InputSize;
        var cams = prediction.Faces.Select((_, i) => GradCam.Compute(recognizer.Model, crops.AsSpan(i * area, area), className)).ToList();
        if (fmt == "json")
        {
            var faces = prediction.Faces.Select((f, i) =>
            {
                var r = PredictionRecords.Of(f);
                var cam = cams[i];
                return new ExplainedFace(r.Box, r.Found, r.Emotion, r.Confidence, r.Probabilities, cam.ClassName, cam.Probability, cam.Layer, cam.Size,
                    cam.Heatmap.Select(v => MathF.Round(v, 3)).ToArray());
            }).ToList();
            return Results.Json(new ExplainResponse(part.Name, prediction.Width, prediction.Height, faces, Times(clock, decoded), Ref(recognizer)));
        }
        // One overlay per face (the face, and the face under its heat map), stacked top to bottom.
        var overlays = cams.Select((cam, i) => GradCam.Overlay(crops.AsSpan(i * area, area), cam)).ToArray();
        try
        {
            using var stacked = new Mat();
            Cv2.VConcat(overlays, stacked);
            return Results.File(stacked.ImEncode(".png"), "image/png");
        }
        finally { foreach (var o in overlays) o.Dispose(); }
    }

    private static ModelInfo Info(EmotionRecognizer r, ServiceOptions o)
    {
        var m = r.Model.Metadata;
        var d = r.Options;
        return new ModelInfo(m.Spec.Name, m.MienVersion, m.CreatedUtc, r.ClassNames, r.Model.InputSize, r.Model.Precision?.ToString(), FileNamesOnly(m.TrainedOn),
            m.Metrics, d.Detector.Detector, new RequestDefaults(d.DetectFaces, d.Detector.MinFaceSize, d.AlignEyes, d.FlipAverage),
            new ServiceLimits(o.MaxUploadBytes, o.MaxPixels, o.MaxBatchImages, o.RequestTimeoutSeconds));
    }

    private static ModelRef Ref(EmotionRecognizer r) => new(r.Model.Metadata.Spec.Name, r.Model.Metadata.MienVersion, r.Model.Metadata.CreatedUtc);

    private static Timings Times(Stopwatch clock, double decoded)
    {
        double total = clock.Elapsed.TotalMilliseconds;
        return new Timings(Math.Round(decoded, 2), Math.Round(total - decoded, 2), Math.Round(total, 2));
    }

    // The training data's origin is recorded as given (often a path on the trainer's machine): the API names files only.
    private static string? FileNamesOnly(string? origin) => origin is null ? null : PathPrefix().Replace(origin, "");

    [GeneratedRegex(@"[^\s,;+]*[/\\]")]
    private static partial Regex PathPrefix();

    private static bool? Bool(string? value, string name) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new RequestProblem(400, $"{name}='{value}': use true or false."),
    };

    private static int? MinFace(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 8 || n > 4096)
            throw new RequestProblem(400, $"min_face='{value}': use a whole number of pixels from 8 to 4096.");
        return n;
    }
}
