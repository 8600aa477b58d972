using System.Globalization;
using System.Text.Json.Nodes;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Cli.Commands;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// Fills report.html for a model folder: what was trained on what data, the loss curves, the PCA comparison, inputs
/// against reconstructions, a 2-D map of the codes, and the kind's extras (samples, mixture components, the detector's
/// scores, the classifier's confusion matrix). Written by <c>train</c> and <c>finetune</c>, rewritten by <c>report</c>.
/// </summary>
internal static class ModelReport
{
    /// <summary>Rows encoded for the latent map and reconstructed for the error tables (evenly spaced over the data).</summary>
    private const int SampleRows = 2000;

    private const int GridImages = 12;

    /// <summary>Writes <see cref="ReportPage.FileName"/> into <paramref name="folder"/>.</summary>
    /// <param name="folder">The model folder (its model.json, anomaly.onnx and classifier.onnx are read when present).</param>
    /// <param name="model">The folder's model.</param>
    /// <param name="data">Rows like the training rows, or null (then the data sections say how to add them).</param>
    /// <param name="labelColumn">The label column's name, when the rows have labels.</param>
    /// <param name="timings">Wall-clock seconds of steps besides training (e.g. the anomaly detector), shown in the summary.</param>
    /// <param name="shownFolder">The folder's name for the reader (when <paramref name="folder"/> is a staging folder that becomes it); default <paramref name="folder"/>.</param>
    public static void Write(string folder, AutoencoderModel model, Dataset? data, string? labelColumn, IReadOnlyList<(string Step, double Seconds)> timings, string? shownFolder = null)
    {
        var notes = ReadNotes(folder);
        var page = new ReportPage($"{model.Kind} autoencoder {model.Spec}", $"Model folder {Path.GetFullPath(shownFolder ?? folder)} · written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        page.Add("What was trained", Summary(model, data, labelColumn, notes, timings));
        page.Add("Loss per epoch", LossCurves(model.History, model.Training));
        page.Add("Against exact PCA", PcaSection(model.History));
        var sample = data == null ? null : Sample(data);
        if (data == null || sample == null)
        {
            string missing = ReportPage.Note("No rows were given: rewrite the report with 'autoencoders report --model FOLDER --data FILE' to add inputs, reconstructions and the map of the codes.");
            page.Add("Inputs and reconstructions", missing);
            page.Add("Map of the codes", missing);
        }
        else
        {
            page.Add("Inputs and reconstructions", Reconstructions(model, data, sample));
            page.Add("Map of the codes", LatentMap(model, data, sample, labelColumn));
        }

        if (model.IsMixture)
        {
            page.Add("Mixture components", MixtureSection(model, data));
        }
        else if (model.IsVariational)
        {
            page.Add("Samples from the prior", VariationalSamples(model, data));
        }

        if (data != null && AnomalyCommands.ScoreFolder(folder, data) is var (scores, threshold))
        {
            page.Add("Anomaly detector (anomaly.onnx)", AnomalySection(scores, threshold, data.Source));
        }

        if (data?.Labels != null && ClassifierFolder.IsClassifier(folder))
        {
            page.Add("Classifier (classifier.onnx)", ConfusionSection(folder, data));
        }

        page.Save(folder);
    }

    /// <summary>The training notes that 'train' adds to model.json (data, final metrics), or an empty object.</summary>
    public static JsonObject ReadNotes(string folder)
    {
        string path = Path.Combine(folder, "model.json");
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject json ? json : new JsonObject();
        }
        catch (System.Text.Json.JsonException)
        {
            return new JsonObject();
        }
    }

