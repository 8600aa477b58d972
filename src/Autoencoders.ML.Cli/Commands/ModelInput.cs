using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// Loads a model — a folder written by 'train' or <c>AutoencoderModel.Save</c>, or an ML.NET model.zip that holds an
/// autoencoder transform — and data that fits it, with usage errors (exit 2) for every mismatch. Every command reads
/// its model here.
/// </summary>
internal static class ModelInput
{
    public static AutoencoderModel LoadModel(string path)
    {
        CommonOptions.EnsureModelFolder(path);
        try
        {
            return AutoencoderModel.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new InputException(e.Message, e);
        }
    }

    /// <summary>
    /// For an ML.NET model zip (or a folder whose model is its model.zip): the pipeline as
    /// <c>LoadAutoencoderPipeline</c> gives it back — stage types and output columns with types; otherwise null.
    /// </summary>
    public static object? DescribePipeline(string path)
    {
        string zip = Directory.Exists(path) ? Path.Combine(path, "model.zip") : path;
        if (!IsPipelineZip(zip))
        {
            return null;
        }

        var ml = new MLContext();
        var pipeline = ml.Model.LoadAutoencoderPipeline(zip, out var schema);
        try
        {
            var stages = pipeline is IEnumerable<ITransformer> chain ? Flatten(chain).ToList() : new List<ITransformer> { pipeline };
            var output = pipeline.GetOutputSchema(schema);
            return new
            {
                file = zip,
                stages = stages.Select(s => s.GetType().Name).ToArray(),
                columns = output.Where(c => !c.IsHidden).ToDictionary(c => c.Name, c => c.Type.ToString()),
            };
        }
        finally
        {
            (pipeline as IDisposable)?.Dispose();
        }
    }

    // ML.NET writes every model zip with its stages under TransformerChain/; our own model zip has model.json instead.
    private static bool IsPipelineZip(string path)
    {
        if (!File.Exists(path) || !path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            return zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal));
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{path}: not a readable zip ({CliRunner.OneLine(e)}); the file is truncated or damaged. Save or train the model again.", e);
        }
    }

    private static IEnumerable<ITransformer> Flatten(IEnumerable<ITransformer> chain) =>
        chain.SelectMany(t => t is IEnumerable<ITransformer> inner ? Flatten(inner) : new[] { t });

    /// <summary>
    /// The CSV columns the model at <paramref name="modelPath"/> was trained on, from the <c>model.json</c> that 'train'
    /// wrote into its folder (beside a <c>model.zip</c> or graph given as the model); null when unknown (then columns
    /// are matched by position).
    /// </summary>
    public static IReadOnlyList<string>? TrainingColumns(string modelPath)
    {
        string? folder = Directory.Exists(modelPath) ? modelPath : File.Exists(modelPath) ? Path.GetDirectoryName(Path.GetFullPath(modelPath)) : null;
        if (folder == null || Output.ModelReport.ReadNotes(folder)["data"]?["columns"] is not System.Text.Json.Nodes.JsonArray columns)
        {
            return null;
        }

        if (columns.Any(c => c?.GetValueKind() != System.Text.Json.JsonValueKind.String))
        {
            return null;
        }

        var names = columns.Select(c => c!.GetValue<string>()).ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names : null;
    }

    /// <summary>Reads --data for the model at <paramref name="modelPath"/>: a CSV's columns matched by name (<see cref="TrainingColumns"/>), the width checked.</summary>
    public static Dataset LoadData(string modelPath, string path, string? labelColumn, string? features, int expectedWidth)
    {
        var columns = TrainingColumns(modelPath);
        var data = DatasetLoader.Load(path, labelColumn, CommonOptions.SplitList(features), trainingColumns: columns?.Count == expectedWidth ? columns : null);
        if (data.Width != expectedWidth)
        {
            throw new InputException(
                $"{path}: rows have {data.Width} features but the model expects {expectedWidth}; select columns with --features or use the data the model was trained on.");
        }

        return data;
    }
}
