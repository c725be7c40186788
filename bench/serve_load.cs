// Load test of `mien serve`: C concurrent clients POST one image for D seconds; prints requests/s, p50/p99 latency,
// errors by status, and, when given the server's pid, its RSS sampled every 5 s (flat = no leak) and its peak (VmHWM).
// dotnet run bench/serve_load.cs -- <url> <image> <seconds> <clients> [server-pid]
using System.Diagnostics;
using System.Net.Http.Headers;

string url = args[0].TrimEnd('/') + "/v1/predict";
byte[] image = File.ReadAllBytes(args[1]);
double seconds = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int clients = int.Parse(args[3]);
string? pid = args.Length > 4 ? args[4] : null;
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var latencies = new List<double>();
var statuses = new Dictionary<string, int>();
var clock = Stopwatch.StartNew();
async Task Client()
{
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var t = Stopwatch.StartNew();
        string key;
        try { using var r = await http.PostAsync(url, content); await r.Content.ReadAsByteArrayAsync(); key = ((int)r.StatusCode).ToString(); }
        catch (Exception e) { key = e.GetType().Name; }
        lock (latencies) { if (key == "200") latencies.Add(t.Elapsed.TotalMilliseconds); statuses[key] = statuses.GetValueOrDefault(key) + 1; }
    }
}
long Kb(string field) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field)).Split(':')[1].Trim().Split(' ')[0]);
var samples = new List<long>();
async Task Sampler()
{
    while (pid is not null && clock.Elapsed.TotalSeconds < seconds) { samples.Add(Kb("VmRSS") / 1024); await Task.Delay(5000); }
}
await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)).Append(Sampler()));
double elapsed = clock.Elapsed.TotalSeconds;
latencies.Sort();
double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
string rss = pid is null ? "n/a" : $"{Kb("VmHWM") / 1024} MB; RSS every 5 s (MB): {string.Join(" ", samples)}";
Console.WriteLine($"{clients} clients, {elapsed:F1} s: {latencies.Count / elapsed:F1} ok requests/s, p50 {P(0.5):F0} ms, p99 {P(0.99):F0} ms, " +
                  $"statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}, server peak RSS {rss}");
