using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Mien.Tests.Web;

/// <summary>
/// A request body that keeps the handler busy: the first part is sent and read, the rest waits for <see cref="Release"/>.
/// The test server's request pipe pauses its writer past 64 KB, so <see cref="HandlerReading"/> completes only once the
/// handler has read most of the first 256 KB, that is once the request holds its inference slot (the body is read
/// after the rate limiter only). No timing is involved.
/// </summary>
internal sealed class HeldBody(byte[] bytes, int firstPart = 256 << 10) : HttpContent
{
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Longest wait for anything in these tests: a guard against a hang, not a timing assertion.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>A client that streams request bodies: the default one follows redirects and so buffers every body first.</summary>
    public static HttpClient Client<T>(WebApplicationFactory<T> host) where T : class => host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public static HeldBody Of(string photo) => new(File.ReadAllBytes(TestData.Shared("photos/" + photo)));

    public Task HandlerReading => _reading.Task;

    /// <summary>Sends the rest of the body (or, with <paramref name="sendRest"/> false, stops: the server has answered).</summary>
    public void Release(bool sendRest = true) => _release.TrySetResult(sendRest);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        Assert.True(bytes.Length > firstPart, "the held body needs more bytes than its first part");
        await stream.WriteAsync(bytes.AsMemory(0, firstPart));
        await stream.FlushAsync();
        _reading.TrySetResult();
        if (await _release.Task) await stream.WriteAsync(bytes.AsMemory(firstPart));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}

/// <summary>One inference slot and a queue of one: holding the slot saturates the service deterministically.</summary>
[Collection("Web")]
public class SaturationWebServiceTests(SaturationWebServiceTests.Host host) : IClassFixture<SaturationWebServiceTests.Host>
{
    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Mien:MaxConcurrency", "1");
            builder.UseSetting("Mien:QueueLength", "1");
        }
    }

    [Fact]
    public async Task Web_saturated_service_refuses_with_503_retry_after_and_problem_details_then_recovers()
    {
        using var client = HeldBody.Client(host);
        var holder = HeldBody.Of("astronaut.png");
        var held = client.PostAsync("/v1/predict", holder);
        await holder.HandlerReading.WaitAsync(HeldBody.Guard); // the only slot is taken

        // Four more at once: one waits in the queue, three are refused straight away (on every endpoint that infers).
        var sent = new List<Task<HttpResponseMessage>>
        {
            client.PostAsync("/v1/predict", WebServiceTests.Image("astronaut.png")),
            client.PostAsync("/v1/predict", WebServiceTests.Image("astronaut.png")),
            client.PostAsync("/v1/explain", WebServiceTests.Image("astronaut.png")),
            client.PostAsync("/v1/predict/batch", new MultipartFormDataContent { { WebServiceTests.Image("astronaut.png"), "image", "astronaut.png" } }),
        };
        var pending = sent.ToList();
        for (int refused = 0; refused < 3; refused++)
        {
            var done = await Task.WhenAny(pending).WaitAsync(HeldBody.Guard);
            pending.Remove(done);
            var response = await done;
            string detail = await WebServiceTests.Problem(response, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("busy", detail);
            Assert.Contains("retry after 1 s", detail);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }
        var queued = Assert.Single(pending);
        Assert.False(queued.IsCompleted, "the queued request cannot be answered while the only slot is held");
        Assert.False(held.IsCompleted);

        // What does not infer is not limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/model")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        holder.Release();
        var first = await held.WaitAsync(HeldBody.Guard);
        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var last = await queued.WaitAsync(HeldBody.Guard); // the queued one is served, not dropped
        Assert.True(last.StatusCode == HttpStatusCode.OK, await last.Content.ReadAsStringAsync());
        await WebServiceTests.AssertHappy(client, WebServiceTests.Image("astronaut.png"));
    }
}

/// <summary>
/// A request timeout of 0.5 s. Requests marked X-Test-Wait also pass a limiter whose only permit the test holds, so they
/// wait for a permit until their timeout: the service's own queue cannot show that deterministically (its requests
/// are served oldest first and all have the same timeout, so a queued one only times out behind inference that
/// overruns, which is a matter of timing).
/// </summary>
[Collection("Web")]
public class TimeoutWebServiceTests(TimeoutWebServiceTests.Host host) : IClassFixture<TimeoutWebServiceTests.Host>
{
    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>
    {
        private readonly ConcurrencyLimiter _gate = new(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 8 });
        private readonly RateLimitLease _taken;

