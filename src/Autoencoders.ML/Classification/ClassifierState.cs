using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Classification;

/// <summary>
/// What an <see cref="AutoencoderClassifier"/> holds besides its fine-tuned autoencoder — the classes (values and their
/// type), the head's weights (base64 of their little-endian bytes, bit for bit), its dropout, the fine-tuning schedule
/// and the training loss — as JSON. Saved in a pipeline's graph metadata and as <c>classifier.json</c> in a
/// classifier's folder.
/// </summary>
internal sealed class ClassifierState
{
    /// <summary>The file in a classifier's folder.</summary>
    public const string FileName = "classifier.json";

    /// <summary>The ML.NET type of the class values (<see cref="ClassLabels.ItemKind"/>).</summary>
    public string LabelType { get; set; } = string.Empty;

    /// <summary>The class values as text, in output order.</summary>
    public string[] Labels { get; set; } = Array.Empty<string>();

    /// <summary>The head's weight [classes, code size], row-major float32.</summary>
    public string HeadWeight { get; set; } = string.Empty;

    /// <summary>The head's bias [classes], float32.</summary>
    public string HeadBias { get; set; } = string.Empty;

    /// <summary>Dropout on the code while training.</summary>
    public float Dropout { get; set; }

    /// <summary>Mean cross-entropy over the last training steps.</summary>
    public double TrainingLoss { get; set; }

    /// <summary>The schedule it was fine-tuned with.</summary>
    public FineTuningOptions? FineTuning { get; set; }

    /// <summary>The state as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The head's weight and bias, checked against <paramref name="codeSize"/> and the number of classes.</summary>
    public (float[] Weight, float[] Bias) Head(int codeSize, string source)
    {
        var weight = Floats(HeadWeight, source);
        var bias = Floats(HeadBias, source);
        if (Labels.Length < 2 || bias.Length != Labels.Length || weight.Length != Labels.Length * codeSize)
        {
            throw Invalid(source, $"{Labels.Length} classes, a head of {weight.Length} weights and {bias.Length} biases for a code of {codeSize} values");
        }

        return (weight, bias);
    }

    /// <summary>The classes in their own type.</summary>
    public ClassLabels Classes(string source)
    {
        try
        {
            return ClassLabels.FromText(Labels, LabelType);
        }
        catch (FormatException e)
        {
            throw Invalid(source, e.Message);
        }
    }

    /// <summary>Reads <paramref name="json"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a classifier's state; the message names <paramref name="source"/>.</exception>
    public static ClassifierState FromJson(string json, string source)
    {
        try
        {
            var state = JsonSerializer.Deserialize<ClassifierState>(json);
            if (state?.FineTuning is not null && state.Labels is not null)
            {
                state.FineTuning.Validate();
                return state;
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw Invalid(source, e.Message);
        }

        throw Invalid(source, "labels or fine-tuning options missing");
    }

    /// <summary>Base64 of <paramref name="values"/>' bytes.</summary>
    public static string Bytes(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private static float[] Floats(string base64, string source)
    {
        try
        {
            byte[] bytes = Convert.FromBase64String(base64);
            if (bytes.Length % sizeof(float) == 0)
            {
                return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            }
        }
        catch (FormatException)
        {
        }

        throw Invalid(source, "the head's weights are not base64 of float32 values");
    }

    private static InvalidDataException Invalid(string source, string what) =>
        new($"'{source}': the classifier's state ({OnnxNames.ClassifierKey}) is not valid: {what}. The file is damaged; save the classifier again.");
}
