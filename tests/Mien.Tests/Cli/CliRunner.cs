namespace Mien.Tests.Cli;

/// <summary>Runs the real <c>mien</c> entry point in-process and captures its output and exit code.</summary>
internal static class CliRunner
{
    private static readonly object Gate = new();

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        lock (Gate)
        {
            var entry = typeof(Mien.Cli.Commands.ConsoleProgress).Assembly.EntryPoint!;
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o); Console.SetError(e);
            try
            {
                var result = entry.Invoke(null, [args]);
                int code = result is Task<int> t ? t.GetAwaiter().GetResult() : (int)result!;
                return (code, o.ToString(), e.ToString());
            }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }
}
