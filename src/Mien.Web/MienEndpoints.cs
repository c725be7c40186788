using Mien.Data;
using Mien.Inference;
using OpenCvSharp;

namespace Mien.Web;

/// <summary>
/// The HTTP front end: <c>POST /predict</c> (an image as the body or as a multipart "image" field) returns every
/// face with its emotion probabilities; <c>GET /health</c> reports the model. One thread-safe
/// <see cref="EmotionRecognizer"/> serves all requests.
/// </summary>
public static class MienEndpoints
{
    public static IServiceCollection AddMienRecognition(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Mien").Get<ServiceOptions>() ?? new ServiceOptions();
        services.AddSingleton(options);
        var recognizerOptions = new RecognizerOptions { Precision = options.Precision };
        services.AddSingleton(_ => options.ModelPath is { } path ? EmotionRecognizer.Load(path, recognizerOptions) : EmotionRecognizer.LoadDefault(recognizerOptions));
        return services;
    }

    public static void MapMienEndpoints(this WebApplication app)
    {
        app.MapGet("/health", (EmotionRecognizer r) => Results.Ok(new
        {
            status = "ok", model = r.Model.Metadata.Spec.Name, classes = r.ClassNames, inputSize = r.Model.InputSize, precision = r.Model.Precision?.ToString(),
            trainedOn = r.Model.Metadata.TrainedOn, metrics = r.Model.Metadata.Metrics,
        }));

        app.MapPost("/predict", async (HttpRequest request, EmotionRecognizer recognizer, ServiceOptions options, CancellationToken ct) =>
        {
            byte[] bytes;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault();
                if (file is null) return Problem("multipart body has no file field named 'image'.");
                if (file.Length > options.MaxUploadBytes) return Results.Problem($"image is {file.Length:N0} bytes, over the {options.MaxUploadBytes:N0}-byte limit.", statusCode: 413);
                using var ms = new MemoryStream();
                await file.CopyToAsync(ms, ct);
                bytes = ms.ToArray();
            }
            else
            {
                if (request.ContentLength > options.MaxUploadBytes) return Results.Problem($"body is over the {options.MaxUploadBytes:N0}-byte limit.", statusCode: 413);
                using var ms = new MemoryStream();
                await request.Body.CopyToAsync(ms, ct);
                if (ms.Length > options.MaxUploadBytes) return Results.Problem($"body is over the {options.MaxUploadBytes:N0}-byte limit.", statusCode: 413);
                bytes = ms.ToArray();
            }
            if (bytes.Length == 0) return Problem("the request has no image (send the image bytes as the body, or a multipart field 'image').");

            bool detect = !string.Equals(request.Query["detect"], "false", StringComparison.OrdinalIgnoreCase);
            Mat image;
            try { image = ImageDecoder.DecodeColor(bytes); }
            catch (InvalidDataException e) { return Problem($"the image cannot be read: {e.Message}"); }
            using (image)
            {
                var result = detect ? recognizer.Predict(image, "upload") : recognizer.PredictWholeImage(image, "upload");
                var record = PredictionRecords.Of(result);
                return Results.Json(new { record.Width, record.Height, record.Faces }, PredictionRecords.Options);
            }
        }).DisableAntiforgery();

        app.MapGet("/", () => Results.Content(IndexPage, "text/html"));
    }

    private static IResult Problem(string detail) => Results.Problem(detail, statusCode: 400);

    private const string IndexPage = """
        <!doctype html><meta charset="utf-8"><title>Mien</title>
        <h1>Mien</h1><p>POST an image to <code>/predict</code> (raw body or multipart field <code>image</code>); <code>?detect=false</code> for an already-cropped face.</p>
        <form method="post" action="/predict" enctype="multipart/form-data"><input type="file" name="image" accept="image/*"> <button>Predict</button></form>
        """;
}
