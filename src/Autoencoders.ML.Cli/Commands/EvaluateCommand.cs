using System;
using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders evaluate</c>: one JSON object on stdout with the reconstruction error of a data file.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = CommonOptions.Data(required: true);
        var label = CommonOptions.LabelColumn();
        var features = CommonOptions.Features();
        var command = new Command("evaluate", "Print one JSON object with mse (per value), squared_error_per_row and rows for --data.") { model, data, label, features };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            using var loaded = ModelInput.LoadModel(parse.GetValue(model)!);
            var dataset = ModelInput.LoadData(loaded, parse.GetValue(data)!, parse.GetValue(label), parse.GetValue(features), loaded.InputSize);
            var metrics = loaded.Evaluate(dataset.ToDataView(new MLContext()));
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                mse = metrics.MeanSquaredError,
                squared_error_per_row = metrics.SquaredErrorPerRow,
                rows = metrics.Rows,
                kind = loaded.Kind,
                architecture = loaded.Spec.ToString(),
            }));
            return 0;
        }));
        return command;
    }
}
