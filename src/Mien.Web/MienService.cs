using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Mien.Inference;

namespace Mien.Web;

/// <summary>
/// Builds the HTTP service: API v1, health checks, the OpenAPI document, the web page, and the limits (body size,
/// pixels, concurrency with a queue, request timeout, optional API key). Used by <c>mien serve</c> and by Mien.Web's
/// own entry point; the model is loaded here, at start-up, so a bad model fails before the first request.
/// </summary>
public static class MienService
{
    /// <summary>Where the service listens unless told otherwise: this machine only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>
    /// The service, built and ready to run. Settings come from configuration (section "Mien", Mien__* variables,
    /// <paramref name="args"/>), then <paramref name="configure"/>; <paramref name="recognizer"/> (owned by the
    /// service from then on) replaces loading the model named there.
    /// </summary>
    public static WebApplication Build(string[] args, Func<ServiceOptions, ServiceOptions>? configure = null, EmotionRecognizer? recognizer = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.Configuration.GetSection("Mien").Get<ServiceOptions>() ?? new ServiceOptions();
        if (configure is not null) options = configure(options);
        Check(options);
        if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null) builder.WebHost.UseUrls(DefaultUrls);
        recognizer ??= options.ModelPath is { } path
            ? EmotionRecognizer.Load(path, new RecognizerOptions { Precision = options.Precision })
            : EmotionRecognizer.LoadDefault(new RecognizerOptions { Precision = options.Precision });

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxUploadBytes; // the same limit as the handlers', so raising it works
            k.AddServerHeader = false;
        });
        var s = builder.Services;
        s.AddSingleton(options);
        s.AddSingleton(_ => new Recognizers(recognizer));
        s.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower; // one style: MienJson's and PredictionRecords'
            j.SerializerOptions.DictionaryKeyPolicy = null;
            j.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        s.AddProblemDetails();
        s.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Mien facial emotion recognition API";
            doc.Info.Description = "Faces, emotions and Grad-CAM maps from images. Errors are RFC 7807 problem details.";
            return Task.CompletedTask;
        }));
        s.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: ["ready"]);
        s.AddRequestTimeouts(t => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds), TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = ctx => Problems.Write(ctx, 504, $"the request took longer than {options.RequestTimeoutSeconds:0.#} s."),
        });
        int permits = options.MaxConcurrency ?? Environment.ProcessorCount;
        s.AddRateLimiter(r =>
        {
            r.AddConcurrencyLimiter(MienEndpoints.InferencePolicy, c =>
            {
                c.PermitLimit = permits;
                c.QueueLimit = options.QueueLength;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            r.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            r.OnRejected = (ctx, _) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(Problems.Write(ctx.HttpContext, 503, $"the service is busy ({permits} requests running, {options.QueueLength} waiting): retry after 1 s."));
            };
        });
        if (options.CorsOrigins.Length > 0)
            s.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins(options.CorsOrigins).WithMethods("GET", "POST").WithHeaders("Content-Type", "X-Api-Key")));

        var app = builder.Build();
        app.Use(Problems.Middleware);
        app.UseStatusCodePages(ctx => ctx.HttpContext.Response.StatusCode switch // 404 and 405 get problem details too, not an empty body
        {
            404 => Problems.Write(ctx.HttpContext, 404, $"no endpoint at {ctx.HttpContext.Request.Path} (see /openapi/v1.json)."),
            405 => Problems.Write(ctx.HttpContext, 405, $"{ctx.HttpContext.Request.Method} is not allowed here; use {ctx.HttpContext.Response.Headers.Allow}."),
            int status => Problems.Write(ctx.HttpContext, status, ReasonPhrases.GetReasonPhrase(status) + "."),
        });
        if (options.CorsOrigins.Length > 0) app.UseCors();
        var page = new EmbeddedFileProvider(typeof(MienService).Assembly, "Mien.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page, OnPrepareResponse = f => f.Context.Response.Headers.XContentTypeOptions = "nosniff" });
        app.UseRequestTimeouts();
        // A request whose timeout fires while it waits in the queue is ended by the rate limiter without an answer or an
        // exception, so the timeout middleware wrote no 504 and the client got an empty 200: throw so that it does.
        app.Use(async (ctx, next) =>
        {
            await next(ctx);
            if (!ctx.Response.HasStarted) ctx.RequestAborted.ThrowIfCancellationRequested();
        });
        if (options.ApiKey is { Length: > 0 } key) app.Use(RequireApiKey(key));
        app.UseRateLimiter();
        app.UseWebSockets(); // /v1/track
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        app.MapOpenApi(); // /openapi/v1.json
        app.MapMienEndpoints();
        app.MapTrackSocket();
        return app;
    }

    private static void Check(ServiceOptions o)
    {
        if (o.MaxUploadBytes < 1) throw new RequestProblem(400, $"the body size limit must be positive (got {o.MaxUploadBytes}).");
        if (o.MaxPixels < 1) throw new RequestProblem(400, $"the pixel limit must be positive (got {o.MaxPixels}).");
        if (o.MaxConcurrency is < 1) throw new RequestProblem(400, $"the concurrency must be at least 1 (got {o.MaxConcurrency}).");
        if (o.QueueLength < 0) throw new RequestProblem(400, $"the queue length cannot be negative (got {o.QueueLength}).");
        if (o.MaxBatchImages < 1) throw new RequestProblem(400, $"the batch size limit must be at least 1 (got {o.MaxBatchImages}).");
        if (!(o.RequestTimeoutSeconds > 0)) throw new RequestProblem(400, $"the request timeout must be positive (got {o.RequestTimeoutSeconds}).");
    }

    // The page, the health checks and the OpenAPI document stay open; only the API (/v1) needs the key.
    private static Func<HttpContext, RequestDelegate, Task> RequireApiKey(string key)
    {
        byte[] expected = Encoding.UTF8.GetBytes(key);
        return (ctx, next) =>
        {
            if (!ctx.Request.Path.StartsWithSegments("/v1")) return next(ctx);
            byte[] given = Encoding.UTF8.GetBytes(ctx.Request.Headers["X-Api-Key"].ToString());
            if (CryptographicOperations.FixedTimeEquals(given, expected)) return next(ctx);
            return Problems.Write(ctx, 401, ctx.Request.Headers.ContainsKey("X-Api-Key") ? "the X-Api-Key header is wrong." : "this service needs an API key: send it in the X-Api-Key header.");
        };
    }

    private static Task WriteHealth(HttpContext ctx, HealthReport report)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        });
    }
}
