using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Mien.Tests.Web;

/// <summary>The HTTP service hosted in-process with the bundled model.</summary>
[Collection("Web")] // one host at a time: WebApplicationFactory intercepts the next host that is built
public class WebServiceTests(WebServiceTests.Host host) : IClassFixture<WebServiceTests.Host>
{
    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>; // any public type of the service assembly locates its entry point

    internal static ByteArrayContent Image(string photo, string type = "application/octet-stream")
    {
        var content = new ByteArrayContent(File.ReadAllBytes(TestData.Shared("photos/" + photo)));
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    /// <summary>The status, and the problem details' detail (every error is RFC 7807 JSON with a reason).</summary>
    internal static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal((int)expected, doc.RootElement.GetProperty("status").GetInt32());
        string detail = doc.RootElement.GetProperty("detail").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain("   at ", body); // no stack trace
        return detail;
    }

    internal static async Task AssertHappy(HttpClient client, HttpContent content, string path = "/v1/predict")
    {
        var response = await client.PostAsync(path, content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var face = Assert.Single(doc.RootElement.GetProperty("faces").EnumerateArray());
        Assert.Equal("happy", face.GetProperty("emotion").GetString());
    }

    [Fact]
    public async Task Web_health_checks_and_model_info_leak_no_paths()
    {
        using var client = host.CreateClient();
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            var body = await client.GetStringAsync(path);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal("healthy", doc.RootElement.GetProperty("status").GetString());
            Assert.DoesNotContain("/", body.Replace("\\/", ""));
        }
        var model = await client.GetStringAsync("/v1/model");
        using var m = JsonDocument.Parse(model);
        Assert.Equal(7, m.RootElement.GetProperty("classes").GetArrayLength());
        Assert.Contains(m.RootElement.GetProperty("precision").GetString(), new[] { "Float32", "BFloat16" }); // compiled, not the live network
        var trainedOn = m.RootElement.GetProperty("trained_on").GetString()!;  // recorded as ../shared/data/ferplus.zip + ...
        Assert.StartsWith("ferplus.zip", trainedOn);
        Assert.DoesNotContain("/", trainedOn);
        Assert.True(m.RootElement.GetProperty("limits").TryGetProperty("max_body_bytes", out _)); // snake_case, as MienJson
    }

