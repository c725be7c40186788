using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Mien.Tests.Web;

/// <summary>The HTTP service hosted in-process with the bundled model.</summary>
public class WebServiceTests(WebServiceTests.Host host) : IClassFixture<WebServiceTests.Host>
{
    public sealed class Host : WebApplicationFactory<Mien.Web.ServiceOptions>; // any public type of the service assembly locates its entry point

    private static ByteArrayContent Image(string photo)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(TestData.Shared("photos/" + photo)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    [Fact]
    public async Task Health_reports_the_model()
    {
        using var client = host.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/health"));
        Assert.Equal("ok", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(7, doc.RootElement.GetProperty("classes").GetArrayLength());
        Assert.Contains(doc.RootElement.GetProperty("precision").GetString(), new[] { "Float32", "BFloat16" }); // compiled, not the live network
    }

    [Fact]
    public async Task Predict_raw_body_finds_the_happy_astronaut()
    {
        using var client = host.CreateClient();
        var response = await client.PostAsync("/predict", Image("astronaut.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var faces = doc.RootElement.GetProperty("faces");
        Assert.Equal(1, faces.GetArrayLength());
        Assert.Equal("happy", faces[0].GetProperty("emotion").GetString());
        Assert.Equal("detected", faces[0].GetProperty("found").GetString());
    }

    [Fact]
    public async Task Predict_multipart_and_no_detect()
    {
        using var client = host.CreateClient();
        using var form = new MultipartFormDataContent { { Image("coffee.png"), "image", "coffee.png" } };
        using var doc = JsonDocument.Parse(await (await client.PostAsync("/predict", form)).Content.ReadAsStringAsync());
        Assert.Equal(0, doc.RootElement.GetProperty("faces").GetArrayLength());

        using var doc2 = JsonDocument.Parse(await (await client.PostAsync("/predict?detect=false", Image("coffee.png"))).Content.ReadAsStringAsync());
        Assert.Equal(1, doc2.RootElement.GetProperty("faces").GetArrayLength());
        Assert.Equal("whole-image", doc2.RootElement.GetProperty("faces")[0].GetProperty("found").GetString());
    }

    [Fact]
    public async Task A_tight_face_crop_is_found_and_says_how()
    {
        var crops = Mien.Tests.Inference.TightCrops.CkPlus("happy", 1);
        byte[] png;
        try { png = crops[0].ImEncode(".png"); }
        finally { Mien.Tests.Inference.TightCrops.DisposeAll(crops); }
        using var client = host.CreateClient();
        using var content = new ByteArrayContent(png);
        using var doc = JsonDocument.Parse(await (await client.PostAsync("/predict", content)).Content.ReadAsStringAsync());
        var face = Assert.Single(doc.RootElement.GetProperty("faces").EnumerateArray());
        Assert.Contains(face.GetProperty("found").GetString(), new[] { "padded", "whole-image" });
    }

    [Fact]
    public async Task Bad_images_get_400_with_the_reason()
    {
        using var client = host.CreateClient();
        var truncated = await client.PostAsync("/predict", Image("truncated.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Contains("truncated", await truncated.Content.ReadAsStringAsync());
        var empty = await client.PostAsync("/predict", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        // The service keeps working after bad input.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/predict", Image("astronaut.png"))).StatusCode);
    }
}
