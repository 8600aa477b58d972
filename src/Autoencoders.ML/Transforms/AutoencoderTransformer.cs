using Autoencoders.ML.Onnx;
using Microsoft.ML;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// A fitted autoencoder as an ML.NET transform: adds the latent code, the reconstruction and/or the per-row
/// reconstruction error (mean squared error over the row's values) of a known-size <c>Vector&lt;Single&gt;</c> column.
/// </summary>
/// <remarks>
/// Scoring, bad rows, saving and disposal work as described on <see cref="ScoringTransformer"/>: batched ONNX Runtime
/// calls, row by row for <see cref="PredictionEngine{TSrc, TDst}"/>, thread-safe, saved by <c>mlContext.Model.Save</c> as
/// ML.NET's own OnnxTransformer carrying the whole model: <c>mlContext.Model.LoadAutoencoderPipeline</c> gives this
/// transform back (with <see cref="Model"/>), stock <c>mlContext.Model.Load</c> gives an <c>OnnxTransformer</c>.
/// </remarks>
public sealed class AutoencoderTransformer : ScoringTransformer
{
    internal AutoencoderTransformer(AutoencoderModel model, AutoencoderColumns columns, int scoringBatchSize, int? scoringThreads, bool ownsModel)
        : base(Describe(model, columns), scoringBatchSize, scoringThreads, owned: ownsModel ? model : null)
    {
        Model = model;
        Columns = columns;
    }

    /// <summary>The trained model behind the transform.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>Which columns are read and written.</summary>
    public AutoencoderColumns Columns { get; }

    private protected override SavedTransform Saved => new()
    {
        LatentColumn = Columns.LatentColumnName,
        ReconstructionColumn = Columns.ReconstructionColumnName,
        ErrorColumn = Columns.ReconstructionErrorColumnName,
        LogVarianceColumn = Columns.LogVarianceColumnName,
    };

    private protected override AutoencoderModel SavedModel => Model;

    /// <summary>The graph an autoencoder transform runs for <paramref name="columns"/> (checks them first).</summary>
    internal static ScoringGraph Describe(AutoencoderModel model, AutoencoderColumns columns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(columns);
        columns.Validate();
        var outputs = columns.Outputs(model).ToList();
        var onnxOutputs = outputs.Select(o => o.OnnxOutput).ToList();
        return new ScoringGraph(
            columns.InputColumnName, "input", OnnxNames.Features, model.InputSize, "the size the model was trained on", outputs,
            (rename, perRow) => OnnxScoringGraph.Build(model, onnxOutputs, rename, perRow));
    }
}
