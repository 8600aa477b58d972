using System.Text.Json;
using Autoencoders.ML.Examples;

namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders sample</c>: draws from a VAE's prior and decodes, as CSV (and a PNG grid for images).</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var count = CommonOptions.WithDefault<int>("--count", 16, "Number of samples.");
        var seed = CommonOptions.WithDefault<int>("--seed", 0, "Seed of the latent draws.");
        var cluster = new Option<int?>("--cluster") { Description = "Gaussian-mixture VAE: sample from this component (0-based); default the whole mixture." };
        var output = CommonOptions.Output("CSV file to write (default: stdout).");
        var png = new Option<string?>("--png") { Description = "Also write the samples as a PNG grid (image models; default: samples.png beside --out)." };
        var command = new Command("sample", "Generate data from a variational autoencoder (z ~ N(0, I), decoded) or a Gaussian-mixture VAE (z from one component with --cluster k, or from the mixture).") { model, count, seed, cluster, output, png };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            int n = parse.GetValue(count);
            if (n <= 0)
            {
                throw new InputException($"--count {n}: the number of samples must be positive.");
            }

            string folder = parse.GetValue(model)!;
            using var loaded = ModelInput.LoadModel(folder);
            int? component = parse.GetValue(cluster);
            if (loaded.IsMixture && component is int k && (k < 0 || k >= loaded.Clusters))
            {
                throw new InputException($"--cluster {k}: this model has {loaded.Clusters} components, numbered 0 to {loaded.Clusters - 1}.");
            }

            if (!loaded.IsMixture && component != null)
            {
                throw new InputException($"--cluster needs a Gaussian-mixture VAE (train with --kind gmvae); this model is '{loaded.Kind}'.");
            }

            if (!loaded.IsVariational && !loaded.IsMixture)
            {
                throw new InputException($"this model is '{loaded.Kind}'; sampling from a prior needs a variational autoencoder (train with --kind vae or gmvae).");
            }

            var samples = loaded.IsMixture ? loaded.SampleMixture(n, parse.GetValue(seed), component) : loaded.SamplePrior(n, parse.GetValue(seed));
            string? csv = parse.GetValue(output);
            CsvOutput.Write(csv, CsvOutput.Names("x", loaded.Spec.OutputSize), samples);
            string? image = parse.GetValue(png) ?? (csv == null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(csv))!, "samples.png"));
            if (image != null && ImageShape(folder) is var (c, h, w) && c * h * w == loaded.Spec.OutputSize)
            {
                ImageGrid.Save(image, samples.Chunk(12).ToArray(), h, w, c);
            }

            return 0;
        }));
        return command;
    }

    // The tool records the data's image shape in model.json when it trains.
    private static (int C, int H, int W)? ImageShape(string folder)
    {
        string path = Path.Combine(folder, "model.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        if (!json.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("image_shape", out var shape) || shape.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var parts = shape.GetString()!.Split('x').Select(int.Parse).ToArray();
        return (parts[0], parts[1], parts[2]);
    }
}
