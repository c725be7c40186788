using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Mien.Tests.Web;

/// <summary>
/// The service on real Kestrel (as <c>mien serve</c> runs it): the body limit set from the same option, and the web
/// page in headless Chromium, photo and webcam modes. Screenshots go to $MIEN_SCREENSHOTS when set (docs/images).
/// </summary>
[Collection("Web")]
public class WebPageTests
{
    private static async Task<(WebApplication App, string Url)> StartAsync(Func<Mien.Web.ServiceOptions, Mien.Web.ServiceOptions>? configure = null)
    {
        var app = Mien.Web.MienService.Build(["--urls", "http://127.0.0.1:0"], configure);
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, url);
    }

    private static void Keep(byte[] png, string name)
    {
        using var shot = Cv2.ImDecode(png, ImreadModes.Color);
        Assert.False(shot.Empty());
        if (Environment.GetEnvironmentVariable("MIEN_SCREENSHOTS") is { Length: > 0 } dir) File.WriteAllBytes(Path.Combine(dir, name), png);
    }

    [Fact]
    public async Task Web_kestrel_body_limit_follows_the_option_both_ways()
    {
        var (app, url) = await StartAsync(o => o with { MaxUploadBytes = 40 << 20 }); // above Kestrel's own 30 MB default
        await using (app)
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            // 35 MB of zeros passes the raised limit and is then refused for what it is, not for its size.
            await WebServiceTests.Problem(await client.PostAsync("/v1/predict", new ByteArrayContent(new byte[35 << 20])), HttpStatusCode.UnsupportedMediaType);
            // Chunked (no Content-Length): Kestrel counts while reading.
            var chunked = new StreamContent(new MemoryStream(new byte[41 << 20]));
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            Assert.Contains("limit", await WebServiceTests.Problem(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge));
            await WebServiceTests.AssertHappy(client, WebServiceTests.Image("astronaut.png", "application/x-www-form-urlencoded"));
        }
    }

    [Fact]
    public async Task Web_page_uploads_a_photo_and_shows_happy_then_gradcam()
    {
        var (app, url) = await StartAsync();
        await using (app)
        await using (var browser = await HeadlessBrowser.StartAsync())
        {
            await browser.NavigateAsync(url);
            await browser.SetFileAsync("#file", TestData.Shared("photos/astronaut.png"));
            await browser.WaitForAsync("document.querySelector('#faces .emotion')?.textContent === 'happy'", TimeSpan.FromSeconds(60), "document.querySelector('#faces').innerText");
            await browser.EvaluateAsync("document.querySelector('#gradcam').click()");
            await browser.WaitForAsync("photo.cams?.length === 1", TimeSpan.FromSeconds(60), "document.querySelector('#photo-status').innerText");
            await Task.Delay(300);
            Keep(await browser.ScreenshotAsync(), "serve-photo.png");
        }
    }

    [Fact]
    public async Task Web_page_webcam_mode_shows_a_live_label_from_a_fake_camera()
    {
        using var dir = TestData.NewTempDir();
        string y4m = dir["astronaut.y4m"];
        WriteY4m(y4m, TestData.Shared("photos/astronaut.png"), frames: 10);
        var (app, url) = await StartAsync();
        await using (app)
        await using (var browser = await HeadlessBrowser.StartAsync("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={y4m}"))
        {
            await browser.NavigateAsync(url);
            await browser.EvaluateAsync("document.querySelector('#mode-webcam').click()");
            await browser.WaitForAsync("document.querySelector('#live-faces .emotion')?.textContent === 'happy' && camera.sent >= 12", TimeSpan.FromSeconds(60),
                "document.querySelector('#live-faces').innerText + ' | ' + document.querySelector('#cam-status').innerText");
            // Never more than one frame in flight, so at most 5 a second whatever the latency.
            double rate = (double)(await browser.EvaluateAsync("camera.sent / ((performance.now() - camera.started) / 1000)"))!.GetValue<double>();
            Assert.InRange(rate, 0.5, 5.5);
            Assert.NotNull(await browser.EvaluateAsync("document.querySelector('#timelines canvas') ? 1 : null"));
            // The frames went over the /v1/track socket: the service tracked the face (one track, its id from the service).
            Assert.Equal(1.0, (await browser.EvaluateAsync("camera.socket?.readyState === 1 && camera.tracks.length === 1 ? 1 : 0"))!.GetValue<double>());
            Keep(await browser.ScreenshotAsync(), "serve-webcam.png");
        }
    }

    /// <summary>A Y4M clip (what Chromium's fake camera plays) of a photo letterboxed into 640x480, I420.</summary>
    private static void WriteY4m(string path, string photo, int frames)
    {
        using var src = Cv2.ImRead(photo, ImreadModes.Color);
        using var frame = new Mat(480, 640, MatType.CV_8UC3, new Scalar(40, 40, 40));
        double s = Math.Min(640.0 / src.Width, 480.0 / src.Height);
        var size = new Size((int)(src.Width * s) / 2 * 2, (int)(src.Height * s) / 2 * 2);
        using var resized = src.Resize(size, 0, 0, InterpolationFlags.Area);
        resized.CopyTo(frame[new Rect((640 - size.Width) / 2, (480 - size.Height) / 2, size.Width, size.Height)]);
        using var yuv = new Mat();
        Cv2.CvtColor(frame, yuv, ColorConversionCodes.BGR2YUV_I420);
        yuv.GetArray(out byte[] data);
        using var f = File.Create(path);
        f.Write("YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n"u8);
        for (int i = 0; i < frames; i++) { f.Write("FRAME\n"u8); f.Write(data); }
    }
}
