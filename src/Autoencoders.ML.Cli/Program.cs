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
    string message = string.Join(' ', parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    Console.Error.WriteLine($"error: {message} (see --help)");
    return 2;
}

return parse.Invoke();
