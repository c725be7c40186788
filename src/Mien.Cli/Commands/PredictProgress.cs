using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mien.Cli.Commands;

/// <summary>
/// <c>mien predict</c>'s progress over many images: a Spectre bar with images done, images/s, time spent and time left,
/// drawn only when standard error is a terminal. Redirected, nothing is drawn: stderr logs keep only errors, and
/// standard output (the results) never carries a byte of progress.
/// </summary>
internal sealed class PredictProgress
{
    private readonly IAnsiConsole _console;
    private readonly bool _resultsThroughConsole;

    private PredictProgress(IAnsiConsole console, bool resultsThroughConsole) => (_console, _resultsThroughConsole) = (console, resultsThroughConsole);

    /// <summary>
    /// The progress for <paramref name="images"/> images, or null when none is drawn (one image, or stderr redirected).
    /// When standard output is a terminal too, both are the one screen: the bar is then drawn through standard output's
    /// console and the results are written through it (<see cref="ResultWriter"/>), so they scroll above the bar instead of
    /// being overdrawn by it. When standard output is redirected the bar is on standard error and the results go out
    /// untouched.
    /// </summary>
    public static PredictProgress? For(int images, bool stdoutIsLive, bool stderrIsLive) =>
        images > 1 && stderrIsLive ? new PredictProgress(Terminal.On(stdoutIsLive ? Console.Out : Console.Error, live: true), stdoutIsLive) : null;

    /// <summary>For tests: a progress drawn on <paramref name="console"/>.</summary>
    internal static PredictProgress On(IAnsiConsole console, bool resultsThroughConsole) => new(console, resultsThroughConsole);

    /// <summary>A writer into the bar's console for the results when both are the one screen, else null (write to standard output).</summary>
    public TextWriter? ResultWriter() => _resultsThroughConsole ? new ConsoleLines(_console) : null;

    /// <summary>Runs <paramref name="loop"/>, which calls its argument once per image done.</summary>
    public void Run(int images, Action<Action> loop) =>
        _console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new SpeedColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("images", maxValue: images);
                loop(() => task.Increment(1));
                task.Value = task.MaxValue; // an image that failed before it was counted must not leave the bar short
            });

    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Text($"{task.Value:F0}/{task.MaxValue:F0} images");
    }

    private sealed class SpeedColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? $"{s:F1} images/s" : "- images/s", new Style(Color.Aqua));
    }

    /// <summary>Whole lines of text written through a Spectre console, which puts them above its live bar.</summary>
    private sealed class ConsoleLines(IAnsiConsole console) : TextWriter
    {
        private readonly System.Text.StringBuilder _pending = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            _pending.Append(value);
            if (value == '\n') Flush();
        }

        public override void Write(string? value)
        {
            _pending.Append(value);
            if (value is not null && value.Contains('\n')) Flush();
        }

        public override void Flush()
        {
            string text = _pending.ToString();
            int end = text.LastIndexOf('\n');
            if (end < 0) return;
            console.Write(new Text(text[..(end + 1)].Replace("\r\n", "\n")));
            _pending.Remove(0, end + 1);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _pending.Length > 0) { _pending.Append('\n'); Flush(); }
            base.Dispose(disposing);
        }
    }
}
