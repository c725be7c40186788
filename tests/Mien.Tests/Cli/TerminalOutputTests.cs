using System.Text.RegularExpressions;
using Mien.Cli.Commands;
using Mien.Data;
using Mien.Evaluation;
using Mien.Experiments;
using Spectre.Console;

namespace Mien.Tests.Cli;

/// <summary>
/// Issue #11: Spectre on a terminal (predict's progress bar with images/s and time left, info's tables), plain text
/// when redirected, and the results on standard output untouched either way.
/// </summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class TerminalOutputTests
{
    /// <summary>A console that believes it is an interactive ANSI terminal, writing into <paramref name="into"/>.</summary>
    private static IAnsiConsole FakeTerminal(StringWriter into)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(into),
        });
        console.Profile.Width = 160;
        return console;
    }

    // Bold and cursor movement, which Spectre writes even without colours.
    private static string WithoutEscapes(string s) => Regex.Replace(s, @"\u001b\[[0-9;?]*[A-Za-z]", "");

    [Fact]
    public void Predict_draws_a_progress_bar_only_when_stderr_is_a_terminal_and_leaves_redirected_results_alone()
    {
        Assert.Null(PredictProgress.For(10, stdoutIsLive: false, stderrIsLive: false));
        Assert.Null(PredictProgress.For(10, stdoutIsLive: true, stderrIsLive: false)); // `2>log`: the log gets no bar
        Assert.Null(PredictProgress.For(1, stdoutIsLive: true, stderrIsLive: true));   // one image: nothing to track
        // `> results.csv` on a terminal: the bar goes to stderr and the results straight to the file, not through Spectre.
        var redirected = PredictProgress.For(10, stdoutIsLive: false, stderrIsLive: true);
        Assert.NotNull(redirected);
        Assert.Null(redirected.ResultWriter());
        Assert.NotNull(PredictProgress.For(10, stdoutIsLive: true, stderrIsLive: true)!.ResultWriter());
    }

    [Fact]
    public void The_bar_shows_count_speed_and_time_left_and_result_lines_scroll_above_it_whole()
    {
        var screen = new StringWriter();
        var progress = PredictProgress.On(FakeTerminal(screen), resultsThroughConsole: true);
        using var results = progress.ResultWriter()!;
        progress.Run(6, imageDone =>
        {
            for (int i = 0; i < 6; i++)
            {
                Thread.Sleep(150);
                results.WriteLine($"photo-{i}.png,1,10,20,30,40,happy,0.9000");
                imageDone();
            }
        });
        string raw = screen.ToString(), text = WithoutEscapes(raw);
        Assert.Contains("6/6 images", text);
        Assert.Matches(new Regex(@"\d+\.\d images/s"), text);
        Assert.Matches(new Regex(@"\d\d:\d\d:\d\d"), text); // elapsed and remaining time
        Assert.Contains("\u001b[", raw); // redrawn in place, not printed line after line
        for (int i = 0; i < 6; i++) Assert.Contains($"photo-{i}.png,1,10,20,30,40,happy,0.9000\n", text);
    }

    [Fact]
    public void Predict_over_many_images_with_redirected_output_prints_results_only()
    {
        var photos = new[] { "astronaut.png", "coffee.png", "messi5.jpg" }.Select(p => TestData.Shared("photos/" + p)).ToArray();
        var (exit, output, err) = CliRunner.Run(["predict", "--format", "csv", .. photos]);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\r', output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("file,face,", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Contains(photos, p => l.StartsWith(p + ",", StringComparison.Ordinal)));
    }

    [Fact]
    public void Info_is_plain_aligned_text_when_redirected_and_tables_on_a_terminal()
    {
        using var tmp = TestData.NewTempDir();
        TestData.WriteClassTree(tmp.Path, new Dictionary<string, int> { ["happy"] = 9, ["sad"] = 2 });
        File.WriteAllText(tmp["sad/broken.png"], "not an image");
        var d = DatasetLoader.Load(tmp.Path);
        var summary = DatasetSummary.Of(d);

        // Redirected: the text scripts read, byte for byte as before Spectre.
        var plain = new StringWriter();
        InfoView.WritePlain(summary, plain);
        string expected =
            $"dataset   {d.Origin}\n" +
            $"format    {d.Format}\n" +
            "images    11 (decoded to 48x48 grey)\n" +
            "sizes     48x48 (11)\n" +
            "subjects  5 (parsed from file names; splits are grouped by subject)\n" +
            "\n" +
            "class           (none)    total\n" +
            "happy                9        9\n" +
            "sadness              2        2\n" +
            "total               11       11\n" +
            "\n" +
            "note: classes are imbalanced (9 vs 2); consider --class-weights when training.\n" +
            "duplicates none\n" +
            "\n" +
            "problems  1\n" +
            $"  {d.Problems[0]}\n";
        Assert.Equal(expected.Replace("\n", Environment.NewLine), plain.ToString());

        // A terminal: bordered tables with the same numbers, and the problem by item and reason.
        var screen = new StringWriter();
        InfoView.WriteTables(summary, FakeTerminal(screen));
        string tables = WithoutEscapes(screen.ToString());
        Assert.Contains("╭", tables);
        Assert.Matches(new Regex(@"│ happy\s+│\s+9 │\s+9 │"), tables);
        Assert.Matches(new Regex(@"│ total\s+│\s+11 │\s+11 │"), tables);
        Assert.Contains("sad/broken.png", tables);
        Assert.Contains("imbalanced (9 vs 2)", tables);
        Assert.DoesNotContain("problems  1", tables);
    }

    [Fact]
    public void The_cross_dataset_summary_is_a_table_on_a_terminal_and_the_old_columns_when_redirected()
    {
        string[] classes = ["happy", "sadness"];
        var full = ClassificationReport.From([0, 0, 1, 1], [0, 1, 1, 1], classes);
        var clean = ClassificationReport.From([0, 1, 1], [0, 1, 1], classes);
        var results = new List<(string, Mien.Experiments.DatasetEvaluation)>
        {
            ("/data/fer2013.zip", new("test", full, 1, clean)),
            ("/data/ckplus48.zip", new("all", full, 0, null)),
        };

        var plain = new StringWriter();
        MetricsTable.WriteSummary(results, null, plain);
        var lines = plain.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{"dataset",-40} {"split",-10} {"images",7} {"accuracy",9} {"balanced",9} {"macro-F1",9}", lines[0]);
        Assert.Equal($"{"fer2013.zip",-40} {"test",-10} {3,7} {1.0,9:P2} {1.0,9:P2} {1.0,9:F4}  (copies of training images left out)", lines[1]);
        Assert.Equal($"{"ckplus48.zip",-40} {"all",-10} {4,7} {0.75,9:P2} {0.75,9:P2} {full.MacroF1,9:F4}", lines[2]);

        var screen = new StringWriter();
        MetricsTable.WriteSummary(results, FakeTerminal(screen), TextWriter.Null);
        string table = WithoutEscapes(screen.ToString());
        Assert.Contains("╭", table);
        Assert.Matches(new Regex(@"│ fer2013\.zip \*\s+│ test\s+│\s+3 │\s+100\.00 % │"), table);
        Assert.Matches(new Regex(@"│ ckplus48\.zip\s+│ all\s+│\s+4 │\s+75\.00 % │"), table);
        Assert.Contains("* copies of training images left out", table);
    }
}