        public Host() => _taken = _gate.AttemptAcquire();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Mien:RequestTimeoutSeconds", "0.5");
            builder.ConfigureServices(s => s.Configure<RateLimiterOptions>(o => o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
                ctx.Request.Headers.ContainsKey("X-Test-Wait") ? RateLimitPartition.Get("wait", _ => _gate) : RateLimitPartition.GetNoLimiter("free"))));
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) { _taken.Dispose(); _gate.Dispose(); }
        }
    }

    [Fact]
    public async Task Web_request_slower_than_the_timeout_gets_504_problem_details_and_the_service_keeps_serving()
    {
        using var client = HeldBody.Client(host);
        var holder = HeldBody.Of("astronaut.png"); // the upload never finishes: the handler waits for it past the timeout
        try
        {
            var response = await client.PostAsync("/v1/predict", holder).WaitAsync(HeldBody.Guard);
            Assert.Contains("longer than 0.5 s", await WebServiceTests.Problem(response, HttpStatusCode.GatewayTimeout));
        }
        finally { holder.Release(sendRest: false); }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/model")).StatusCode);
    }

    [Fact]
    public async Task Web_request_timing_out_while_waiting_for_a_slot_gets_504_not_an_empty_answer()
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = WebServiceTests.Image("astronaut.png") };
        request.Headers.Add("X-Test-Wait", "1");
        var response = await client.SendAsync(request).WaitAsync(HeldBody.Guard);
        Assert.Contains("longer than 0.5 s", await WebServiceTests.Problem(response, HttpStatusCode.GatewayTimeout));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}

/// <summary>CORS on for one origin, with an API key (a browser's preflight carries no key).</summary>
[Collection("Web")]
public class CorsWebServiceTests(CorsWebServiceTests.Host host) : IClassFixture<CorsWebServiceTests.Host>
{
    public const string Allowed = "https://allowed.example";

    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Mien:CorsOrigins:0", Allowed); // as Mien__CorsOrigins__0 or --cors would set it
            builder.UseSetting("Mien:ApiKey", "s3cret");
        }
    }

    internal static HttpRequestMessage Preflight(string origin, string path = "/v1/predict")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
        return request;
    }

    internal static HttpRequestMessage Predict(string origin, string? key = "s3cret")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = WebServiceTests.Image("astronaut.png") };
        request.Headers.Add("Origin", origin);
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        return request;
    }

    internal static string? AllowOrigin(HttpResponseMessage r) => r.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? string.Join(",", v) : null;

    [Fact]
    public async Task Web_cors_allows_the_configured_origin_on_preflight_and_requests_and_no_other()
    {
        using var client = host.CreateClient();
        using (var preflight = await client.SendAsync(Preflight(Allowed)))
        {
            Assert.True(preflight.IsSuccessStatusCode, $"preflight: {(int)preflight.StatusCode}");
            Assert.Equal(Allowed, AllowOrigin(preflight));
            Assert.Contains("POST", string.Join(",", preflight.Headers.GetValues("Access-Control-Allow-Methods")));
            string allowedHeaders = string.Join(",", preflight.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
            Assert.Contains("x-api-key", allowedHeaders);
            Assert.Contains("content-type", allowedHeaders);
        }
        using (var answer = await client.SendAsync(Predict(Allowed)))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(Allowed, AllowOrigin(answer));
        }
        using (var refused = await client.SendAsync(Predict(Allowed, key: null))) // the page can read why it was refused
        {
            await WebServiceTests.Problem(refused, HttpStatusCode.Unauthorized);
            Assert.Equal(Allowed, AllowOrigin(refused));
        }

        foreach (var other in new[] { "https://example.com", "http://allowed.example", "https://allowed.example.evil.com" })
        {
            using var preflight = await client.SendAsync(Preflight(other));
            Assert.Null(AllowOrigin(preflight));
            Assert.False(preflight.Headers.Contains("Access-Control-Allow-Methods"), other);
            using var answer = await client.SendAsync(Predict(other));
            Assert.Null(AllowOrigin(answer));
        }
    }
}
