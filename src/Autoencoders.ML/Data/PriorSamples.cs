using System.Collections;
using Autoencoders.ML.Kinds.Variational;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Data;

/// <summary>
/// Rows drawn from a VAE's prior: each enumeration starts the seeded generator afresh, so every cursor (and every call
/// of <see cref="AutoencoderModel.SamplePrior"/> with the same seed) sees the same rows. Rows are made a block at a
/// time, so memory does not grow with the count.
/// </summary>
internal sealed class PriorSamples : IEnumerable<PriorSamples.Row>
{
    private readonly AutoencoderModel model;
    private readonly int count;
    private readonly int seed;
    private readonly bool decode;

    private PriorSamples(AutoencoderModel model, int count, int seed, bool decode)
    {
        this.model = model;
        this.count = count;
        this.seed = seed;
        this.decode = decode;
    }

    /// <summary>An <see cref="IDataView"/> of <paramref name="count"/> draws: the latent column and, if named, the decoded one.</summary>
    public static IDataView Create(DataOperationsCatalog catalog, AutoencoderModel model, int count, int seed, string latentColumnName, string? outputColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(latentColumnName);
        OptionChecks.DistinctColumns((latentColumnName, nameof(latentColumnName)), (outputColumnName, nameof(outputColumnName)));

        // Checks the count and the model kind now rather than at the first cursor.
        model.PriorLatents(count, seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        VectorColumns.Declare(schema, nameof(Row.Latent), model.LatentSize, latentColumnName);
        if (outputColumnName == null)
        {
            schema.Remove(schema[nameof(Row.Generated)]);
        }
        else
        {
            VectorColumns.Declare(schema, nameof(Row.Generated), model.Spec.OutputSize, outputColumnName);
        }

        return catalog.LoadFromEnumerable(new PriorSamples(model, count, seed, outputColumnName != null), schema);
    }

    public IEnumerator<Row> GetEnumerator()
    {
        foreach (var block in model.PriorLatents(count, seed))
        {
            var decoded = decode ? model.Decode(block) : null;
            for (int i = 0; i < block.Length; i++)
            {
                yield return new Row { Latent = block[i], Generated = decoded?[i] ?? Array.Empty<float>() };
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One draw.</summary>
    public sealed class Row
    {
        /// <summary>z ~ N(0, I).</summary>
        public float[] Latent { get; set; } = Array.Empty<float>();

        /// <summary>The decoded z.</summary>
        public float[] Generated { get; set; } = Array.Empty<float>();
    }
}
