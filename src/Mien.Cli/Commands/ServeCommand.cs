using System.CommandLine;
using Mien.Web;

namespace Mien.Cli.Commands;

/// <summary><c>mien serve</c>: the HTTP service and its web page (Mien.Web), with predict's recognizer options.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (';'-separated); 0.0.0.0 to accept other machines.", DefaultValueFactory = _ => MienService.DefaultUrls, HelpName = "url" };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this key in the X-Api-Key header of every /v1 request (or set Mien__ApiKey)." };
        var maxBody = new Option<double?>("--max-body") { Description = "Largest request body, in MB (default 20).", HelpName = "MB" };
        var maxPixels = new Option<double?>("--max-pixels") { Description = "Largest image, in megapixels, checked before decoding (default 50).", HelpName = "MP" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Requests running inference at once (default: the CPU cores)." };
        var queue = new Option<int?>("--queue") { Description = "Requests waiting for a slot before 503 + Retry-After (default 16)." };
        var timeout = new Option<double?>("--timeout") { Description = "Longest request, in seconds, waiting included (default 30).", HelpName = "seconds" };
        var cors = new Option<string[]>("--cors") { Description = "Allow pages of these origins to call the API (default: CORS off).", HelpName = "origin", AllowMultipleArgumentsPerToken = true };
        var rec = new RecognizerArguments();
        var cmd = new Command("serve", "Serve the recognizer over HTTP: API v1 (/v1/predict, /v1/explain, /v1/predict/batch, /v1/model), health checks, OpenAPI, and a web page with photo and webcam modes.");
        rec.AddTo(cmd);
        foreach (var o in new Option[] { urls, apiKey, maxBody, maxPixels, concurrency, queue, timeout, cors }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliErrors.Run(async c =>
        {
            using var recognizer = rec.Load(r); // at start-up: a bad --model fails here, in one line
            var app = MienService.Build(["--urls", r.GetValue(urls)!], o => o with
            {
                ApiKey = r.GetValue(apiKey) ?? o.ApiKey,
                MaxUploadBytes = r.GetValue(maxBody) is { } mb ? (long)(mb * (1 << 20)) : o.MaxUploadBytes,
                MaxPixels = r.GetValue(maxPixels) is { } mp ? (long)(mp * 1e6) : o.MaxPixels,
                MaxConcurrency = r.GetValue(concurrency) ?? o.MaxConcurrency,
                QueueLength = r.GetValue(queue) ?? o.QueueLength,
                RequestTimeoutSeconds = r.GetValue(timeout) ?? o.RequestTimeoutSeconds,
                CorsOrigins = r.GetValue(cors) is { Length: > 0 } origins ? origins : o.CorsOrigins,
            }, recognizer.WithOptions(recognizer.Options));
            await using (app)
            {
                try { await app.StartAsync(c); }
                catch (IOException e) { throw new IOException($"cannot listen on {r.GetValue(urls)}: {e.Message}", e); } // e.g. the port is taken
                Console.Error.WriteLine($"mien serve: {recognizer.Model.Metadata.Spec.Name} on {string.Join(", ", app.Urls)} (Ctrl+C stops)");
                try { await Task.Delay(Timeout.Infinite, c); }
                catch (OperationCanceledException) { }
                await app.StopAsync(CancellationToken.None);
            }
            return 0;
        }, ct));
        return cmd;
    }
}
