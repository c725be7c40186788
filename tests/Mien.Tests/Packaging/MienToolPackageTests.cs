using System.Diagnostics;
using Xunit.Abstractions;

namespace Mien.Tests.Packaging;

/// <summary>
/// The CLI as a .NET tool: packed (a RID-specific tool: the Mien.Cli pointer package and Mien.Cli.&lt;rid&gt; with the
/// program and its natives), installed with <c>dotnet tool install --add-source</c>, run on a photo. The slowest
/// packaging test (the tool package compresses ~670 MB of LibTorch): Tier=Packaging.
/// </summary>
[Trait("Tier", "Packaging")]
public class MienToolPackageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_mien_tool_installs_from_a_folder_feed_and_predicts_happy_on_astronaut_png()
    {
        var clock = Stopwatch.StartNew();
        using var app = new ConsumerApp();
        string version = await app.PackAsync("src/Mien.Cli/Mien.Cli.csproj", "Mien.Cli");
        var packed = clock.Elapsed;
        string rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier.StartsWith("linux-", StringComparison.Ordinal)
            ? System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier : "linux-x64";
        var ridPackage = new FileInfo(Path.Combine(app.Feed, $"Mien.Cli.{rid}.{version}.nupkg"));
        Assert.True(ridPackage.Exists, $"no RID-specific tool package {ridPackage.Name}");
        Assert.True(new FileInfo(Path.Combine(app.Feed, $"Mien.Cli.{version}.nupkg")).Length < 100_000, "the pointer package should carry no binaries");

        string mien = await app.InstallToolAsync("Mien.Cli", version, "mien");
        string stdout = await ConsumerApp.RunAsync(app.Feed, [mien, "predict", TestData.Shared("photos/astronaut.png")]);
        output.WriteLine($"pack {packed.TotalSeconds:F0} s ({ridPackage.Length / 1e6:F0} MB), total {clock.Elapsed.TotalSeconds:F0} s\n{stdout}");
        Assert.Contains("happy", stdout.Split('\n').Single(l => l.Contains("astronaut.png", StringComparison.Ordinal)));
    }
}
