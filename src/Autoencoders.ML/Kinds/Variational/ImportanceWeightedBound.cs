
namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// The ELBO and the importance-weighted (IWAE) estimate of −log p(x) over a set of rows, with bounded memory: rows are
/// taken a few at a time and their k draws of z are decoded in chunks of at most <see cref="MaxDecodedRows"/> rows.
/// </summary>
internal static class ImportanceWeightedBound
{
    /// <summary>Upper bound on the decoded rows held at once (rows × draws in one chunk).</summary>
    public const int MaxDecodedRows = 8192;

    /// <summary>Evaluates every row of <paramref name="rows"/>; the caller holds the model's lock and no_grad.</summary>
    public static AutoencoderModel.LikelihoodEstimate Estimate(VariationalAutoencoderNetwork network, RowSource rows, ReconstructionLoss loss, int samples, int seed)
    {
        using var generator = new torch.Generator((ulong)(uint)seed);
        int rowsPerBatch = Math.Clamp(MaxDecodedRows / samples, 1, 1024);
        int samplesPerChunk = Math.Max(1, Math.Min(samples, MaxDecodedRows / rowsPerBatch));
        double constant = VariationalMath.ReconstructionConstant(loss, network.Spec.OutputSize);
        double logSamples = Math.Log(samples);
        double nll = 0;
        double reconstruction = 0;
        double kl = 0;
        long count = 0;
        foreach (var batch in rows.Batches(rowsPerBatch, shuffle: null))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            var (mean, logVariance) = network.Posterior(batch);
            long n = batch.shape[0];
            long latent = mean.shape[1];
            var logWeights = torch.empty(new[] { n, samples }, ScalarType.Float64);
            var logLikelihoods = torch.empty(new[] { n, samples }, ScalarType.Float64);
            for (int start = 0; start < samples; start += samplesPerChunk)
            {
                int k = Math.Min(samplesPerChunk, samples - start);
                var epsilon = torch.randn(new[] { n, k, latent }, generator: generator);
                var z = VariationalMath.Reparameterize(mean.unsqueeze(1), logVariance.unsqueeze(1), epsilon);
                var target = batch.unsqueeze(1).expand(n, k, batch.shape[1]).reshape(n * k, batch.shape[1]);
                var logits = network.DecodeLogits(z.reshape(n * k, latent));
                // log p(x|z) per draw; float64 from here on, so that summing 784-value terms over k draws loses nothing.
                var logPx = (-VariationalMath.ReconstructionPerRow(logits, target, loss, network.Spec.OutputActivation)).to_type(ScalarType.Float64).reshape(n, k).Minus(constant);
                var logPz = VariationalMath.LogStandardNormal(z).to_type(ScalarType.Float64);
                var logQz = VariationalMath.LogPosterior(epsilon, logVariance.unsqueeze(1)).to_type(ScalarType.Float64);
                logLikelihoods.narrow(1, start, k).copy_(logPx);
                logWeights.narrow(1, start, k).copy_(logPx.Plus(logPz) - logQz);
            }

            // log-mean-exp over the draws, stable for weights of any size.
            nll -= torch.logsumexp(logWeights, 1).Minus(logSamples).sum().ToDouble();
            reconstruction -= logLikelihoods.mean(new long[] { 1 }).sum().ToDouble();
            kl += VariationalMath.KlToStandardNormal(mean, logVariance).sum().ToDouble();
            count += n;
        }

        if (count == 0)
        {
            throw new InvalidOperationException("There are no rows to evaluate.");
        }

        return new AutoencoderModel.LikelihoodEstimate(-(reconstruction + kl) / count, nll / count, reconstruction / count, kl / count, samples, count);
    }
}