    [Fact]
    public async Task Web_predict_raw_body_has_schema_timings_and_model()
    {
        using var client = host.CreateClient();
        var response = await client.PostAsync("/v1/predict", Image("astronaut.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var face = Assert.Single(doc.RootElement.GetProperty("faces").EnumerateArray());
        Assert.Equal("happy", face.GetProperty("emotion").GetString());
        Assert.Equal("detected", face.GetProperty("found").GetString());
        Assert.Equal(7, face.GetProperty("probabilities").EnumerateObject().Count());
        Assert.True(doc.RootElement.GetProperty("timings").GetProperty("total_ms").GetDouble() > 0);
        Assert.Equal("vgg-small", doc.RootElement.GetProperty("model").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Web_form_urlencoded_image_bytes_work_as_curl_data_binary_sends_them()
    {
        using var client = host.CreateClient();
        await AssertHappy(client, Image("astronaut.png", "application/x-www-form-urlencoded"));
        await AssertHappy(client, Image("astronaut.png", "text/plain")); // content type is not trusted either way
    }

    [Fact]
    public async Task Web_multipart_json_base64_and_query_options()
    {
        using var client = host.CreateClient();
        using (var form = new MultipartFormDataContent { { Image("astronaut.png"), "image", "astronaut.png" } }) await AssertHappy(client, form);
        string b64 = Convert.ToBase64String(File.ReadAllBytes(TestData.Shared("photos/astronaut.png")));
        await AssertHappy(client, new StringContent(JsonSerializer.Serialize(new { image_base64 = b64 }), Encoding.UTF8, "application/json"));
        await AssertHappy(client, Image("astronaut.png"), "/v1/predict?tta=true&align=true&min_face=40");

        using var doc = JsonDocument.Parse(await (await client.PostAsync("/v1/predict?detect=false", Image("coffee.png"))).Content.ReadAsStringAsync());
        Assert.Equal("whole-image", Assert.Single(doc.RootElement.GetProperty("faces").EnumerateArray()).GetProperty("found").GetString());
        Assert.Contains("detect", await Problem(await client.PostAsync("/v1/predict?detect=maybe", Image("astronaut.png")), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Web_batch_answers_per_image_and_explain_gives_png_or_heatmaps()
    {
        using var client = host.CreateClient();
        using var form = new MultipartFormDataContent { { Image("astronaut.png"), "image", "astronaut.png" }, { Image("truncated.jpg"), "image", "truncated.jpg" } };
        using var batch = JsonDocument.Parse(await (await client.PostAsync("/v1/predict/batch", form)).Content.ReadAsStringAsync());
        var images = batch.RootElement.GetProperty("images");
        Assert.Equal(2, images.GetArrayLength());
        Assert.Equal("happy", images[0].GetProperty("faces")[0].GetProperty("emotion").GetString());
        Assert.Contains("truncated", images[1].GetProperty("error").GetString());

        var png = await client.PostAsync("/v1/explain", Image("astronaut.png"));
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        using var overlay = OpenCvSharp.Cv2.ImDecode(await png.Content.ReadAsByteArrayAsync(), OpenCvSharp.ImreadModes.Color);
        Assert.False(overlay.Empty());
        using var json = JsonDocument.Parse(await (await client.PostAsync("/v1/explain?format=json", Image("astronaut.png"))).Content.ReadAsStringAsync());
        var face = Assert.Single(json.RootElement.GetProperty("faces").EnumerateArray());
        Assert.Equal(48 * 48, face.GetProperty("heatmap").GetArrayLength());
        Assert.Equal("happy", face.GetProperty("explained_class").GetString());
        Assert.Contains("no face", await Problem(await client.PostAsync("/v1/explain", Image("coffee.png")), HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Web_bad_requests_get_the_right_4xx_with_a_reason_and_the_service_keeps_serving()
    {
        using var client = host.CreateClient();
        Assert.Contains("no image", await Problem(await client.PostAsync("/v1/predict", new ByteArrayContent([])), HttpStatusCode.BadRequest));
        Assert.Contains("truncated", await Problem(await client.PostAsync("/v1/predict", Image("truncated.jpg")), HttpStatusCode.BadRequest));
        Assert.Contains("20000x20000", await Problem(await client.PostAsync("/v1/predict", new ByteArrayContent(PngHeader(20000, 20000))), HttpStatusCode.RequestEntityTooLarge));
        Assert.Contains("not an image", await Problem(await client.PostAsync("/v1/predict", new StringContent("hello, this is a text file\n")), HttpStatusCode.UnsupportedMediaType));
        Assert.Contains("image_base64", await Problem(await client.PostAsync("/v1/predict", new StringContent("{\"image\": 1}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest));
        Assert.Contains("GET", await Problem(await client.GetAsync("/v1/predict"), HttpStatusCode.MethodNotAllowed));
        await Problem(await client.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound);
        await Problem(await client.PostAsync("/v1/predict/batch", Image("astronaut.png")), HttpStatusCode.UnsupportedMediaType);
        await AssertHappy(client, Image("astronaut.png")); // still serving
    }

    [Fact]
    public async Task Web_openapi_document_lists_the_v1_endpoints()
    {
        using var client = host.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths");
        foreach (var p in new[] { "/v1/predict", "/v1/predict/batch", "/v1/explain", "/v1/model" }) Assert.True(paths.TryGetProperty(p, out _), p);
    }

    [Fact]
    public async Task Web_cors_is_off_by_default()
    {
        using var client = host.CreateClient();
        using var answer = await client.SendAsync(CorsWebServiceTests.Predict("https://example.com", key: null));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode); // served (a browser would hide it from the other site's page)
        Assert.Null(CorsWebServiceTests.AllowOrigin(answer));
        using var preflight = await client.SendAsync(CorsWebServiceTests.Preflight("https://example.com"));
        Assert.Contains("OPTIONS", await Problem(preflight, HttpStatusCode.MethodNotAllowed)); // no CORS middleware: OPTIONS is just a wrong method
        Assert.Null(CorsWebServiceTests.AllowOrigin(preflight));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Methods"));
    }

    /// <summary>A PNG signature and IHDR announcing a huge image, with no pixel data: must be refused on the header alone.</summary>
    internal static byte[] PngHeader(int width, int height)
    {
        var b = new byte[33];
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(b, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(20), height);
        b[24] = 8; b[25] = 2; // 8-bit RGB
        return b;
    }
}

/// <summary>The service with an API key and a small body limit (configuration, as Mien__ApiKey would set it).</summary>
[Collection("Web")]
public class WebServiceLimitTests(WebServiceLimitTests.Host host) : IClassFixture<WebServiceLimitTests.Host>
{
    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Mien:ApiKey", "s3cret");
            builder.UseSetting("Mien:MaxUploadBytes", "1000000"); // astronaut.png is 0.5 MB
        }
    }

    [Fact]
    public async Task Web_missing_or_wrong_api_key_gets_401_and_the_right_one_works()
    {
        using var client = host.CreateClient();
        Assert.Contains("X-Api-Key", await WebServiceTests.Problem(await client.PostAsync("/v1/predict", WebServiceTests.Image("astronaut.png")), HttpStatusCode.Unauthorized));
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        Assert.Contains("wrong", await WebServiceTests.Problem(await client.GetAsync("/v1/model"), HttpStatusCode.Unauthorized));
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode); // health stays open for probes
        client.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        await WebServiceTests.AssertHappy(client, WebServiceTests.Image("astronaut.png"));
    }

    [Fact]
    public async Task Web_oversized_body_gets_413()
    {
        using var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        Assert.Contains("1,000,000-byte limit", await WebServiceTests.Problem(await client.PostAsync("/v1/predict", new ByteArrayContent(new byte[1_500_000])), HttpStatusCode.RequestEntityTooLarge));
        await WebServiceTests.AssertHappy(client, WebServiceTests.Image("astronaut.png"));
    }
}
