using System.Diagnostics;

namespace Mien.Tests.Models;

/// <summary>
/// Runs <c>torchvision_reference.py</c> with Debian's Python (<c>/usr/bin/python3</c>, not a pyenv one on PATH) to make
/// a torchvision state dict and torchvision's outputs for one architecture. Installs nothing: test.sh and setup.sh
/// install python3-torchvision; without it the test fails saying so.
/// </summary>
internal static class TorchvisionReference
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Writes weights.pth, weights.safetensors and expected.pt into <paramref name="dir"/>.</summary>
    public static void Make(string arch, int size, string dir)
    {
        RequireTorchvision();
        string script = Path.Combine(AppContext.BaseDirectory, "Models", "torchvision_reference.py");
        var (exit, output) = Run(script, arch, size.ToString(System.Globalization.CultureInfo.InvariantCulture), dir);
        Assert.True(exit == 0, $"{Python} {script} {arch} {size} failed ({exit}):\n{output}");
    }

    private static void RequireTorchvision()
    {
        var (exit, output) = File.Exists(Python) ? Run("-c", "import torchvision") : (-1, $"{Python} does not exist.");
        Assert.True(exit == 0,
            $"The parity tests need Debian's torchvision: {Python} cannot import torchvision ({output.Trim()}). " +
            "Run ./test.sh (it installs python3-torchvision) or: sudo apt-get install -y python3-torchvision.");
    }

    private static (int Exit, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // One thread each: the test host already keeps the cores busy, and OpenBLAS/OpenMP oversubscription is slow.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["OPENBLAS_NUM_THREADS"] = "1";
        psi.Environment["PYTHONWARNINGS"] = "ignore";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
