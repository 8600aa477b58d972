
namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>encode</c>, <c>reconstruct</c> and <c>denoise</c>: map every row of a data file and write CSV.</summary>
internal static class MapCommands
{
    public static Command Encode() => Create(
        "encode", "Write the latent code of every row as CSV (columns z0..z{k-1}, plus the label column if given).",
        (model, rows) => model.Encode(rows), (model, dataset) => CsvOutput.Names("z", model.LatentSize));

    public static Command Reconstruct() => Create(
        "reconstruct", "Write the reconstruction of every row as CSV (the input's column names).",
        (model, rows) => model.Reconstruct(rows), (model, dataset) => OutputNames(model, dataset));

    public static Command Denoise() => Create(
        "denoise", "Write the denoised version of every (noisy) row as CSV; needs a model trained with --kind dae.",
        (model, rows) =>
        {
            if (model.Kind != "denoising")
            {
                throw new InputException($"this model is '{model.Kind}', not a denoising autoencoder; train one with --kind dae --noise ..., or use 'reconstruct'.");
            }

            return model.Reconstruct(rows);
        },
        (model, dataset) => OutputNames(model, dataset));

    public static Command Cluster() => Create(
        "cluster", "Write the cluster of every row as CSV: 'cluster' (the most likely component, 0-based), then p0..p{K-1} (q(y|x)), then the label column if given; needs --kind gmvae.",
        (model, rows) =>
        {
            if (!model.IsMixture)
            {
                throw new InputException($"this model is '{model.Kind}'; clustering needs a Gaussian-mixture VAE (train with --kind gmvae --clusters K).");
            }

            return model.ClusterProbabilities(rows).Select(p => new[] { (float)Array.IndexOf(p, p.Max()) }.Concat(p).ToArray()).ToArray();
        },
        (model, dataset) => new[] { "cluster" }.Concat(CsvOutput.Names("p", model.Clusters)).ToArray(),
        labelLast: true);

    private static string[] OutputNames(AutoencoderModel model, Dataset dataset) =>
        model.Spec.OutputSize == dataset.Width ? new System.Collections.Generic.List<string>(dataset.FeatureNames).ToArray() : CsvOutput.Names("y", model.Spec.OutputSize);

    // labelLast: the label column (when given) goes after the outputs instead of first (the cluster command's contract).
    private static Command Create(
        string name, string description, Func<AutoencoderModel, float[][], float[][]> map, Func<AutoencoderModel, Dataset, string[]> header, bool labelLast = false)
    {
        var (model, data, label, features) = CommonOptions.ModelAndData();
        var output = CommonOptions.Output("CSV file to write (default: stdout).");
        var command = new Command(name, description) { model, data, label, features, output };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            if (parse.GetValue(output) is string target)
            {
                CsvOutput.CheckNotAnInput(target, new[] { parse.GetValue(data) });
            }

            using var loaded = ModelInput.LoadModel(parse.GetValue(model)!);
            var dataset = ModelInput.LoadData(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(label), parse.GetValue(features), loaded.InputSize);
            var result = new float[dataset.Rows.Length][];
            const int Batch = 4096;
            for (int start = 0; start < dataset.Rows.Length; start += Batch)
            {
                var part = dataset.Rows.AsSpan(start, Math.Min(Batch, dataset.Rows.Length - start)).ToArray();
                map(loaded, part).CopyTo(result, start);
            }

            CsvOutput.Write(parse.GetValue(output), header(loaded, dataset), result, dataset.Labels, parse.GetValue(label) ?? "label", labelLast);
            return 0;
        }));
        return command;
    }
}
