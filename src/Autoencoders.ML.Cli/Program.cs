// autoencoders — train, evaluate and use autoencoders from the command line.
//   autoencoders train --out model            (no --data: the bundled MNIST)
//   autoencoders evaluate --model model --data test.csv
// Exit codes: 0 success, 2 bad usage or bad input (one line naming the file, row and column), 1 other failures.
using Autoencoders.ML.Cli.Commands;
using Autoencoders.ML.Runtime;

// The tool opts in to the process-wide settings measured to help training (docs/runtime.md): idle torch threads sleep,
// and MKL runs its AVX-512 kernels on AMD CPUs that have them (AUTOENCODERS_MKL_AMD=off in the environment leaves MKL
// alone). It also lets the library fix its own copy of TorchSharp's shim on an old libstdc++: a tool package packed
// on a newer system carries it unfixed, and a user of the tool has no build step to run. Before anything loads torch;
// the first command that needs torch loads it.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd | TorchRuntimeSettings.PatchShimCopies);

var root = new RootCommand("Autoencoders.ML: train, evaluate and use autoencoders on CSV or IDX data, export them to ONNX.")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    MapCommands.Encode(),
    MapCommands.Reconstruct(),
    MapCommands.Denoise(),
    ExportCommand.Create(),
    ImportCommand.Create(),
    InfoCommand.Create(),
    SampleCommand.Create(),
    ClassifierCommands.FineTune(),
    ClassifierCommands.Predict(),
    AnomalyCommands.Score(),
    ReportCommand.Create(),
    MapCommands.Cluster(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Every parse error at once, one line each, so one run shows all there is to fix.
    for (int i = 0; i < parse.Errors.Count; i++)
    {
        string message = string.Join(' ', parse.Errors[i].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine($"error: {message}" + (i == parse.Errors.Count - 1 ? " (see --help)" : string.Empty));
    }

    return 2;
}

// System.CommandLine writes only help and version text to Output; the commands write to the console themselves.
using var help = new StringWriter();
int code = parse.Invoke(new InvocationConfiguration { Output = help });
Console.Out.Write(HelpGroups.Regroup(help.ToString(), parse.CommandResult.Command));
return code;
