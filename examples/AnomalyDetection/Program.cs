// Anomaly detection with an autoencoder in an ML.NET pipeline (issue 14):
//   dotnet run --project examples/AnomalyDetection -c Release -- [--data data/anomaly/cardio.csv] [--out models/anomaly]
// Trains mlContext.AnomalyDetection.Trainers.Autoencoder on a bundled ODDS set without its labels, evaluates with
// ML.NET's own anomaly evaluator, changes the threshold without retraining, draws the score histogram (normal vs
// anomalous) and exports anomaly.onnx (features → score, threshold in the metadata); the model zip loads with ML.NET alone.
using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

string data = Arg("--data") ?? FindCsv("cardio.csv");
string outDir = Arg("--out") ?? "models/anomaly";
Directory.CreateDirectory(outDir);

// The ODDS CSVs: numeric feature columns, then `label` (1 = anomaly).
int width = File.ReadLines(data).First().Split(',').Length - 1;
var ml = new MLContext(seed: 0);
var rows = ml.Data.LoadFromTextFile(data, new[]
{
    new TextLoader.Column("Features", DataKind.Single, 0, width - 1),
    new TextLoader.Column("Label", DataKind.Single, width),
}, separatorChar: ',', hasHeader: true);

// Unsupervised: the trainer never reads Label. 10% expected anomalies sets the threshold.
var pipeline = ml.AnomalyDetection.Trainers.Autoencoder(featureColumnName: "Features", contamination: 0.1);
var clock = System.Diagnostics.Stopwatch.StartNew();
using var model = pipeline.Fit(rows);
var scored = model.Transform(rows);
var metrics = ml.AnomalyDetection.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score", predictedLabelColumnName: "PredictedLabel");
Console.WriteLine($"{Path.GetFileName(data)}: {width} features; trained and scored in {clock.Elapsed.TotalSeconds:F0} s");
Console.WriteLine($"AUROC {metrics.AreaUnderRocCurve:F3}; detection rate at 10 false positives {metrics.DetectionRateAtFalsePositiveCount:F3}");

var scores = scored.GetColumn<float>("Score").ToArray();
var labels = scored.GetColumn<float>("Label").ToArray();
var flagged = scored.GetColumn<bool>("PredictedLabel").ToArray();
Report("threshold from contamination 0.1", model.Threshold, flagged, labels);

// A stricter threshold, no retraining: the same graph with another constant.
using (var strict = model.WithContamination(0.02))
{
    Report("threshold from contamination 0.02", strict.Threshold, strict.Transform(rows).GetColumn<bool>("PredictedLabel").ToArray(), labels);
}

ScoreHistogram.Save(Path.Combine(outDir, "scores.png"), scores, labels, model.Threshold, Path.GetFileNameWithoutExtension(data));
model.ExportOnnx(Path.Combine(outDir, "anomaly.onnx"));
ml.Model.Save(model, rows.Schema, Path.Combine(outDir, "model.zip"));
Console.WriteLine($"wrote scores.png, {"anomaly.onnx"} (features → score, threshold {model.Threshold:F4} in its metadata) and model.zip to {Path.GetFullPath(outDir)}");
return 0;

static void Report(string what, double threshold, bool[] flagged, float[] labels)
{
    int truePositives = flagged.Where((f, i) => f && labels[i] == 1).Count();
    int anomalies = labels.Count(l => l == 1);
    Console.WriteLine($"{what} ({threshold:F4}): {flagged.Count(f => f)} rows flagged, {truePositives} of {anomalies} anomalies caught, precision {truePositives / (double)Math.Max(1, flagged.Count(f => f)):F2}");
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindCsv(string name)
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "data", "anomaly", name);
        if (File.Exists(candidate))
        {
            return candidate;
        }
    }

    throw new FileNotFoundException($"data/anomaly/{name} was not found above {Directory.GetCurrentDirectory()}; pass --data FILE.csv.");
}
