using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenCvSharp;

namespace Mien.Tests.Reporting;

/// <summary>Checks that a report page is self-contained and really shows its pictures.</summary>
internal static partial class HtmlChecks
{
    [GeneratedRegex("<img\\b[^>]*\\bsrc=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ImgSrc();

    [GeneratedRegex("\\b(?:src|href)=\"(?!data:)([^\"]*)\"|<script|<link|url\\(", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    /// <summary>Every &lt;img&gt; is a PNG data URI that OpenCV decodes to a real picture; nothing is loaded from elsewhere.</summary>
    public static IReadOnlyList<Mat> DecodeImages(string html)
    {
        var external = ExternalReference().Match(html);
        Assert.False(external.Success, $"report.html refers to something outside itself: '{external.Value}'");
        var images = new List<Mat>();
        foreach (Match m in ImgSrc().Matches(html))
        {
            const string prefix = "data:image/png;base64,";
            string src = m.Groups[1].Value;
            Assert.StartsWith(prefix, src);
            var bytes = Convert.FromBase64String(src[prefix.Length..]);
            Assert.NotEmpty(bytes);
            var image = Cv2.ImDecode(bytes, ImreadModes.Color);
            Assert.False(image.Empty(), "an embedded image does not decode");
            Assert.True(image.Width >= 100 && image.Height >= 100, $"an embedded image is only {image.Width}x{image.Height}");
            images.Add(image);
        }
        return images;
    }

    /// <summary>
    /// Renders the page in headless Chromium and returns the screenshot. Fails (never skips) without Chromium:
    /// the report is meant for a browser, so the test suite needs one (Debian package: chromium).
    /// </summary>
    public static Mat Screenshot(string htmlPath, int width = 1360, int height = 4000)
    {
        string? browser = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(FindOnPath).FirstOrDefault(p => p is not null);
        Assert.True(browser is not null, "Headless Chromium is needed to render report.html: install the Debian package 'chromium' (apt-get install -y chromium).");
        using var profile = TestData.NewTempDir();
        string shot = Path.Combine(profile.Path, "shot.png");
        var psi = new ProcessStartInfo(browser!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile["profile"]}",
                     $"--window-size={width},{height}", $"--screenshot={shot}", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish the screenshot within 90 s.");
        }
        Assert.True(File.Exists(shot), $"Chromium wrote no screenshot (exit {p.ExitCode}): {stderr.Result}");
        var image = Cv2.ImRead(shot, ImreadModes.Color);
        Assert.False(image.Empty());
        return image;
    }

    /// <summary>Share of clearly coloured pixels (HSV saturation ≥ 90, value ≥ 60): plot lines, heat maps and bars are coloured; text and broken-image icons are not.</summary>
    public static double ColouredShare(Mat bgr)
    {
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        using var mask = new Mat();
        Cv2.InRange(hsv, new Scalar(0, 90, 60), new Scalar(180, 255, 255), mask);
        return Cv2.CountNonZero(mask) / (double)(bgr.Width * bgr.Height);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
