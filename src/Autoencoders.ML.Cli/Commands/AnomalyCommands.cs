using System.Globalization;
using System.Text.Json.Nodes;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Autoencoders.ML.Transforms;
using Autoencoders.ML.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// Anomaly detection in the CLI: <c>train --anomaly</c> writes <c>anomaly.onnx</c> (the library's default detector, trained on
/// the same rows without the label), <c>score</c> writes one score per row, and <c>evaluate --label-column</c> adds
/// AUROC and AUPRC for 0/1 labels.
/// </summary>
internal static class AnomalyCommands
{
    private const int Batch = 256;

    /// <summary>
    /// Trains the default detector (<c>mlContext.AnomalyDetection.Trainers.Autoencoder</c>: tabular or image recipe,
    /// chosen from the rows) on the training rows and writes <c>anomaly.onnx</c> into <paramref name="folder"/>.
    /// Returns a line for the summary, or why nothing was written (too few rows or features).
    /// </summary>
    public static string WriteDetector(string folder, Dataset dataset, TrainingOptions training)
    {
        if (dataset.Width < 2 || dataset.Rows.Length <= AnomalyScorer.DefaultNeighbours)
        {
            return $"anomaly.onnx not written: the detector needs at least 2 features and {AnomalyScorer.DefaultNeighbours + 1} rows";
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ml = new MLContext(seed: training.Seed);
        var view = dataset.ToDataView(ml);
        using var detector = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyTrainer.Options { Seed = training.Seed, Threads = training.Threads }).Fit(view);
        detector.ExportOnnx(Path.Combine(folder, AnomalyOnnx.FileName));
        string recipe = $"{detector.Scorer.Recipe?.ToString().ToLowerInvariant()} recipe, {detector.Scorer.RecipeReason}";
        return $"anomaly.onnx: {recipe} ({detector.Scorer.Model.Kind} {detector.Scorer.Model.Spec}), threshold {detector.Threshold:G4} (contamination {AnomalyScorer.DefaultContamination}), {clock.Elapsed.TotalSeconds:F0} s";
    }

