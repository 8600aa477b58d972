using System.Text.Json;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// <c>autoencoders info</c>: what a model folder or model.zip holds, as JSON. For an ML.NET model zip it adds the
/// pipeline as this library loads it: each stage's type and the output columns with their types.
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var command = new Command("info", "Print a model's kind, architecture, sizes, loss and training summary as JSON.") { model };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string path = parse.GetValue(model)!;
            using var loaded = ModelInput.LoadModel(path);
            var history = loaded.History;
            Console.WriteLine(JsonSerializer.Serialize(
                new
                {
                    kind = loaded.Kind,
                    architecture = loaded.Spec.ToString(),
                    parameters = loaded.Spec.ParameterCount,
                    input_size = loaded.InputSize,
                    latent_size = loaded.LatentSize,
                    output_size = loaded.Spec.OutputSize,
                    loss = loaded.Loss.ToString(),
                    output_activation = loaded.Spec.OutputActivation.ToString(),
                    epochs = history.Epochs.Count,
                    best_epoch = history.BestEpoch,
                    stopped_early = history.StoppedEarly,
                    final_training_loss = history.Epochs.LastOrDefault()?.TrainingLoss,
                    final_validation_loss = history.Epochs.LastOrDefault()?.ValidationLoss,
                    pipeline = ModelInput.DescribePipeline(path),
                },
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return command;
    }
}
