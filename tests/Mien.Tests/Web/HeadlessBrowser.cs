using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mien.Tests.Web;

/// <summary>
/// Headless Chromium driven over the DevTools protocol (a WebSocket, no extra package): navigate, pick a file in an
/// &lt;input type=file&gt;, evaluate JavaScript, take screenshots. Fails (never skips) without Chromium, as the report test.
/// </summary>
internal sealed partial class HeadlessBrowser : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly TempDir _profile;
    private int _nextId;

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex Listening();

    private HeadlessBrowser(Process process, TempDir profile) { _process = process; _profile = profile; }

    public static async Task<HeadlessBrowser> StartAsync(params string[] extraArgs)
    {
        string? browser = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, n)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Assert.True(browser is not null, "Headless Chromium is needed for the web page tests: install the Debian package 'chromium' (apt-get install -y chromium).");
        var profile = TestData.NewTempDir();
        var psi = new ProcessStartInfo(browser!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*", $"--user-data-dir={profile["profile"]}",
                     "--window-size=1280,860",
                 }.Concat(extraArgs).Append("about:blank"))
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        var browserInstance = new HeadlessBrowser(p, profile);
        string? ws = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ws is null && DateTime.UtcNow < deadline)
        {
            var line = await p.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null) break;
            if (Listening().Match(line) is { Success: true } m) ws = m.Groups[1].Value;
        }
        _ = p.StandardError.ReadToEndAsync();
        Assert.True(ws is not null, "Chromium did not open its DevTools port.");
        // The browser endpoint's port serves the list of pages; drive the first page.
        var port = new Uri(ws!).Port;
        using var http = new HttpClient();
        var pages = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = pages.First(t => (string?)t!["type"] == "page")!;
        await browserInstance._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        await browserInstance.SendAsync("Page.enable");
        await browserInstance.SendAsync("Runtime.enable");
        return browserInstance;
    }

    public async Task<JsonNode?> SendAsync(string method, object? parameters = null)
    {
        int id = ++_nextId;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var ms = new MemoryStream();
            WebSocketReceiveResult r;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            do { r = await _socket.ReceiveAsync(buffer, cts.Token); ms.Write(buffer, 0, r.Count); } while (!r.EndOfMessage);
            var node = JsonNode.Parse(Encoding.UTF8.GetString(ms.ToArray()))!;
            if ((int?)node["id"] != id) continue; // an event
            if (node["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return node["result"];
        }
    }

    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new { url });
        await WaitForAsync("document.readyState === 'complete' && !!document.querySelector('#file')", TimeSpan.FromSeconds(30));
    }

    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var r = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (r?["exceptionDetails"] is { } ex) throw new InvalidOperationException($"JavaScript failed: {ex.ToJsonString()}");
        return r?["result"]?["value"];
    }

    /// <summary>Polls a JavaScript expression until it is truthy; fails with <paramref name="describe"/>'s value.</summary>
    public async Task WaitForAsync(string expression, TimeSpan timeout, string? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await EvaluateAsync($"!!({expression})") is JsonValue v && v.GetValue<bool>()) return;
            await Task.Delay(250);
        }
        var state = describe is null ? "" : (await EvaluateAsync(describe))?.ToString();
        Assert.Fail($"The page never reached '{expression}' within {timeout.TotalSeconds:0} s. {state}");
    }

    public async Task SetFileAsync(string selector, string path)
    {
        var root = await SendAsync("DOM.getDocument", new { depth = 0 });
        var node = await SendAsync("DOM.querySelector", new { nodeId = (int)root!["root"]!["nodeId"]!, selector });
        await SendAsync("DOM.setFileInputFiles", new { files = new[] { Path.GetFullPath(path) }, nodeId = (int)node!["nodeId"]! });
    }

    public async Task<byte[]> ScreenshotAsync() => Convert.FromBase64String((string)(await SendAsync("Page.captureScreenshot", new { format = "png" }))!["data"]!);

    public async ValueTask DisposeAsync()
    {
        try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _profile.Dispose();
    }
}