    private static string Summary(AutoencoderModel model, Dataset? data, string? labelColumn, JsonObject notes, IReadOnlyList<(string Step, double Seconds)> timings)
    {
        var training = model.Training;
        var history = model.History;
        var facts = new List<(string, string)>
        {
            ("kind", model.Kind),
            ("layers", model.Spec.ToString()),
            ("code size", model.LatentSize.ToString(CultureInfo.InvariantCulture)),
            ("loss", model.Loss.ToString()),
            ("hidden activation", model.Options.HiddenActivation.ToString()),
        };
        var dataNote = notes["data"] as JsonObject;
        facts.Add(("data", data?.Source ?? dataNote?["source"]?.ToString() ?? "unknown"));
        facts.Add(("rows", data?.Rows.Length.ToString("N0", CultureInfo.InvariantCulture) ?? dataNote?["rows"]?.ToString() ?? "unknown"));
        facts.Add(("columns (features)", model.InputSize.ToString(CultureInfo.InvariantCulture)));
        if (labelColumn != null)
        {
            facts.Add(("label column", labelColumn));
        }

        facts.Add(("epochs", training.Epochs is int e
            ? $"{e} (fixed)"
            : $"automatic budget: {history.Epochs.Count} epochs run, the best (epoch {history.BestEpoch}) kept; cap {training.MaxSteps:N0} steps or {training.MaxEpochs} epochs"));
        facts.Add(("batch size, learning rate", $"{training.BatchSize}, {training.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}"));
        facts.Add(("seed", training.Seed.ToString(CultureInfo.InvariantCulture)));
        if (training.Corruption != null)
        {
            facts.Add(("corruption", "yes (denoising)"));
        }

        if (training.Scaling != ScalingKind.None)
        {
            facts.Add(("scaling", training.Scaling.ToString()));
        }

        if (history.Epochs.Count > 0)
        {
            var last = history.Epochs[^1];
            facts.Add(("training time", $"{last.Elapsed.TotalSeconds:F1} s ({last.Elapsed.TotalSeconds / history.Epochs.Count:F2} s per epoch)"));
        }

        foreach (var (step, seconds) in timings)
        {
            facts.Add(($"time: {step}", $"{seconds:F1} s"));
        }

        if (notes["finalMetrics"]?["trainingMse"] is JsonNode mse)
        {
            facts.Add(("training MSE per value", mse.GetValue<double>().ToString("G4", CultureInfo.InvariantCulture)));
        }

        return ReportPage.Facts(facts);
    }

    private static string LossCurves(TrainingHistory history, TrainingOptions training)
    {
        if (history.Epochs.Count == 0)
        {
            return ReportPage.Note("No epochs were recorded.");
        }

        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var series = new List<SvgChart.Series> { new("training", epochs, history.Epochs.Select(e => e.TrainingLoss).ToArray()) };
        if (history.Epochs.All(e => e.ValidationLoss != null))
        {
            series.Add(new("validation", epochs, history.Epochs.Select(e => e.ValidationLoss!.Value).ToArray()));
        }

        string chart = SvgChart.Lines(series, "epoch", "loss", history.BestEpoch > 0 ? history.BestEpoch : null, history.BestEpoch > 0 ? $"best epoch {history.BestEpoch}" : null);
        string budget = string.Empty;
        if (history.StoppedEarly)
        {
            budget = " Training stopped early: the validation loss had stopped improving; the best epoch's weights were kept.";
        }
        else if (training.IsAutomatic && history.Epochs.Count < training.MaxEpochs)
        {
            budget = $" The automatic budget's cap ({training.MaxSteps:N0} steps) ended training while the loss was still falling: " +
                $"'autoencoders train --max-steps {training.MaxSteps * 5}' (or --epochs N) trains longer for a lower error.";
        }

        return chart + ReportPage.Note($"Monitored loss: {history.MonitoredLoss}." + budget);
    }

    private static string PcaSection(TrainingHistory history)
    {
        if (history.Pca is not { } pca)
        {
            return ReportPage.Note("Not measured (it needs validation rows: the automatic budget or --validation-fraction).");
        }

        string[] header = { "method", "MSE per value on the validation rows" };
        var rows = new[]
        {
            new[] { $"autoencoder ({pca.Components}-value code)", pca.AutoencoderMeanSquaredError.ToString("G4", CultureInfo.InvariantCulture) },
            new[] { $"exact PCA ({pca.Components} components)", pca.PcaMeanSquaredError.ToString("G4", CultureInfo.InvariantCulture) },
        };
        return ReportPage.Table(header, rows) + ReportPage.Note(pca.ToString());
    }

    private static int[]? Sample(Dataset data)
    {
        if (data.Rows.Length == 0)
        {
            return null;
        }

        int count = Math.Min(SampleRows, data.Rows.Length);
        return Enumerable.Range(0, count).Select(i => (int)((long)i * data.Rows.Length / count)).ToArray();
    }

