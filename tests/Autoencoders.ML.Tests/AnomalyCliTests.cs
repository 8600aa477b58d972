using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Anomaly detection in the CLI: train --anomaly writes anomaly.onnx, score and evaluate --label-column use it.</summary>
public sealed class AnomalyCliTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-anomaly-cli-{Guid.NewGuid():N}");

    public AnomalyCliTests()
    {
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TrainWritesAnomalyOnnxScoreWritesOneLinePerRowEvaluatePrintsAurocAndRefusesOneClassLabels()
    {
        string csv = AnomalyDetectorTests.FindAnomalyCsv("thyroid.csv");
        string model = Path.Combine(folder, "m");
        // No model flags but a short main model: the detector in anomaly.onnx does not depend on them.
        var train = Run("train", "--data", csv, "--label-column", "label", "--epochs", "1", "--anomaly", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.True(File.Exists(Path.Combine(model, "anomaly.onnx")));
        Assert.Contains("anomaly.onnx: tabular recipe", train.Output);
        Assert.Contains("Anomaly detector (anomaly.onnx)", File.ReadAllText(Path.Combine(model, "report.html"))); // its score histogram

        // Without --anomaly no detector is trained, and score says how to get one.
        string plain = Path.Combine(folder, "plain");
        var plainTrain = Run("train", "--data", csv, "--label-column", "label", "--epochs", "1", "--out", plain);
        Assert.True(plainTrain.Code == 0, plainTrain.Error);
        Assert.False(File.Exists(Path.Combine(plain, "anomaly.onnx")));
        Assert.DoesNotContain("anomaly.onnx", plainTrain.Output);
        var noDetector = Run("score", "--model", plain, "--data", csv);
        Assert.Equal(2, noDetector.Code);
        Assert.Contains("--anomaly", noDetector.Error);

        string scores = Path.Combine(folder, "scores.csv");
        var score = Run("score", "--model", model, "--data", csv, "--label-column", "label", "--out", scores);
        Assert.True(score.Code == 0, score.Error);
        var lines = File.ReadAllLines(scores);
        var input = File.ReadAllLines(csv);
        Assert.Equal("score,is_anomaly,label", lines[0]);
        Assert.Equal(input.Length, lines.Length);
        // In input order: the label column comes back row by row.
        Assert.Equal(input.Skip(1).Select(l => l.Split(',')[^1]), lines.Skip(1).Select(l => l.Split(',')[2]));
        var flagged = lines.Skip(1).Count(l => l.Split(',')[1] == "1");
        Assert.InRange(flagged / (double)(lines.Length - 1), 0.05, 0.15);

        // The folder's model.zip stands for the folder.
        string zipScores = Path.Combine(folder, "zip-scores.csv");
        var fromZip = Run("score", "--model", Path.Combine(model, "model.zip"), "--data", csv, "--label-column", "label", "--out", zipScores);
        Assert.True(fromZip.Code == 0, fromZip.Error);
        Assert.Equal(lines, File.ReadAllLines(zipScores));

        var evaluate = Run("evaluate", "--model", model, "--data", csv, "--label-column", "label");
        Assert.True(evaluate.Code == 0, evaluate.Error);
        using (var json = JsonDocument.Parse(evaluate.Output))
        {
            Assert.True(json.RootElement.GetProperty("auroc").GetDouble() > 0.9, evaluate.Output);
            Assert.InRange(json.RootElement.GetProperty("auprc").GetDouble(), 0.1, 1.0);
        }

        // One class only: a clear error. Labels that are not 0/1: a note, no anomaly metrics.
        string oneClass = Path.Combine(folder, "normal-only.csv");
        File.WriteAllLines(oneClass, input.Take(1).Concat(input.Skip(1).Where(l => l.EndsWith(",0", StringComparison.Ordinal)).Take(50)));
        var refused = Run("evaluate", "--model", model, "--data", oneClass, "--label-column", "label");
        Assert.Equal(2, refused.Code);
        Assert.Contains("label column 'label' holds only 0 (normal) in all 50 rows", refused.Error);
        string classes = Path.Combine(folder, "classes.csv");
        File.WriteAllLines(classes, input.Take(1).Concat(input.Skip(1).Take(20).Select((l, i) => l[..l.LastIndexOf(',')] + "," + (i % 3))));
        var noted = Run("evaluate", "--model", model, "--data", classes, "--label-column", "label");
        Assert.Equal(0, noted.Code);
        Assert.Contains("anomaly metrics need 0 (normal) or 1 (anomaly)", noted.Error);
        Assert.DoesNotContain("auroc", noted.Output);

        var missing = Run("score", "--model", Path.Combine(folder, "nothing"), "--data", csv);
        Assert.Equal(2, missing.Code);

        // A damaged anomaly.onnx: an error naming the file, not a crash or a wrong score; first one flipped weight (still
        // valid ONNX, which ONNX Runtime would score), then a truncated file.
        string onnx = Path.Combine(model, "anomaly.onnx");
        byte[] intact = File.ReadAllBytes(onnx);
        File.WriteAllBytes(onnx, OnnxIntegrityTests.FlipWeight(intact));
        var flipped = Run("score", "--model", model, "--data", csv, "--label-column", "label");
        Assert.Equal(2, flipped.Code);
        Assert.Contains("anomaly.onnx", flipped.Error);
        Assert.Contains("SHA-256", flipped.Error);
        File.WriteAllBytes(onnx, intact);

        // One changed digit of the threshold in the metadata (the graph untouched): refused, not a different is_anomaly.
        var edited = global::Onnx.ModelProto.Parser.ParseFrom(intact);
        var threshold = edited.MetadataProps.Single(p => p.Key == Autoencoders.ML.Onnx.OnnxNames.ThresholdKey);
        int digit = threshold.Value.IndexOfAny("123456789".ToCharArray(), threshold.Value.IndexOf('.'));
        threshold.Value = threshold.Value[..digit] + (threshold.Value[digit] == '9' ? '8' : (char)(threshold.Value[digit] + 1)) + threshold.Value[(digit + 1)..];
        File.WriteAllBytes(onnx, Google.Protobuf.MessageExtensions.ToByteArray(edited));
        var retuned = Run("score", "--model", model, "--data", csv, "--label-column", "label");
        Assert.Equal(2, retuned.Code);
        Assert.Contains("anomaly.onnx", retuned.Error);
        Assert.Contains("model_sha256", retuned.Error);
        File.WriteAllBytes(onnx, intact);
        File.WriteAllBytes(onnx, File.ReadAllBytes(onnx)[..1000]);
        var damaged = Run("score", "--model", model, "--data", csv, "--label-column", "label");
        Assert.Equal(2, damaged.Code);
        Assert.Contains("anomaly.onnx", damaged.Error);
    }

    private (int Code, string Output, string Error) Run(params string[] args) => CliProcess.Run(folder, args);
}
