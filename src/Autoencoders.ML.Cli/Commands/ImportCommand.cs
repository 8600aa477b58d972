using System.Text.Json.Nodes;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// <c>autoencoders import</c>: turns a folder trained in PyTorch (model.json + weights.safetensors, as
/// <c>python -m autoencoders_ml.train</c> writes it) into a complete model folder, the same files <c>train</c> writes:
/// model.json, weights.bin, the ONNX graphs, manifest.json, model.zip, loss.png and report.html.
/// </summary>
internal static class ImportCommand
{
    // Top-level notes of the imported model.json that the new one keeps (what the Python trainer and 'train' add).
    private static readonly string[] KeptNotes = { "data", "labelColumn", "trainedWith" };

    public static Command Create()
    {
        var from = new Option<string>("--from")
        {
            Description = "Folder with model.json and weights.safetensors (the network's state dict under PyTorch's names), e.g. written by python -m autoencoders_ml.train.",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Model folder to write (replaced as a whole if it holds a model).", Required = true };
        var data = CommonOptions.Data(required: false);
        data.Description = "Rows for the report's data sections and, for images, reconstructions.png (CSV or IDX). Default: none.";
        var label = CommonOptions.LabelColumn();
        var features = CommonOptions.Features();
        HelpGroups.Put(HelpGroups.Data, data, label, features);
        HelpGroups.Put(HelpGroups.Output, from, output);
        var command = new Command("import", "Import a model trained in PyTorch (model.json + weights.safetensors): every key, shape and dtype is checked, then a complete model folder is written as by 'train'.")
        {
            from, output, data, label, features,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string source = parse.GetValue(from)!;
            string outDir = parse.GetValue(output)!;
            OutputFolder.Check(outDir);
            if (Path.GetFullPath(source).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar))
            {
                throw new InputException($"--out {outDir} is the --from folder; write the imported model to another folder.");
            }

            using var model = AutoencoderModel.Import(source);
            string? labelColumn = parse.GetValue(label);
            var dataset = parse.GetValue(data) is string path ? DatasetLoader.Load(path, labelColumn, CommonOptions.SplitList(parse.GetValue(features))) : null;
            if (dataset != null && dataset.Width != model.InputSize)
            {
                throw new InputException(
                    $"--data {dataset.Source}: rows have {dataset.Width} features but the model takes {model.InputSize}; select columns with --features or give the data it was trained on.");
            }

            var notes = new Dictionary<string, JsonNode?> { ["importedFrom"] = Path.GetFullPath(source) };
            if (JsonNode.Parse(File.ReadAllBytes(Path.Combine(source, "model.json"))) is JsonObject original)
            {
                foreach (string key in KeptNotes.Where(original.ContainsKey))
                {
                    notes[key] = original[key]?.DeepClone();
                }
            }

            var ml = new MLContext(seed: model.Training.Seed);
            IDataView view = dataset?.ToDataView(ml) ?? Autoencoders.ML.Data.VectorColumns.Load(ml.Data, Array.Empty<float[]>(), model.InputSize, "Features");
            bool interrupted = OutputFolder.Write(outDir, staging =>
            {
                OutputFolder.WriteModel(staging, model, ml, view, notes);
                if (dataset != null)
                {
                    OutputFolder.WritePictures(staging, model, dataset, model.Training.Seed);
                }

                OutputFolder.WriteReport(staging, model, dataset, labelColumn, Array.Empty<(string, double)>(), outDir);
            });

            Console.WriteLine($"imported {model.Spec} ({model.Kind}, {model.History.Epochs.Count} epochs) from {Path.GetFullPath(source)}; wrote {Path.GetFullPath(outDir)}");
            return interrupted ? 130 : 0;
        }));
        return command;
    }
}
