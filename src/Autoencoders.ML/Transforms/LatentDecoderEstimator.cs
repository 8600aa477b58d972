using System;
using Autoencoders.ML.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Decodes a latent column with an already trained model; nothing is learnt, so <see cref="Fit"/> only checks the
/// schema. Exists so the decoder can sit inside an estimator pipeline. Create it with
/// <c>mlContext.Transforms.DecodeLatent(...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-size vector of <see cref="float"/>, the model's latent size |
/// | Output column data type | Known-size vector of <see cref="float"/>, the model's output size |
/// | Exportable to ONNX | Yes: <c>model.ExportOnnx(path, OnnxGraphKind.Decoder)</c>, and <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
public sealed class LatentDecoderEstimator : IEstimator<LatentDecoderTransformer>
{
    internal LatentDecoderEstimator(AutoencoderModel model, string outputColumnName, string inputColumnName, int scoringBatchSize)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (scoringBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scoringBatchSize), scoringBatchSize, "scoringBatchSize must be positive.");
        }

        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        ScoringBatchSize = scoringBatchSize;
    }

    /// <summary>The model whose decoder runs.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The latent column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The column of generated data added.</summary>
    public string OutputColumnName { get; }

    /// <summary>Rows per ONNX Runtime call.</summary>
    public int ScoringBatchSize { get; }

    /// <summary>Checks the latent column of <paramref name="input"/> and returns the transform.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The latent column is missing or of the wrong type or size.</exception>
    public LatentDecoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new LatentDecoderTransformer(Model, OutputColumnName, InputColumnName, ScoringBatchSize, scoringThreads: null);
        try
        {
            transformer.GetOutputSchema(input.Schema);
            return transformer;
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }

    /// <summary>Checks the latent column's kind and returns the shape after decoding.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShapes.CheckVectorOfSingle(inputSchema, InputColumnName, "latent");
        return SchemaShapes.Append(inputSchema, new (string, DataViewType)[]
        {
            (OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, Model.Spec.OutputSize)),
        });
    }
}
