// autoencoders — train, evaluate and use autoencoders from the command line.
//   autoencoders train --out model            (no --data: the bundled MNIST)
//   autoencoders evaluate --model model --data test.csv
// Exit codes: 0 success, 2 bad usage or bad input (one line naming the file, row and column), 1 other failures.
using Autoencoders.ML.Cli.Commands;

var root = new RootCommand("Autoencoders.ML: train, evaluate and use autoencoders on CSV or IDX data, export them to ONNX.")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    MapCommands.Encode(),
    MapCommands.Reconstruct(),
    MapCommands.Denoise(),
    ExportCommand.Create(),
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
