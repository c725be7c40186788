using System.CommandLine;
using Mien.Experiments;

namespace Mien.Cli.Commands;

/// <summary><c>mien info</c>: what a dataset holds, before training on it (fastai's "look at your data").</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var cmd = new Command("info", "Show a dataset's classes, splits, image sizes, subjects and problems.");
        data.AddTo(cmd);
        cmd.SetAction((r, ct) => CliErrors.Run(c =>
        {
            var d = data.Load(r, c, quiet: true);
            InfoView.Write(DatasetSummary.Of(d), Terminal.StdoutTakesTables ? Terminal.On(Console.Out) : null);
            return 0;
        }, ct));
        return cmd;
    }
}
