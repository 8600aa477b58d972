using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>The <c>evaluate</c> output for a classifier folder: accuracy and macro-F1 by ML.NET's multiclass evaluator.</summary>
internal static class ClassificationEvaluation
{
    public static JsonObject Evaluate(string folder, string dataPath, string? labelColumn, string? features)
    {
        using var classifier = ClassifierFolder.Open(folder);
        if (labelColumn == null && !dataPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && !dataPath.Contains("idx", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"{folder} is a classifier: give --label-column with the true classes of {dataPath} to measure accuracy and macro-F1.");
        }

        var data = DatasetLoader.Load(dataPath, labelColumn, CommonOptions.SplitList(features));
        if (data.Labels == null)
        {
            throw new InputException($"{dataPath}: no labels were found; give --label-column to measure a classifier's accuracy and macro-F1.");
        }

        if (data.Width != classifier.InputSize)
        {
            throw new InputException($"{dataPath}: rows have {data.Width} features but the classifier expects {classifier.InputSize}; select columns with --features.");
        }

        classifier.CheckLabels(data, labelColumn ?? "label");
        var probabilities = classifier.Predict(data.Rows);
        var ml = new MLContext();
        var rows = data.Labels.Select((label, i) => new Scored { Label = label, Score = probabilities[i] }).ToList();
        var schema = SchemaDefinition.Create(typeof(Scored));
        schema[nameof(Scored.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classifier.Classes.Count);
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        // Keys in the classifier's output order, so Score slot i is class i.
        var keyData = ml.Data.LoadFromEnumerable(classifier.Classes.Select(c => new Key { Label = c }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keyData).Fit(view).Transform(view);
        var metrics = ml.MulticlassClassification.Evaluate(keyed);
        var precision = metrics.ConfusionMatrix.PerClassPrecision;
        var recall = metrics.ConfusionMatrix.PerClassRecall;
        double macroF1 = precision.Zip(recall, (p, r) => p + r > 0 && double.IsFinite(p) && double.IsFinite(r) ? 2 * p * r / (p + r) : 0).Average();
        return new JsonObject
        {
            ["accuracy"] = metrics.MicroAccuracy,
            ["macro_f1"] = macroF1,
            ["log_loss"] = metrics.LogLoss,
            ["rows"] = data.Rows.Length,
            ["classes"] = classifier.Classes.Count,
            ["kind"] = "classifier",
        };
    }

    private sealed class Scored
    {
        public string Label { get; set; } = string.Empty;

        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private sealed class Key
    {
        public string Label { get; set; } = string.Empty;
    }
}