    /// <summary><c>autoencoders score</c>.</summary>
    public static Command Score()
    {
        var (model, data, label, features) = CommonOptions.ModelAndData();
        var output = CommonOptions.Output("CSV file to write (default: stdout): columns score, is_anomaly (1/0), plus the label column when given.");
        var command = new Command("score", "Anomaly scores with the model folder's anomaly.onnx: one CSV line per input row, in input order.")
        {
            model, data, label, features, output,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string labelName = parse.GetValue(label) ?? "label";
            using var graph = Open(parse.GetValue(model)!);
            var dataset = DatasetLoader.Load(
                parse.GetValue(data)!, parse.GetValue(label), CommonOptions.SplitList(parse.GetValue(features)), trainingColumns: ModelInput.TrainingColumns(parse.GetValue(model)!));
            var scores = graph.Score(dataset);
            WriteScores(parse.GetValue(output), scores, graph.Threshold, dataset.Labels, labelName);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The part of <c>evaluate</c> for anomaly detection: with a label column and an <c>anomaly.onnx</c> beside the model,
    /// adds <c>auroc</c>, <c>auprc</c>, <c>anomalies</c> and <c>threshold</c> to <paramref name="result"/>.
    /// Labels that are all 0/1 but of one class are an error; labels that are not 0/1 give a note (they may be class
    /// labels meant for other metrics) and no anomaly metrics.
    /// </summary>
    public static void AddMetrics(JsonObject result, string modelPath, Dataset dataset, string? labelColumn)
    {
        if (labelColumn == null || dataset.Labels == null || AnomalyFile(modelPath) is not string file || !File.Exists(file))
        {
            return;
        }

        var labels = new int[dataset.Labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (!double.TryParse(dataset.Labels[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value is not (0 or 1))
            {
                Console.Error.WriteLine(
                    $"note: no AUROC/AUPRC: {Row(dataset, i)}: label column '{labelColumn}' is '{dataset.Labels[i]}'; anomaly metrics need 0 (normal) or 1 (anomaly).");
                return;
            }

            labels[i] = (int)value;
        }

        int anomalies = labels.Count(l => l == 1);
        if (anomalies == 0 || anomalies == labels.Length)
        {
            throw new InputException(
                $"{dataset.Source}: label column '{labelColumn}' holds only {(anomalies == 0 ? "0 (normal)" : "1 (anomaly)")} in all {labels.Length} rows; AUROC and AUPRC need both 0 and 1 rows.");
        }

        using var graph = Open(modelPath);
        var scores = graph.Score(dataset).Select(s => (double)s).ToArray();
        result["auroc"] = AnomalyMetrics.Auroc(scores, labels);
        result["auprc"] = AnomalyMetrics.Auprc(scores, labels);
        result["anomalies"] = anomalies;
        result["threshold"] = graph.Threshold;
    }

    /// <summary>The scores of up to <paramref name="maxRows"/> rows (evenly spaced) and the threshold of the folder's anomaly.onnx, or null when there is none.</summary>
    public static (float[] Scores, double Threshold)? ScoreFolder(string folder, Dataset dataset, int maxRows = 10_000)
    {
        if (!File.Exists(Path.Combine(folder, AnomalyOnnx.FileName)) || dataset.Rows.Length == 0)
        {
            return null;
        }

        int count = Math.Min(maxRows, dataset.Rows.Length);
        var rows = Enumerable.Range(0, count).Select(i => dataset.Rows[(int)((long)i * dataset.Rows.Length / count)]).ToArray();
        using var graph = Open(folder);
        return (graph.Score(new Dataset(dataset.Source, dataset.FeatureNames, rows, null, dataset.ImageShape)), graph.Threshold);
    }

    // score, is_anomaly (1/0), then the label as read: one line per input row, in input order.
    private static void WriteScores(string? path, float[] scores, double threshold, IReadOnlyList<string>? labels, string labelName)
    {
        using TextWriter writer = path == null ? new StreamWriter(Console.OpenStandardOutput()) : new StreamWriter(path);
        using var csv = new CsvHelper.CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteField("score");
        csv.WriteField("is_anomaly");
        if (labels != null)
        {
            csv.WriteField(labelName);
        }

        csv.NextRecord();
        for (int i = 0; i < scores.Length; i++)
        {
            csv.WriteField(scores[i].ToString("R", CultureInfo.InvariantCulture));
            csv.WriteField(scores[i] > threshold ? "1" : "0");
            if (labels != null)
            {
                csv.WriteField(labels[i]);
            }

            csv.NextRecord();
        }
    }

    private static string Row(Dataset dataset, int i) => dataset.Lines != null ? $"{dataset.Source}: row {dataset.Lines[i]}" : $"{dataset.Source}: item {i + 1}";

    // The model folder, its model.zip (the anomaly graph is beside it) or the graph itself.
    private static string? AnomalyFile(string modelPath) =>
        modelPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? modelPath
        : Directory.Exists(modelPath) ? Path.Combine(modelPath, AnomalyOnnx.FileName)
        : File.Exists(modelPath) && modelPath.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, AnomalyOnnx.FileName)
        : null;

    private static AnomalyGraph Open(string modelPath)
    {
        CommonOptions.EnsureModelFolder(modelPath);
        string file = AnomalyFile(modelPath)
            ?? throw new InputException($"{modelPath}: give the model folder written by 'train' (it holds {AnomalyOnnx.FileName}) or the path of an {AnomalyOnnx.FileName}.");
        if (!File.Exists(file))
        {
            throw new InputException($"{modelPath}: no {AnomalyOnnx.FileName} in the folder; train with 'autoencoders train --anomaly', which writes it.");
        }

        return new AnomalyGraph(file);
    }

    /// <summary><c>anomaly.onnx</c> in an ONNX Runtime session, with its threshold and input size from the metadata.</summary>
    private sealed class AnomalyGraph : IDisposable
    {
        private static readonly ScoredColumn ScoreOutput = new(OnnxNames.AnomalyScore, OnnxNames.AnomalyScore, 1, IsScalar: true);
        private readonly OnnxBatchScorer scorer;
        private readonly int batch;

        public AnomalyGraph(string path)
        {
            try
            {
                byte[] graph = File.ReadAllBytes(path);
                OnnxIntegrity.Verify(graph, path); // a flipped weight would load and score wrongly
                scorer = new OnnxBatchScorer(graph, "features", inputSize: null, intraOpThreads: null, nameof(AnomalyGraph));
                batch = AnomalyScorer.BoundedScoringBatch(Batch, graph.LongLength / sizeof(float)); // the graph's size bounds its kNN references
            }
            catch (Exception e) when (e is OnnxRuntimeException or ArgumentException or InvalidDataException)
            {
                throw new InputException($"{path}: not a readable anomaly graph ({CliRunner.OneLine(e)}); train again to rewrite it.", e);
            }

            if (!scorer.OutputNames.Contains(OnnxNames.AnomalyScore)
                || !scorer.Metadata.TryGetValue(OnnxNames.ThresholdKey, out string? threshold)
                || !double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                scorer.Dispose();
                throw new InputException($"{path}: not an anomaly graph (expected input 'features', output 'score' and a 'threshold' metadata entry).");
            }

            Threshold = value;
            Path = path;
        }

        public double Threshold { get; }

        public string Path { get; }

        /// <summary>One score per row (rows are finite: the loaders reject anything else).</summary>
        public float[] Score(Dataset dataset)
        {
            if (dataset.Width != scorer.InputSize)
            {
                throw new InputException($"{dataset.Source}: rows have {dataset.Width} features but {Path} expects {scorer.InputSize}; select columns with --features or --label-column.");
            }

            return scorer.ScoreAll(dataset.Rows, ScoreOutput, batch);
        }

        public void Dispose() => scorer.Dispose();
    }
}
