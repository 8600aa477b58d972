using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// What an <see cref="AnomalyScorer"/> fitted besides its model — the neighbour count, the threshold and contamination,
/// the robust scaling, the training rows' latent codes and both parts of their scores, and (when the score has an
/// input-neighbour part) the scaled training rows and their input distances — as JSON (arrays as base64 of
/// their little-endian bytes, so that they come back bit for bit). Saved in a pipeline's graph metadata and in a
/// detector's folder; the scorer rebuilt from it gives the same scores.
/// </summary>
internal sealed record AnomalyScorerState(
    int Neighbours, double Contamination, double Threshold, float[]? RobustCenter, float[]? RobustScale,
    float[][] Codes, double[] Reconstruction, double[] Distance)
{
    /// <summary>Whether the robust scaling ends with the signed logarithm (absent in older files: false).</summary>
    public bool SignedLog { get; init; }

    /// <summary>k of the input-space kNN part; 0 without it (absent in older files: 0).</summary>
    public int InputNeighbours { get; init; }

    /// <summary>The scaled training rows (the input kNN reference); empty without the input-neighbour part.</summary>
    public float[][] Rows { get; init; } = Array.Empty<float[]>();

    /// <summary>The training rows' input kNN distances; empty without the input-neighbour part.</summary>
    public double[] InputDistance { get; init; } = Array.Empty<double>();

    /// <summary>The recipe that trained the scorer; null for a scorer fitted on a given model.</summary>
    public AnomalyRecipe? Recipe { get; init; }

    /// <summary>Why that recipe ran.</summary>
    public string? RecipeReason { get; init; }

    /// <summary>The file in a detector's folder.</summary>
    public const string FileName = "anomaly_scorer.json";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The state as JSON.</summary>
    public string ToJson()
    {
        int width = Codes.Length == 0 ? 0 : Codes[0].Length;
        var stored = new Stored
        {
            Neighbours = Neighbours,
            Contamination = Contamination,
            Threshold = Threshold,
            RobustCenter = RobustCenter is null ? null : Bytes<float>(RobustCenter),
            RobustScale = RobustScale is null ? null : Bytes<float>(RobustScale),
            CodeWidth = width,
            Codes = Bytes<float>(Codes.SelectMany(c => c).ToArray()),
            Reconstruction = Bytes<double>(Reconstruction),
            Distance = Bytes<double>(Distance),
            SignedLog = SignedLog ? true : null,
            InputNeighbours = InputNeighbours == 0 ? null : InputNeighbours,
            Rows = InputNeighbours == 0 ? null : Bytes<float>(Rows.SelectMany(r => r).ToArray()),
            InputDistance = InputNeighbours == 0 ? null : Bytes<double>(InputDistance),
            Recipe = Recipe?.ToString(),
            RecipeReason = RecipeReason,
        };
        return JsonSerializer.Serialize(stored, Json);
    }

    /// <summary>Reads the state back and checks it against <paramref name="model"/>.</summary>
    /// <param name="json">What <see cref="ToJson"/> wrote.</param>
    /// <param name="model">The model the scorer runs.</param>
    /// <param name="source">Names the file or entry in errors.</param>
    /// <exception cref="InvalidDataException">The text is not a valid state for this model.</exception>
    public static AnomalyScorerState FromJson(string json, AutoencoderModel model, string source)
    {
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(json, Json);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"not valid JSON ({e.Message})");
        }

        if (stored is null || stored.Codes is null || stored.Reconstruction is null || stored.Distance is null)
        {
            throw Invalid(source, "codes, reconstruction or distance missing");
        }

        var flat = Values<float>(stored.Codes, source);
        var reconstruction = Values<double>(stored.Reconstruction, source);
        var distance = Values<double>(stored.Distance, source);
        int rows = reconstruction.Length;
        int width = stored.CodeWidth;
        var center = stored.RobustCenter is null ? null : Values<float>(stored.RobustCenter, source);
        var scale = stored.RobustScale is null ? null : Values<float>(stored.RobustScale, source);
        if (stored.Neighbours < 0 || rows < 2 || width != model.LatentSize || flat.Length != rows * width
            || distance.Length != (stored.Neighbours == 0 ? 0 : rows) || !(stored.Contamination >= 0 && stored.Contamination < 1)
            || double.IsNaN(stored.Threshold) || (center is null) != (scale is null)
            || (center is not null && (center.Length != model.InputSize || scale!.Length != model.InputSize)))
        {
            throw Invalid(
                source,
                $"{rows} training rows, codes of {width} values ({flat.Length} in all; the model's code has {model.LatentSize}), {distance.Length} distances, " +
                $"{stored.Neighbours} neighbours, contamination {stored.Contamination}, threshold {stored.Threshold}");
        }

        var codes = RowArrays.Split(flat, rows, width);
        int inputNeighbours = stored.InputNeighbours ?? 0;
        var inputFlat = stored.Rows is null ? Array.Empty<float>() : Values<float>(stored.Rows, source);
        var inputDistance = stored.InputDistance is null ? Array.Empty<double>() : Values<double>(stored.InputDistance, source);
        if (inputNeighbours < 0 || (inputNeighbours > 0 && (inputFlat.Length != rows * model.InputSize || inputDistance.Length != rows)))
        {
            throw Invalid(source, $"{inputNeighbours} input neighbours with {inputFlat.Length} scaled training values and {inputDistance.Length} input distances; expected {rows} × {model.InputSize} values and {rows} distances");
        }

        AnomalyRecipe? recipe = null;
        if (stored.Recipe is not null)
        {
            recipe = Enum.TryParse<AnomalyRecipe>(stored.Recipe, out var parsed) ? parsed : throw Invalid(source, $"unknown recipe '{stored.Recipe}'");
        }

        var trainingRows = inputNeighbours == 0 ? Array.Empty<float[]>() : RowArrays.Split(inputFlat, rows, model.InputSize);
        return new AnomalyScorerState(stored.Neighbours, stored.Contamination, stored.Threshold, center, scale, codes, reconstruction, distance)
        {
            SignedLog = stored.SignedLog ?? false,
            InputNeighbours = inputNeighbours,
            Rows = trainingRows,
            InputDistance = inputDistance,
            Recipe = recipe,
            RecipeReason = stored.RecipeReason,
        };
    }

    private static string Bytes<T>(T[] values)
        where T : struct => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    private static T[] Values<T>(string base64, string source)
        where T : struct
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw Invalid(source, $"an array is not base64 ({e.Message})");
        }

        if (bytes.Length % Marshal.SizeOf<T>() != 0)
        {
            throw Invalid(source, $"an array of {bytes.Length} bytes is not a whole number of {typeof(T).Name} values");
        }

        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static InvalidDataException Invalid(string source, string what) =>
        new($"'{source}': the anomaly scorer's state ({OnnxNames.AnomalyScorerKey}) is not valid: {what}. The file is damaged; save the detector again.");

    private sealed class Stored
    {
        public int Neighbours { get; set; }

        public double Contamination { get; set; }

        public double Threshold { get; set; }

        public string? RobustCenter { get; set; }

        public string? RobustScale { get; set; }

        public int CodeWidth { get; set; }

        public string? Codes { get; set; }

        public string? Reconstruction { get; set; }

        public string? Distance { get; set; }

        public bool? SignedLog { get; set; }

        public int? InputNeighbours { get; set; }

        public string? Rows { get; set; }

        public string? InputDistance { get; set; }

        public string? Recipe { get; set; }

        public string? RecipeReason { get; set; }
    }
}
