using System.Diagnostics;

namespace Mien.Tests.Experiments;

/// <summary>The README's library cross-validation example, built as samples/Mien.CrossValidation, runs as a user would run it.</summary>
public class CrossValidationSampleTests
{
    [Fact]
    public async Task The_readme_cross_validation_sample_runs_subject_grouped_folds_from_the_library_alone()
    {
        string dll = Path.Combine(TestData.RepoRoot, "samples", "Mien.CrossValidation", "bin", "Release", "net10.0", "Mien.CrossValidation.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in Release first (./setup.sh).");
        using var tmp = TestData.NewTempDir();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, TestData.CkPlusZip, "--folds", "2", "--epochs", "1", "--limit", "200", "--out", tmp["cv"] }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await p.WaitForExitAsync(timeout.Token);
        string output = await stdout, errors = await stderr;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {errors}");
        Assert.Contains("fold 2:", output);
        Assert.Contains("subject-grouped folds", output);
        Assert.True(File.Exists(tmp["cv/cv.json"]) && File.Exists(tmp["cv/report.html"]));
    }
}
