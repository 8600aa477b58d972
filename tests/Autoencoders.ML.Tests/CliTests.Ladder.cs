using System.IO;
using System.Linq;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>finetune's objective: the classifier by default, the Ladder with --objective ladder.</summary>
public sealed partial class CliTests
{
    [Fact]
    public void FineTuneUsesTheClassifierObjectiveUnlessTheLadderIsAskedFor()
    {
        string csv = WriteMnistCsv("digits.csv", 200);
        var lines = File.ReadAllLines(csv);
        string unlabeled = Path.Combine(folder, "unlabeled.csv");
        File.WriteAllLines(unlabeled, lines.Select(l => l[(l.IndexOf(',') + 1)..]));
        string pretrained = Path.Combine(folder, "pretrained");
        Assert.Equal(0, Run("train", "--data", csv, "--label-column", "label", "--hidden", "32", "--latent", "8", "--epochs", "2", "--out", pretrained).Code);

        string ladder = Path.Combine(folder, "ladder");
        var asked = Run("finetune", "--model", pretrained, "--data", csv, "--label-column", "label", "--unlabeled", unlabeled, "--objective", "ladder", "--steps", "20", "--out", ladder);
        Assert.True(asked.Code == 0, asked.Error);
        Assert.Contains("ladder objective", asked.Output);
        Assert.Contains("\"Ladder\":{", File.ReadAllText(Path.Combine(ladder, "classifier.json")));
        Assert.True(File.Exists(Path.Combine(ladder, "classifier.onnx")));

        var plain = Run("finetune", "--model", pretrained, "--data", csv, "--label-column", "label", "--unlabeled", unlabeled,
            "--steps", "20", "--head-steps", "5", "--out", Path.Combine(folder, "plain"));
        Assert.True(plain.Code == 0, plain.Error);
        Assert.Contains("classifier objective", plain.Output);
        Assert.Contains("\"Ladder\":null", File.ReadAllText(Path.Combine(folder, "plain", "classifier.json")));

        var bad = Run("finetune", "--model", pretrained, "--data", csv, "--label-column", "label", "--objective", "gamma", "--out", Path.Combine(folder, "bad"));
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("gamma", bad.Error);
    }
}