    private static string Reconstructions(AutoencoderModel model, Dataset data, int[] sample)
    {
        if (IsImage(data, out int c, out int h, out int w))
        {
            var originals = sample.Take(GridImages).Select(i => data.Rows[i]).ToArray();
            var png = ImageGrid.Encode(new[] { originals, model.Reconstruct(originals) }, h, w, c);
            return ReportPage.Png(png, "inputs (top) and reconstructions (bottom)", (GridImages * ((w * 2) + 2)) + 2)
                + ReportPage.Note($"Top: {originals.Length} rows of {data.Source}; bottom: the model's reconstructions.");
        }

        // Tables: the error of every feature over the sample, largest first.
        var rows = sample.Select(i => data.Rows[i]).ToArray();
        var reconstructed = model.Reconstruct(rows);
        var error = new double[data.Width];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int f = 0; f < data.Width; f++)
            {
                double d = reconstructed[r][f] - rows[r][f];
                error[f] += d * d / rows.Length;
            }
        }

        var order = Enumerable.Range(0, data.Width).OrderByDescending(f => error[f]).Take(40).ToArray();
        string chart = SvgChart.Bars(order.Select(f => data.FeatureNames[f]).ToArray(), order.Select(f => error[f]).ToArray(), "feature (largest error first)", "mean squared error");
        var table = ReportPage.Table(
            new[] { "feature", "mean squared error", "first row", "its reconstruction" },
            order.Select(f => (IReadOnlyList<string>)new[]
            {
                data.FeatureNames[f], error[f].ToString("G4", CultureInfo.InvariantCulture),
                rows[0][f].ToString("G4", CultureInfo.InvariantCulture), reconstructed[0][f].ToString("G4", CultureInfo.InvariantCulture),
            }));
        return chart + ReportPage.Note($"Per-feature errors over {rows.Length:N0} rows of {data.Source}.") + table;
    }

    private static string LatentMap(AutoencoderModel model, Dataset data, int[] sample, string? labelColumn)
    {
        var rows = sample.Select(i => data.Rows[i]).ToArray();
        var codes = model.Encode(rows);
        double[] x, y;
        string xLabel = "code 1", yLabel = model.LatentSize > 1 ? "code 2" : "(none)";
        if (model.LatentSize <= 2 || rows.Length < 3)
        {
            x = codes.Select(v => (double)v[0]).ToArray();
            y = codes.Select(v => model.LatentSize > 1 ? (double)v[1] : 0).ToArray();
        }
        else
        {
            // PCA of the codes to 2-D, with the library's exact PCA.
            var ml = new MLContext(seed: 0);
            var view = new Dataset("codes", Enumerable.Range(0, model.LatentSize).Select(i => $"z{i}").ToArray(), codes, null, null).ToDataView(ml);
            var pca = PrincipalComponents.Fit(view, 2, "Features");
            var projected = codes.Select(v => pca.Project(v)).ToArray();
            x = projected.Select(p => (double)p[0]).ToArray();
            y = projected.Select(p => (double)p[1]).ToArray();
            (xLabel, yLabel) = ("principal component 1 of the codes", "principal component 2 of the codes");
        }

        int[]? groups = null;
        IReadOnlyList<string>? names = null;
        string colouring = "one colour (no label column)";
        if (data.Labels != null)
        {
            var labels = sample.Select(i => data.Labels[i]).ToArray();
            var distinct = labels.Distinct(StringComparer.Ordinal).OrderBy(l => l, StringComparer.Ordinal).ToArray();
            if (distinct.Length <= SvgChart.Palette.Length)
            {
                names = distinct;
                groups = labels.Select(l => Array.IndexOf(distinct, l)).ToArray();
                colouring = $"coloured by {(labelColumn != null ? $"the label column '{labelColumn}'" : "the labels")}";
            }
            else
            {
                colouring = $"one colour: the labels have {distinct.Length} values, more than the {SvgChart.Palette.Length} colours";
            }
        }
        else if (model.IsMixture && model.Clusters <= SvgChart.Palette.Length)
        {
            groups = model.PredictCluster(rows);
            names = Enumerable.Range(0, model.Clusters).Select(k => $"cluster {k}").ToArray();
            colouring = "coloured by the mixture's cluster";
        }

        return SvgChart.Scatter(x, y, groups, names, xLabel, yLabel) + ReportPage.Note($"{rows.Length:N0} rows of {data.Source}, {colouring}.");
    }

    private static string VariationalSamples(AutoencoderModel model, Dataset? data)
    {
        var samples = model.SamplePrior(3 * GridImages, model.Training.Seed);
        if (data != null && IsImage(data, out int c, out int h, out int w))
        {
            var grid = Enumerable.Range(0, 3).Select(r => (IReadOnlyList<float[]>)samples.Skip(r * GridImages).Take(GridImages).ToArray()).ToArray();
            return ReportPage.Png(ImageGrid.Encode(grid, h, w, c), "samples from the prior", (GridImages * ((w * 2) + 2)) + 2)
                + ReportPage.Note("Decoded draws from the prior N(0, I).");
        }

        return FeatureTable("Decoded draws from the prior N(0, I), first 5.", samples.Take(5).ToArray(), data?.FeatureNames);
    }

    private static string MixtureSection(AutoencoderModel model, Dataset? data)
    {
        var weights = model.Prior.Weights;
        string chart = SvgChart.Bars(Enumerable.Range(0, weights.Count).Select(k => $"{k}").ToArray(), weights.Select(w => (double)w).ToArray(), "component", "prior weight");
        if (data != null && IsImage(data, out int c, out int h, out int w))
        {
            var grid = Enumerable.Range(0, model.Clusters).Select(k => (IReadOnlyList<float[]>)model.SampleMixture(GridImages, model.Training.Seed, k)).ToArray();
            chart += ReportPage.Png(ImageGrid.Encode(grid, h, w, c), "samples per component", (GridImages * ((w * 2) + 2)) + 2)
                + ReportPage.Note("One row of decoded samples per component.");
        }

        return chart;
    }

    private static string AnomalySection(float[] scores, double threshold, string source)
    {
        const int Bins = 40;
        double lo = scores.Min(), hi = Math.Max(scores.Max(), threshold);
        double width = Math.Max((hi - lo) / Bins, 1e-12);
        var counts = new double[Bins];
        foreach (float s in scores)
        {
            counts[Math.Clamp((int)((s - lo) / width), 0, Bins - 1)]++;
        }

        var labels = Enumerable.Range(0, Bins).Select(b => (lo + (b * width)).ToString("G3", CultureInfo.InvariantCulture)).ToArray();
        int flagged = scores.Count(s => s > threshold);
        return SvgChart.Bars(labels, counts, "anomaly score", "rows", (threshold - lo) / width, $"threshold {threshold:G4}")
            + ReportPage.Note($"Scores of {scores.Length:N0} rows of {source}; {flagged:N0} ({100.0 * flagged / scores.Length:F1}%) are above the threshold.");
    }

    private static string ConfusionSection(string folder, Dataset data)
    {
        using var classifier = ClassifierFolder.Open(folder);
        var classes = classifier.Classes;
        var known = data.Labels!.Select((l, i) => (l, i)).Where(p => classes.Contains(p.l)).ToArray();
        var predicted = classifier.PredictedLabels(classifier.Predict(known.Select(p => data.Rows[p.i]).ToArray()));
        var counts = new int[classes.Count, classes.Count];
        for (int r = 0; r < known.Length; r++)
        {
            counts[IndexOf(classes, known[r].l), IndexOf(classes, predicted[r])]++;
        }

        int correct = Enumerable.Range(0, classes.Count).Sum(k => counts[k, k]);
        return SvgChart.HeatMap(classes, classes, counts, "true class", "predicted class")
            + ReportPage.Note($"{known.Length:N0} labeled rows of {data.Source}: accuracy {100.0 * correct / Math.Max(known.Length, 1):F2}% (rows the classifier was trained on score higher than new rows).");
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    private static string FeatureTable(string note, float[][] rows, IReadOnlyList<string>? names)
    {
        int width = rows.Length == 0 ? 0 : Math.Min(rows[0].Length, 12);
        var header = Enumerable.Range(0, width).Select(f => names != null && f < names.Count ? names[f] : $"v{f}").ToArray();
        return ReportPage.Note(note) + ReportPage.Table(header, rows.Select(r => (IReadOnlyList<string>)r.Take(width).Select(v => v.ToString("G4", CultureInfo.InvariantCulture)).ToArray()));
    }

    private static bool IsImage(Dataset data, out int c, out int h, out int w)
    {
        (c, h, w) = data.ImageShape ?? (0, 0, 0);
        return data.ImageShape != null && c * h * w == data.Width && c is 1 or 3;
    }
}
