using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders evaluate</c>: one JSON object on stdout with the reconstruction error of a data file.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var (model, data, label, features) = CommonOptions.ModelAndData();
        var samples = CommonOptions.WithDefault<int>("--importance-samples", 100, "k of the IWAE estimate of a VAE's negative log-likelihood.");
        var command = new Command("evaluate", "Print one JSON object with mse (per value), squared_error_per_row and rows for --data (and elbo, nll in nats for a VAE; auroc, auprc with a 0/1 --label-column).")
        {
            model, data, label, features, samples,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            if (ClassifierFolder.IsClassifier(parse.GetValue(model)!))
            {
                Console.WriteLine(ClassificationEvaluation.Evaluate(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(label), parse.GetValue(features)).ToJsonString());
                return 0;
            }

            using var loaded = ModelInput.LoadModel(parse.GetValue(model)!);
            var dataset = ModelInput.LoadData(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(label), parse.GetValue(features), loaded.InputSize);
            var view = dataset.ToDataView(new MLContext());
            var metrics = loaded.Evaluate(view);
            var result = new JsonObject
            {
                ["mse"] = metrics.MeanSquaredError,
                ["squared_error_per_row"] = metrics.SquaredErrorPerRow,
                ["rows"] = metrics.Rows,
                ["kind"] = loaded.Kind,
                ["architecture"] = loaded.Spec.ToString(),
            };
            if (loaded.IsVariational)
            {
                int k = parse.GetValue(samples);
                if (k < 1)
                {
                    throw new InputException($"--importance-samples {k}: k must be at least 1.");
                }

                var likelihood = loaded.EstimateLikelihood(view, importanceSamples: k);
                result["elbo"] = likelihood.Elbo;
                result["nll"] = likelihood.NegativeLogLikelihood;
                result["kl"] = likelihood.Kl;
                result["importance_samples"] = k;
            }

            AnomalyCommands.AddMetrics(result, parse.GetValue(model)!, dataset, parse.GetValue(label));
            Console.WriteLine(result.ToJsonString());
            return 0;
        }));
        return command;
    }
}
