using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Runtime;
using Microsoft.ML;

namespace Autoencoders.ML.Models;

// The generative side of a model: the posterior, sampling, interpolation and likelihoods. Everything but Interpolate
// needs a variational model (trained with VariationalAutoencoderOptions).
public sealed partial class AutoencoderModel
{
    /// <summary>Rows drawn from the prior per block; draws are made block by block so that every API gives the same rows.</summary>
    internal const int PriorBlockSize = 256;

    /// <summary>True for a variational autoencoder (trained with <see cref="VariationalAutoencoderOptions"/>).</summary>
    public bool IsVariational => ModelKind == ModelKind.Variational;

    /// <summary>The posterior q(z|x) = N(μ, diag σ²) of each row (evaluation mode; the mean is what <see cref="Encode"/> gives).</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public LatentDistribution EncodeDistribution(IReadOnlyList<float[]> rows)
    {
        var network = Variational();
        var both = Run(rows, x =>
        {
            var (mean, logVariance) = network.Posterior(x);
            return torch.cat(new[] { mean, logVariance }, 1);
        });
        var means = new float[both.Length][];
        var logVariances = new float[both.Length][];
        for (int i = 0; i < both.Length; i++)
        {
            means[i] = both[i][..LatentSize];
            logVariances[i] = both[i][LatentSize..];
        }

        return new LatentDistribution(means, logVariances);
    }

    /// <summary>
    /// One draw z = μ + σ·ε from each row's posterior. The same rows and seed give the same draws (row i always takes the
    /// i-th draw of the seeded generator).
    /// </summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <param name="seed">Seed of the noise ε.</param>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    public float[][] SampleLatent(IReadOnlyList<float[]> rows, int seed)
    {
        var network = Variational();
        return Run(rows, x =>
        {
            var (mean, logVariance) = network.Posterior(x);
            using var generator = new torch.Generator((ulong)(uint)seed);
            return VariationalMath.Reparameterize(mean, logVariance, torch.randn(mean.shape, generator: generator));
        });
    }

    /// <summary>
    /// Generates <paramref name="count"/> rows: z ~ N(0, I) decoded (with the output activation, so the probabilities of a
    /// Bernoulli decoder). The same seed gives the same rows, and the same rows as <c>mlContext.Data.SampleFromPrior</c>.
    /// </summary>
    /// <param name="count">Rows to generate, ≥ 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    public float[][] SamplePrior(int count, int seed)
    {
        var result = new List<float[]>(count > 0 ? count : 0);
        foreach (var block in PriorLatents(count, seed))
        {
            result.AddRange(Decode(block));
        }

        return result.ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="steps"/> evenly spaced points on the segment between the codes of two rows (the posterior
    /// means for a VAE), endpoints included: a walk through the latent space. Works for every model kind.
    /// </summary>
    /// <param name="from">First row, <see cref="InputSize"/> values.</param>
    /// <param name="to">Last row, <see cref="InputSize"/> values.</param>
    /// <param name="steps">Points on the segment, ≥ 2.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 2.</exception>
    public float[][] Interpolate(float[] from, float[] to, int steps)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (steps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "An interpolation needs at least 2 steps (the two endpoints).");
        }

        var ends = Encode(new[] { from, to });
        var codes = new float[steps][];
        for (int s = 0; s < steps; s++)
        {
            float t = (float)s / (steps - 1);
            codes[s] = new float[LatentSize];
            for (int j = 0; j < LatentSize; j++)
            {
                codes[s][j] = ((1 - t) * ends[0][j]) + (t * ends[1][j]);
            }
        }

        return Decode(codes);
    }

    /// <summary>
    /// The ELBO and the importance-weighted estimate of the negative log-likelihood (the IWAE bound with k =
    /// <paramref name="importanceSamples"/>) of every row of <paramref name="columnName"/>, in nats per row. For binary
    /// cross-entropy, log p(x|z) = −BCE summed over the values (a Bernoulli decoder; exact for binary data); for mean
    /// squared error, a Gaussian decoder of variance ½ per value (see <see cref="VariationalAutoencoderOptions"/>).
    /// </summary>
    /// <param name="data">Rows to evaluate (streamed, any size).</param>
    /// <param name="columnName">A known-size vector column of <see cref="InputSize"/> floats.</param>
    /// <param name="importanceSamples">k, draws of z per row, ≥ 1; 1 gives a single-sample ELBO, more a tighter bound.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="importanceSamples"/> is below 1, or the column is missing or of the wrong size.</exception>
    /// <exception cref="NotSupportedException">The model is not variational.</exception>
    public LikelihoodEstimate EstimateLikelihood(IDataView data, string columnName = Microsoft.ML.AutoencodersCatalog.DefaultFeatureColumn, int importanceSamples = 100, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (importanceSamples < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(importanceSamples), importanceSamples, $"importanceSamples (k of the IWAE bound) must be at least 1; got {importanceSamples}.");
        }

        var network = Variational();
        int width = FeatureColumn.GetVectorSize(data.Schema, columnName, "input");
        CheckWidth(width, InputSize, columnName);
        TorchRuntime.EnsureInitialized();
        using var rows = new StreamingRows(data, columnName, width, 4096);
        lock (gate)
        {
            using var noGrad = torch.no_grad();
            return ImportanceWeightedBound.Estimate(network, rows, Loss, importanceSamples, seed);
        }
    }

    /// <summary>Draws of z ~ N(0, I) in blocks of <see cref="PriorBlockSize"/> rows from one generator seeded by <paramref name="seed"/>.</summary>
    internal IEnumerable<float[][]> PriorLatents(int count, int seed)
    {
        if (count <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The number of samples must be positive; got {count}.");
        }

        Variational();
        return Blocks();

        IEnumerable<float[][]> Blocks()
        {
            TorchRuntime.EnsureInitialized();
            using var generator = new torch.Generator((ulong)(uint)seed);
            for (int start = 0; start < count; start += PriorBlockSize)
            {
                int n = Math.Min(PriorBlockSize, count - start);
                float[] values;
                using (var z = torch.randn(new long[] { n, LatentSize }, generator: generator))
                {
                    values = z.data<float>().ToArray();
                }

                yield return RowArrays.Split(values, n, LatentSize);
            }
        }
    }

    private VariationalAutoencoderNetwork Variational() =>
        Network as VariationalAutoencoderNetwork
        ?? throw new NotSupportedException(
            $"This is a {Kind} autoencoder; sampling, the posterior and likelihoods need a variational one. Train it with VariationalAutoencoderOptions.");
}
