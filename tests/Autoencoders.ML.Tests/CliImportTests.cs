using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Models;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary><c>autoencoders import</c>: export --safetensors → import writes a complete model folder with the same outputs; a bad file is exit 2 naming the key.</summary>
public sealed class CliImportTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-cli-import-{Guid.NewGuid():N}");

    public CliImportTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ExportedWeightsImportAsACompleteModelFolder()
    {
        string csv = Path.Combine(folder, "rows.csv");
        var random = new Random(5);
        File.WriteAllLines(csv, new[] { string.Join(',', Enumerable.Range(0, 12).Select(j => $"f{j}")) }
            .Concat(Enumerable.Range(0, 120).Select(_ => string.Join(',', Enumerable.Range(0, 12).Select(_ => random.NextDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture))))));
        string model = Path.Combine(folder, "model");
        string exported = Path.Combine(folder, "exported");
        string imported = Path.Combine(folder, "imported");
        Assert.Equal(0, Run("train", "--data", csv, "--kind", "vae", "--hidden", "8", "--latent", "3", "--epochs", "2", "--out", model).Code);
        Assert.Equal(0, Run("export", "--model", model, "--out", exported, "--safetensors").Code);

        var (code, output, error) = Run("import", "--from", exported, "--out", imported, "--data", csv);
        Assert.True(code == 0, error);
        Assert.Contains("imported 12-8-3-8-12 (variational, 2 epochs)", output);
        foreach (string file in new[] { "model.json", "weights.bin", "manifest.json", "encoder.onnx", "decoder.onnx", "autoencoder.onnx", "model.zip", "loss.png", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(imported, file)), $"{file} is missing");
        }

        using (var original = AutoencoderModel.Load(model))
        using (var back = AutoencoderModel.Load(imported))
        {
            var rows = File.ReadLines(csv).Skip(1).Take(10).Select(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.Equal(original.Reconstruct(rows), back.Reconstruct(rows));
        }

        // A weights file of another model: exit 2, the key named, nothing written.
        string other = Path.Combine(folder, "other");
        Assert.Equal(0, Run("train", "--data", csv, "--hidden", "8", "--latent", "3", "--epochs", "1", "--out", Path.Combine(folder, "plain")).Code);
        Assert.Equal(0, Run("export", "--model", Path.Combine(folder, "plain"), "--out", other, "--safetensors").Code);
        File.Copy(Path.Combine(other, "weights.safetensors"), Path.Combine(exported, "weights.safetensors"), overwrite: true);
        var refused = Run("import", "--from", exported, "--out", Path.Combine(folder, "refused"));
        Assert.Equal(2, refused.Code);
        Assert.Contains("missing key(s) 'mean.weight'", refused.Error);
        Assert.False(Directory.Exists(Path.Combine(folder, "refused")));
    }

    private (int Code, string Output, string Error) Run(params string[] args) => CliProcess.Run(folder, args);
}
