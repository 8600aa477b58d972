
namespace Autoencoders.ML.Transforms;

/// <summary>
/// Decodes a latent column with an already trained model; nothing is learnt, so
/// <see cref="ScoringEstimator{TTransformer}.Fit"/> only checks the schema. Exists so the decoder can sit inside an
/// estimator pipeline. Create it with <c>mlContext.Transforms.DecodeLatent(...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of <see cref="float"/>, the model's latent size |
/// | Output column data type | Known-size vector of <see cref="float"/>, the model's output size |
/// | Exportable to ONNX | Yes: <c>model.ExportOnnx(path, OnnxGraphKind.Decoder)</c>, and <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
internal sealed class LatentDecoderEstimator : ScoringEstimator<LatentDecoderTransformer>
{
    internal LatentDecoderEstimator(AutoencoderModel model, string outputColumnName, string inputColumnName, int scoringBatchSize)
        : base(LatentDecoderTransformer.Describe(model, outputColumnName, inputColumnName), scoringBatchSize)
    {
        Model = model;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The model whose decoder runs.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The latent column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The column of generated data added.</summary>
    public string OutputColumnName { get; }

    private protected override LatentDecoderTransformer CreateTransformer() =>
        new(Model, OutputColumnName, InputColumnName, ScoringBatchSize, scoringThreads: null);
}
