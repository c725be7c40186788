using Spectre.Console;

namespace Mien.Cli.Commands;

/// <summary>
/// Whether output goes to a person or to a program: tables, colour and live progress only on a terminal; files and
/// pipes get plain text, so scripts and logs see the same bytes whatever the terminal could do.
/// </summary>
internal static class Terminal
{
    /// <summary>Standard output is a terminal that takes colour and tables (not redirected, NO_COLOR unset, TERM not dumb).</summary>
    public static bool StdoutTakesTables =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) && !Dumb;

    /// <summary>Standard output is a terminal that can redraw a line (colour or not).</summary>
    public static bool StdoutIsLive => !Console.IsOutputRedirected && !Dumb;

    /// <summary>Standard error is a terminal that can redraw a line (colour or not).</summary>
    public static bool StderrIsLive => !Console.IsErrorRedirected && !Dumb;

    private static bool Dumb => Environment.GetEnvironmentVariable("TERM") is "dumb";

    /// <summary>
    /// A Spectre console writing to <paramref name="writer"/> (the current Console.Out or Console.Error), detecting
    /// ANSI and colours. <paramref name="live"/>: the caller has checked that this stream is a terminal, so live
    /// displays redraw in place; Spectre's own test wants stdin, stdout and stderr all unredirected, which would turn
    /// predict's bar into milestone lines whenever the results go to a file.
    /// </summary>
    public static IAnsiConsole On(TextWriter writer, bool live = false) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = live ? InteractionSupport.Yes : InteractionSupport.Detect,
    });
}
