using System.Text.Json.Nodes;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>The <c>evaluate</c> output for a classifier folder: accuracy and macro-F1 of its predictions.</summary>
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
        // Accuracy and macro-F1 (the mean over the classifier's classes of 2PR / (P + R), 0 for a class never predicted
        // and never present) from the most probable class of each row.
        var predicted = classifier.PredictedLabels(probabilities);
        double accuracy = predicted.Zip(data.Labels, (p, t) => p == t ? 1.0 : 0.0).Average();
        double macroF1 = classifier.Classes.Select(c =>
        {
            int truePositive = predicted.Where((p, i) => p == c && data.Labels[i] == c).Count();
            int predictedCount = predicted.Count(p => p == c);
            int actualCount = data.Labels.Count(t => t == c);
            return predictedCount + actualCount == 0 ? 0 : 2.0 * truePositive / (predictedCount + actualCount);
        }).Average();
        return new JsonObject
        {
            ["accuracy"] = accuracy,
            ["macro_f1"] = macroF1,
            ["rows"] = data.Rows.Length,
            ["classes"] = classifier.Classes.Count,
            ["kind"] = "classifier",
        };
    }
}
