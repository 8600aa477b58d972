namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders report</c>: rewrites report.html of an existing model folder.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder written by 'train' or 'finetune'; report.html is written into it.", Required = true };
        var data = CommonOptions.Data(required: false);
        data.Description = "Rows for the reconstructions, the map of the codes and the detector's scores (CSV or IDX). Default: the data recorded in model.json when it can be read again (the bundled MNIST or a file that still exists).";
        var label = CommonOptions.LabelColumn();
        label.Description = "CSV column that is not a feature; colours the map of the codes. Default: the one recorded in model.json.";
        var features = CommonOptions.Features();
        var command = new Command("report", "Rewrite report.html of a model folder: what was trained on what data, loss curves, PCA comparison, reconstructions, a map of the codes and the kind's extras.")
        {
            model, data, label, features,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string folder = parse.GetValue(model)!;
            if (!Directory.Exists(folder))
            {
                throw new InputException($"--model {folder}: not a folder; give a model folder written by 'autoencoders train' (report.html goes inside it).");
            }

            using var loaded = ModelInput.LoadModel(folder);
            var notes = Output.ModelReport.ReadNotes(folder);
            string? labelColumn = parse.GetValue(label) ?? notes["labelColumn"]?.ToString();
            Dataset? rows = null;
            if (parse.GetValue(data) is string path)
            {
                rows = ModelInput.LoadData(folder, path, labelColumn, parse.GetValue(features), loaded.InputSize);
            }
            else if (notes["data"]?["source"]?.ToString() is string source)
            {
                rows = source.StartsWith("bundled MNIST", StringComparison.Ordinal) ? DatasetLoader.BundledMnist(maxRows: null, test: source.Contains("t10k", StringComparison.Ordinal))
                    : File.Exists(source) ? ModelInput.LoadData(folder, source, labelColumn, parse.GetValue(features), loaded.InputSize)
                    : null;
                if (rows == null)
                {
                    Console.Error.WriteLine($"note: {source} (the training data in model.json) is not there any more; give --data FILE to add the data sections.");
                }
            }

            Output.ModelReport.Write(folder, loaded, rows, labelColumn, Array.Empty<(string, double)>());
            Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(folder, Output.ReportPage.FileName))}");
            return 0;
        }));
        return command;
    }
}
