namespace Autoencoders.ML.Classification;

/// <summary>The column names the classifier reads and writes by default (ML.NET's own defaults).</summary>
internal static class ClassifierColumns
{
    /// <summary>The key-typed label column read by the trainer.</summary>
    public const string Label = "Label";

    /// <summary>The feature column read.</summary>
    public const string Features = "Features";

    /// <summary>The class probabilities written, Vector&lt;Single, classes&gt;.</summary>
    public const string Score = "Score";

    /// <summary>The predicted class written, the label's key type.</summary>
    public const string PredictedLabel = "PredictedLabel";
}
