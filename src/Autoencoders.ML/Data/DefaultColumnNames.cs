namespace Autoencoders.ML.Data;

/// <summary>
/// The column names every trainer and transform of the library reads and writes by default: ML.NET's own defaults, so
/// that its evaluators and other stages find them without configuration.
/// </summary>
internal static class DefaultColumnNames
{
    /// <summary>The label column (the classifier's key-typed label; the class of IDX rows).</summary>
    public const string Label = "Label";

    /// <summary>The feature column read: a known-size vector of Single.</summary>
    public const string Features = "Features";

    /// <summary>The score written: the anomaly score, the class probabilities or the cluster scores.</summary>
    public const string Score = "Score";

    /// <summary>The prediction written: anomaly or not, the class, the cluster.</summary>
    public const string PredictedLabel = "PredictedLabel";
}
