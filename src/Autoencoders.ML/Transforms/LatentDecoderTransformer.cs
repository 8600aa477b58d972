using Autoencoders.ML.Onnx;
using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// A trained decoder as an ML.NET transform: maps a latent column (<c>Vector&lt;Single&gt;</c> of the model's latent
/// size) to generated data (<c>Vector&lt;Single&gt;</c> of the output size, with the output activation: the
/// probabilities of a Bernoulli decoder). Feed it codes from an encoder, points drawn from the prior
/// (<c>mlContext.Data.SampleFromPrior</c>) or any other latent column. Create it with
/// <c>mlContext.Transforms.DecodeLatent(...)</c>.
/// </summary>
/// <remarks>
/// Scoring, bad rows, saving and disposal work as described on <see cref="ScoringTransformer"/>: batched ONNX Runtime
/// calls, row by row for <see cref="PredictionEngine{TSrc, TDst}"/>, thread-safe, saved by <c>mlContext.Model.Save</c> as
/// ML.NET's own OnnxTransformer with the decoder graph embedded. The model is not disposed by the transform.
/// </remarks>
public sealed class LatentDecoderTransformer : ScoringTransformer
{
    internal LatentDecoderTransformer(AutoencoderModel model, string outputColumnName, string inputColumnName, int scoringBatchSize, int? scoringThreads)
        : base(Describe(model, outputColumnName, inputColumnName), scoringBatchSize, scoringThreads)
    {
        Model = model;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The trained model whose decoder runs.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The latent column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The column of generated data added (it replaces a column of the same name).</summary>
    public string OutputColumnName { get; }

    private protected override SavedTransform Saved => new() { OutputColumn = OutputColumnName };

    private protected override AutoencoderModel SavedModel => Model;

    /// <summary>The graph a decode transform runs (checks the names first).</summary>
    internal static ScoringGraph Describe(AutoencoderModel model, string outputColumnName, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        var output = new ScoredColumn(outputColumnName, OnnxNames.Reconstruction, model.Spec.OutputSize, IsScalar: false);
        return new ScoringGraph(
            inputColumnName, "latent", OnnxNames.Latent, model.LatentSize, "the model's latent size", new[] { output },
            (rename, perRow) => DecoderScoringGraph.Build(model, rename, perRow));
    }
}
