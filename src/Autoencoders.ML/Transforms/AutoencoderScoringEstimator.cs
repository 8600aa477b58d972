
namespace Autoencoders.ML.Transforms;

/// <summary>
/// Applies an already trained autoencoder (for example one loaded with <see cref="AutoencoderModel.Load"/>) in an
/// estimator pipeline: <see cref="ScoringEstimator{TTransformer}.Fit"/> trains nothing, it checks the input column and
/// returns an <see cref="AutoencoderTransformer"/>. Create it with <c>mlContext.Transforms.ApplyAutoencoder(model, ...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of <see cref="float"/>, the model's input size |
/// | Output column data types | Latent: vector of the latent size; reconstruction: vector of the output size; error: <see cref="float"/> |
/// | Exportable to ONNX | Yes: <c>model.ExportOnnx(...)</c>, and <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
internal sealed class AutoencoderScoringEstimator : ScoringEstimator<AutoencoderTransformer>
{
    internal AutoencoderScoringEstimator(AutoencoderModel model, AutoencoderColumns columns, int scoringBatchSize, int? scoringThreads)
        : base(AutoencoderTransformer.Describe(model, columns), scoringBatchSize)
    {
        Model = model;
        Columns = columns;
        ScoringThreads = scoringThreads;
    }

    /// <summary>The trained model; the transforms created do not dispose it.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>Which columns are read and written.</summary>
    public AutoencoderColumns Columns { get; }

    /// <summary>ONNX Runtime intra-op threads for scoring; null lets ONNX Runtime decide.</summary>
    public int? ScoringThreads { get; }

    private protected override AutoencoderTransformer CreateTransformer() =>
        new(Model, Columns, ScoringBatchSize, ScoringThreads, ownsModel: false);
}
