using Mien.Tests.Data;

namespace Mien.Tests.Cli;

/// <summary>Issue #11 from the command line: one clear line and a non-zero exit, good inputs in the same call still processed.</summary>
public class HostileInputCliTests
{
    private static async Task<(int Exit, string Out, string Err)> RunWithin(int seconds, params string[] args)
    {
        var run = Task.Run(() => CliRunner.Run(args));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(seconds))) == run, $"mien {string.Join(' ', args)} hangs");
        return await run;
    }

    [Fact]
    public async Task Predict_reports_pipes_devices_and_missing_globs_and_still_predicts_the_good_photo()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = TestData.NewTempDir();
        Assert.True(HostileInputTests.Mkfifo(tmp["pipe.jpg"]), "mkfifo failed");
        File.WriteAllBytes(tmp["trailer.jpg"], [.. File.ReadAllBytes(TestData.Shared("photos/messi5.jpg")), .. new byte[2048]]);
        var (exit, output, err) = await RunWithin(120, "predict", TestData.Shared("photos/astronaut.png"), tmp["pipe.jpg"], "/dev/zero",
            tmp["trailer.jpg"], tmp["none/*.jpg"]);
        Assert.Equal(2, exit);
        Assert.Contains("happy", output);
        Assert.Matches(@"pipe\.jpg.*named pipe \(FIFO\)", output);
        Assert.Matches(@"/dev/zero.*character device", output);
        Assert.Matches(@"none/\*\.jpg.*matches no file", output);
        Assert.DoesNotMatch(@"trailer\.jpg.*error", output);
        Assert.Contains("3 of 5 input(s) failed", err);
    }

    [Fact]
    public async Task Info_and_train_refuse_a_named_pipe_or_device_as_data_at_once()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = TestData.NewTempDir();
        Assert.True(HostileInputTests.Mkfifo(tmp["labels.csv"]), "mkfifo failed");
        foreach (var data in new[] { tmp["labels.csv"], "/dev/zero" })
        {
            var (exit, _, err) = await RunWithin(60, "info", "--data", data);
            Assert.Equal(1, exit);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(data, err);
            Assert.Contains("not a folder", err);
        }
    }

    [Fact]
    public void An_unreadable_folder_for_predict_is_one_line_and_a_non_zero_exit()
    {
        if (OperatingSystem.IsWindows()) return;
        using var tmp = TestData.NewTempDir();
        Directory.CreateDirectory(tmp["locked"]);
        File.Copy(TestData.Shared("photos/astronaut.png"), tmp["locked/a.png"]);
        File.SetUnixFileMode(tmp["locked"], UnixFileMode.None);
        try
        {
            var (exit, output, _) = CliRunner.Run("predict", tmp["locked"], tmp["missing-folder"]);
            Assert.NotEqual(0, exit);
            Assert.Contains("missing-folder' does not exist", output);
            // Root lists any folder whatever its mode, so only others see it refused.
            if (!Environment.IsPrivilegedProcess) Assert.Contains("cannot be listed", output);
        }
        finally { File.SetUnixFileMode(tmp["locked"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    [Fact]
    public void Train_refuses_an_absurd_image_size_and_a_corrupt_checkpoint_naming_it()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp["data"], new Dictionary<string, int> { ["happy"] = 12, ["sad"] = 12 });
        var (exit, _, err) = CliRunner.Run("train", "--data", tmp["data"], "--image-size", "20000", "--out", tmp["run0"], "--quiet");
        Assert.Equal(1, exit);
        Assert.Contains("--image-size 20000", err);
        Assert.Contains("8..512", err);

        Directory.CreateDirectory(tmp["run/checkpoints"]);
        File.WriteAllText(tmp["run/checkpoints/checkpoint.json"], "{ \"epoch\": 3, \"model_file\": ");
        (exit, _, err) = CliRunner.Run("train", "--data", tmp["data"], "--out", tmp["run"], "--resume", "--epochs", "1", "--group-by", "none", "--quiet", "--threads", "1");
        Assert.Equal(1, exit);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("checkpoint.json", err);

        File.WriteAllText(tmp["run/checkpoints/checkpoint.json"], """{ "epoch": 1, "model_file": "../../../etc/passwd", "optimizer_file": "x.optim" }""");
        (exit, _, err) = CliRunner.Run("train", "--data", tmp["data"], "--out", tmp["run"], "--resume", "--epochs", "1", "--group-by", "none", "--quiet", "--threads", "1");
        Assert.Equal(1, exit);
        Assert.Contains("not a file of the checkpoints folder", err);
    }
}
