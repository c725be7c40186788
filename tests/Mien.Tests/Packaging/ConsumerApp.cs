using System.Diagnostics;

namespace Mien.Tests.Packaging;

/// <summary>
/// A package of this repository as a user meets it: packed into a folder feed (with a version of its own, so NuGet's
/// global cache never hands back an earlier pack), then consumed by a console app made with <c>dotnet new console</c> in
/// a temporary folder outside the repository (no Directory.Build.props, central versions or project references reach
/// it), restored from that folder plus the machine's normal NuGet feed.
/// </summary>
internal sealed class ConsumerApp : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);
    private readonly TempDir _tmp = TestData.NewTempDir();
    private readonly List<string> _cachedVersions = [];

    public ConsumerApp()
    {
        Assert.False(_tmp.Path.StartsWith(TestData.RepoRoot, StringComparison.Ordinal), "the consumer must live outside the repository");
        Feed = Directory.CreateDirectory(_tmp["feed"]).FullName;
        AppDir = _tmp["app"];
    }

    /// <summary>The local folder feed the packages are packed into.</summary>
    public string Feed { get; }

    /// <summary>The console app's folder.</summary>
    public string AppDir { get; }

    /// <summary>Packs a project of the repository (path relative to its root) into <see cref="Feed"/>; returns the version.</summary>
    public async Task<string> PackAsync(string project, string packageId, params string[] properties)
    {
        string version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..10];
        await RunAsync(TestData.RepoRoot, ["dotnet", "pack", Path.Combine(TestData.RepoRoot, project), "-c", "Release", "-nologo", "-v", "q",
            "-o", Feed, $"-p:PackageVersion={version}", .. properties]);
        Assert.True(File.Exists(Path.Combine(Feed, $"{packageId}.{version}.nupkg")), $"dotnet pack wrote no {packageId}.{version}.nupkg");
        // Every package of this version (a RID-specific tool is several) is removed from NuGet's global cache at the end.
        foreach (var nupkg in Directory.EnumerateFiles(Feed, $"*.{version}.nupkg"))
        {
            string id = Path.GetFileName(nupkg)[..^$".{version}.nupkg".Length];
            _cachedVersions.Add(Path.Combine(GlobalPackagesFolder, id.ToLowerInvariant(), version));
        }
        return version;
    }

    /// <summary>
    /// <c>dotnet new console</c>, the feed added to a nuget.config beside it (the user's feeds stay), a RuntimeIdentifier
    /// for this machine, then <c>dotnet add package</c> for each package.
    /// </summary>
    public async Task CreateAsync(string program, params (string Id, string Version)[] packages)
    {
        await RunAsync(_tmp.Path, ["dotnet", "new", "console", "-n", "App", "-o", AppDir, "--framework", "net10.0"]);
        File.WriteAllText(Path.Combine(AppDir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mien-test-feed" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        string csproj = Path.Combine(AppDir, "App.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("<OutputType>Exe</OutputType>",
            "<OutputType>Exe</OutputType>\n    <RuntimeIdentifier>linux-x64</RuntimeIdentifier>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(AppDir, "Program.cs"), program);
        foreach (var (id, version) in packages) await RunAsync(AppDir, ["dotnet", "add", "package", id, "--version", version]);
    }

    /// <summary>Builds the app and runs it with <paramref name="args"/>; returns its standard output.</summary>
    public async Task<string> BuildAndRunAsync(params string[] args)
    {
        await RunAsync(AppDir, ["dotnet", "build", "-c", "Release", "-nologo", "-v", "q"]);
        return await RunAsync(AppDir, ["dotnet", Path.Combine(AppDir, "bin", "Release", "net10.0", "linux-x64", "App.dll"), .. args]);
    }

    /// <summary>Publishes the app (framework-dependent, linux-x64) and returns the folder.</summary>
    public async Task<string> PublishAsync()
    {
        string dir = _tmp["publish"];
        await RunAsync(AppDir, ["dotnet", "publish", "-c", "Release", "-nologo", "-v", "q", "-o", dir]);
        return dir;
    }

    /// <summary><c>dotnet tool install --tool-path</c> from the feed (plus the normal one); returns the tool's command path.</summary>
    public async Task<string> InstallToolAsync(string packageId, string version, string command)
    {
        string tools = _tmp["tools"];
        await RunAsync(_tmp.Path, ["dotnet", "tool", "install", packageId, "--version", version, "--tool-path", tools, "--add-source", Feed]);
        return Path.Combine(tools, command);
    }

    /// <summary>Bytes of every file under a folder.</summary>
    public static long FolderBytes(string dir) => new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs a command (inheriting this process's niceness); fails the test with its output on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string workingDirectory, string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command[1..]) psi.ArgumentList.Add(a);
        // The test host's MSBuild settings would leak into the child builds (another SDK's MSBuild, its node reuse).
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"'{string.Join(' ', command)}' took over {StepTimeout.TotalMinutes} minutes");
        }
        string output = await stdout, errors = await stderr;
        Assert.True(p.ExitCode == 0, $"'{string.Join(' ', command)}' in {workingDirectory} exited with {p.ExitCode}:\n{output}\n{errors}");
        return output;
    }

    public void Dispose()
    {
        _tmp.Dispose();
        foreach (var dir in _cachedVersions)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
                var id = Path.GetDirectoryName(dir)!;
                if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any()) Directory.Delete(id);
            }
            catch (IOException) { }
        }
    }
}
