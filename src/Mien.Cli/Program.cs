using System.CommandLine;
using Mien.Cli.Commands;
using Mien.Runtime;

NativeRuntime.Tune(); // before any network: allocator (~1.4x faster) and OpenMP spin settings; see Mien.Runtime.NativeRuntime

// HelpName: usage lines say 'mien' (the documented command) instead of the assembly name Mien.Cli.
var root = new RootCommand("Mien — facial emotion recognition with convolutional networks (TorchSharp + OpenCV).") { HelpName = "mien" };
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(CrossValidateCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(ExplainCommand.Create());
root.Subcommands.Add(VideoCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
return await root.Parse(args).InvokeAsync();
