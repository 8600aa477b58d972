using System;
using System.CommandLine;
using System.IO;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders export</c>: writes encoder.onnx, decoder.onnx and autoencoder.onnx.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var output = new Option<string>("--out") { Description = "Folder for the three .onnx files.", Required = true };
        var command = new Command("export", "Export encoder.onnx (features → latent), decoder.onnx (latent → reconstruction) and autoencoder.onnx.") { model, output };
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

            return 0;
        }));
        return command;
    }
}
