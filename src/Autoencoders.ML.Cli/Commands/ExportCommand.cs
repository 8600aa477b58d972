using Autoencoders.ML.IO;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// <c>autoencoders export</c>: writes encoder.onnx, decoder.onnx and autoencoder.onnx; with <c>--safetensors</c> also
/// weights.safetensors (PyTorch state-dict names) and model.json, which the PyTorch package python/autoencoders_ml reads.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var output = new Option<string>("--out") { Description = "Folder for the three .onnx files.", Required = true };
        var safetensors = new Option<bool>("--safetensors")
        {
            Description = "Also write weights.safetensors (the weights under PyTorch state-dict names) and model.json, for the PyTorch package in python/autoencoders_ml.",
        };
        var command = new Command("export", "Export encoder.onnx (features → latent), decoder.onnx (latent → reconstruction) and autoencoder.onnx.") { model, output, safetensors };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            using var loaded = ModelInput.LoadModel(parse.GetValue(model)!);
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            foreach (var (graph, file) in new[] { (OnnxGraphKind.Encoder, "encoder.onnx"), (OnnxGraphKind.Decoder, "decoder.onnx"), (OnnxGraphKind.Autoencoder, "autoencoder.onnx") })
            {
                string path = Path.Combine(folder, file);
                loaded.ExportOnnx(path, graph);
                Console.WriteLine(path);
            }

            if (parse.GetValue(safetensors))
            {
                string weights = Path.Combine(folder, "weights.safetensors");
                loaded.ExportSafetensors(weights);
                Console.WriteLine(weights);
                string config = Path.Combine(folder, "model.json");
                File.WriteAllText(config, ModelArchive.ConfigJson(loaded));
                Console.WriteLine(config);
            }

            return 0;
        }));
        return command;
    }
}
