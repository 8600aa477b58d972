using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>finetune, predict and evaluate of a classifier folder, with text labels, and their errors.</summary>
public sealed partial class CliTests
{
    [Fact]
    public void FineTunePredictAndEvaluateAClassifierWithTextLabels()
    {
        // Text labels: "even"/"odd" of the row number's digit; the test checks the mechanics, not the accuracy.
        string csv = WriteMnistCsv("digits.csv", 200);
        var lines = File.ReadAllLines(csv);
        string labeled = Path.Combine(folder, "labeled.csv");
        File.WriteAllLines(labeled, lines.Take(1).Concat(lines.Skip(1).Select(l => (int.Parse(l.Split(',')[0]) % 2 == 0 ? "even" : "odd") + l[l.IndexOf(',')..])));
        string pretrained = Path.Combine(folder, "pretrained");
        Assert.Equal(0, Run("train", "--data", csv, "--label-column", "label", "--hidden", "32", "--latent", "8", "--epochs", "2", "--out", pretrained).Code);

        string classifier = Path.Combine(folder, "classifier");
        var fineTune = Run("finetune", "--model", pretrained, "--data", labeled, "--label-column", "label", "--steps", "20", "--head-steps", "5", "--out", classifier);
        Assert.True(fineTune.Code == 0, fineTune.Error);
        Assert.True(File.Exists(Path.Combine(classifier, "classifier.onnx")));
        Assert.True(File.Exists(Path.Combine(classifier, "model.json")));
        Assert.Contains("Classifier (classifier.onnx)", File.ReadAllText(Path.Combine(classifier, "report.html"))); // the confusion matrix

        string predictions = Path.Combine(folder, "predictions.csv");
        var predict = Run("predict", "--model", classifier, "--data", labeled, "--label-column", "label", "--out", predictions);
        Assert.True(predict.Code == 0, predict.Error);
        var rows = File.ReadAllLines(predictions);
        Assert.Equal(201, rows.Length);
        Assert.Equal("predicted_label,probability_even,probability_odd", rows[0]);
        Assert.All(rows.Skip(1), row => Assert.Contains(row.Split(',')[0], new[] { "even", "odd" }));

        // The classifier saved as a zip (AutoencoderClassifier.Save) predicts the same.
        string zip = Path.Combine(folder, "classifier.zip");
        using (var loaded = Autoencoders.ML.Classification.AutoencoderClassifier.Load(classifier))
        {
            loaded.Save(zip);
        }

        string zipPredictions = Path.Combine(folder, "zip-predictions.csv");
        var fromZip = Run("predict", "--model", zip, "--data", labeled, "--label-column", "label", "--out", zipPredictions);
        Assert.True(fromZip.Code == 0, fromZip.Error);
        Assert.Equal(rows, File.ReadAllLines(zipPredictions));

        var evaluate = Run("evaluate", "--model", classifier, "--data", labeled, "--label-column", "label");
        Assert.True(evaluate.Code == 0, evaluate.Error);
        using (var json = JsonDocument.Parse(evaluate.Output))
        {
            Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0.0, 1.0);
            Assert.InRange(json.RootElement.GetProperty("macro_f1").GetDouble(), 0.0, 1.0);
            Assert.Equal(200, json.RootElement.GetProperty("rows").GetInt32());
        }

        // A damaged classifier.onnx: an error naming the file.
        string damagedFolder = Path.Combine(folder, "damaged");
        Directory.CreateDirectory(damagedFolder);
        foreach (var file in Directory.GetFiles(classifier))
        {
            File.Copy(file, Path.Combine(damagedFolder, Path.GetFileName(file)));
        }

        string damagedOnnx = Path.Combine(damagedFolder, "classifier.onnx");
        File.WriteAllBytes(damagedOnnx, File.ReadAllBytes(damagedOnnx)[..1000]);
        var damaged = Run("predict", "--model", damagedFolder, "--data", labeled, "--label-column", "label");
        Assert.Equal(2, damaged.Code);
        Assert.Contains("classifier.onnx", damaged.Error);

        // A class never seen in training, a missing label column, one class only.
        string unseen = Path.Combine(folder, "unseen.csv");
        File.WriteAllLines(unseen, File.ReadAllLines(labeled).Take(3).Select((l, i) => i == 2 ? "three" + l[l.IndexOf(',')..] : l));
        var bad = Run("evaluate", "--model", classifier, "--data", unseen, "--label-column", "label");
        Assert.Equal(2, bad.Code);
        Assert.Contains("class 'three' was never seen in training", bad.Error);

        // Unlabeled rows (no label column) for pseudo-labels and the regulariser; a bad threshold names its flag.
        string unlabeledCsv = Path.Combine(folder, "unlabeled.csv");
        File.WriteAllLines(unlabeledCsv, lines.Select(l => l[(l.IndexOf(',') + 1)..]));
        var withUnlabeled = Run("finetune", "--model", pretrained, "--data", labeled, "--label-column", "label", "--unlabeled", unlabeledCsv, "--steps", "20", "--head-steps", "5",
            "--pseudo-label-threshold", "0.6", "--out", Path.Combine(folder, "pseudo"));
        Assert.True(withUnlabeled.Code == 0, withUnlabeled.Error);
        var badThreshold = Run("finetune", "--model", pretrained, "--data", labeled, "--label-column", "label", "--pseudo-label-threshold", "1.5", "--out", Path.Combine(folder, "z"));
        Assert.Equal(2, badThreshold.Code);
        Assert.Contains("--pseudo-label-threshold", badThreshold.Error);

        var missing = Run("finetune", "--model", pretrained, "--data", labeled, "--label-column", "digit", "--out", Path.Combine(folder, "x"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("digit", missing.Error);

        string single = Path.Combine(folder, "single.csv");
        File.WriteAllLines(single, File.ReadAllLines(labeled).Where((l, i) => i == 0 || l.StartsWith("even", System.StringComparison.Ordinal)));
        var one = Run("finetune", "--model", pretrained, "--data", single, "--label-column", "label", "--out", Path.Combine(folder, "y"));
        Assert.Equal(2, one.Code);
        Assert.Contains("one class only ('even')", one.Error);
    }
}
