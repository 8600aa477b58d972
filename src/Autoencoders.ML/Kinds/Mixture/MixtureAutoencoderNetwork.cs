using System.Globalization;
using System.Text.Json;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>
/// The TorchSharp module of a Gaussian-mixture VAE (see <see cref="MixtureAutoencoderOptions"/>): the VAE's encoder and
/// decoder (state-dict prefix <c>vae</c>) and the learned prior, <c>priorMean</c> (K, L), <c>priorLogVariance</c> (K, L)
/// and <c>weightLogits</c> (K; fixed unless the options learn the weights). Its ONNX encoder gives the posterior's mean and
/// log-variance (as the VAE's) and the cluster posterior q(y|x).
/// </summary>
internal sealed class MixtureAutoencoderNetwork : AutoencoderModule
{
    /// <summary>Name of the component-weighted KL part of the loss, Σ_k q(k|x)·KL(q(z|x) ‖ p(z|k)).</summary>
    public const string KlPart = "kl";

    /// <summary>Name of the cluster KL part of the loss, KL(q(y|x) ‖ π).</summary>
    public const string ClusterKlPart = "cluster_kl";

    /// <summary>Name of the consistency part, I(y; y′) between the clusters of two moves of each image (nats, reported, not minimised as such).</summary>
    public const string ConsistencyPart = "consistency";

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly VariationalAutoencoderNetwork vae;
    private readonly Parameter priorMean;
    private readonly Parameter priorLogVariance;
    private readonly Parameter weightLogits;

    public MixtureAutoencoderNetwork(AutoencoderSpec spec, MixtureAutoencoderOptions options)
        : base(nameof(MixtureAutoencoderNetwork), spec)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        vae = new VariationalAutoencoderNetwork(spec, new VariationalAutoencoderOptions { LogVarianceClamp = options.LogVarianceClamp });
        int k = options.Clusters;
        int latent = spec.LatentSize;
        // Spread means (replaced by the k-means initialisation of a fresh run); unit variances; uniform weights.
        priorMean = new Parameter(torch.randn(k, latent));
        priorLogVariance = new Parameter(torch.zeros(k, latent));
        weightLogits = new Parameter(torch.zeros(k), requires_grad: options.LearnWeights);
        RegisterComponents();
    }

    /// <summary>K, β, warm-up, clamp, pretraining.</summary>
    public MixtureAutoencoderOptions Options { get; }

    /// <summary>K, the number of components.</summary>
    public int Clusters => Options.Clusters;

    /// <inheritdoc />
    public override LayerStack Decoder => vae.Decoder;

    /// <inheritdoc />
    public override string Kind => "gmvae";

    /// <inheritdoc />
    public override string CodeOutput => OnnxNames.Mean;

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => vae.Posterior(x).Mean;

    /// <summary>x (N, D) → μ and the clamped log σ² of q(z|x), both (N, latent).</summary>
    public (Tensor Mean, Tensor LogVariance) Posterior(Tensor x) => vae.Posterior(x);

    /// <summary>The prior's means (K, L), clamped log-variances (K, L) and log-weights (K), as used by the loss.</summary>
    public (Tensor Mean, Tensor LogVariance, Tensor LogWeights) Prior()
    {
        double clamp = Options.LogVarianceClamp;
        using Scalar low = -clamp;
        using Scalar high = clamp;
        return (priorMean, priorLogVariance.clamp(low, high), weightLogits.log_softmax(0));
    }

    /// <summary>log q(y|x) of rows (N, K) from their posterior.</summary>
    public Tensor LogClusterPosterior(Tensor mean, Tensor logVariance)
    {
        var (pm, plv, logWeights) = Prior();
        return MixtureMath.LogClusterPosterior(MixtureMath.KlPerComponent(mean, logVariance, pm, plv), logWeights);
    }

    /// <summary>Sets the prior (used by the initialisation); <paramref name="weights"/> are probabilities.</summary>
    public void SetPrior(Tensor means, Tensor logVariances, Tensor? weights)
    {
        using var noGrad = torch.no_grad();
        priorMean.copy_(means);
        using Scalar low = -Options.LogVarianceClamp;
        using Scalar high = Options.LogVarianceClamp;
        priorLogVariance.copy_(logVariances.clamp(low, high));
        if (weights is not null && Options.LearnWeights)
        {
            weightLogits.copy_(weights.ClampMin(1e-6).log());
        }
    }

    /// <summary>
    /// Reconstruction (summed over each row's values) plus β·w·(Σ_k q(k|x)·KL_k + KL(q(y|x) ‖ π)), averaged over the
    /// batch, minus λ·(I(y; y′) + (b − 1)·(H(y) + H(y′))) when <see cref="MixtureAutoencoderOptions.ConsistencyWeight"/> λ is
    /// set (training only; y′ is the cluster of the batch moved once more; b is <see cref="MixtureAutoencoderOptions.ConsistencyBalance"/>). In training mode the decoder reads z = μ + σ·ε; in evaluation mode
    /// z = μ (deterministic validation loss).
    /// </summary>
    public override LossBreakdown Loss(Tensor input, Tensor target, ReconstructionLoss loss, TrainingProgress progress)
    {
        var (mean, logVar) = vae.Posterior(input);
        var z = training ? VariationalMath.Reparameterize(mean, logVar, torch.randn_like(mean)) : mean;
        var reconstruction = VariationalMath.ReconstructionPerRow(DecodeLogits(z), target, loss, Spec.OutputActivation).mean();
        var (pm, plv, logWeights) = Prior();
        var klPerComponent = MixtureMath.KlPerComponent(mean, logVar, pm, plv);
        var logGamma = MixtureMath.LogClusterPosterior(klPerComponent, logWeights);
        var gamma = logGamma.exp();
        var kl = (gamma * klPerComponent).sum(1).mean();
        var clusterKl = (gamma * (logGamma - logWeights.unsqueeze(0))).sum(1).mean();
        var total = reconstruction.Plus(kl.Plus(clusterKl).Times(Options.KlWeight(progress.Fraction)));
        var parts = new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction, [KlPart] = kl, [ClusterKlPart] = clusterKl };
        if (training && Options.ConsistencyWeight > 0 && TrainingAugmentation is { } augmentation)
        {
            // A second move of each image (torch's generator, so checkpoints replay it), its cluster posterior, and the
            // mutual information between the two over the batch.
            var (mean2, logVar2) = vae.Posterior(augmentation.Apply(input, generator: null));
            var gamma2 = MixtureMath.LogClusterPosterior(MixtureMath.KlPerComponent(mean2, logVar2, pm, plv), logWeights).exp();
            var (information, marginalEntropy) = MixtureMath.Consistency(gamma, gamma2);
            // IIC's λ_entropy: a balance above 1 weighs the marginal entropies (equal use of the clusters) more than I does.
            var term = Options.ConsistencyBalance == 1 ? information : information.Plus(marginalEntropy.Times(Options.ConsistencyBalance - 1));
            total = total - term.Times(Options.ConsistencyWeight);
            parts[ConsistencyPart] = information;
        }

        return new LossBreakdown(total, parts);
    }

    /// <inheritdoc />
    internal override void Prepare(TrainingPreparation preparation) => MixtureInitialization.Run(this, vae, preparation);

    /// <inheritdoc />
    public override int? OutputWidth(string name) => name switch
    {
        MixtureOnnx.ClusterProbabilities or MixtureOnnx.ClusterScore => Clusters,
        MixtureOnnx.Cluster => null,
        _ => Spec.LatentSize,
    };

    /// <inheritdoc />
    public override IReadOnlyList<string> EmitEncoder(OnnxGraphBuilder graph, string input, string code)
    {
        var outputs = vae.EmitEncoder(graph, input, code);
        var (pm, plv, logWeights) = Prior();
        MixtureOnnx.EmitClusters(graph, graph.OutputTarget(code), graph.OutputTarget(OnnxNames.LogVariance), pm, plv, logWeights);
        return outputs.Concat(new[] { MixtureOnnx.ClusterProbabilities, MixtureOnnx.Cluster, MixtureOnnx.ClusterScore }).ToArray();
    }

    /// <inheritdoc />
    public override string OnnxNote =>
        $"q(z|x) = N(mean, exp(log_variance)); prior a mixture of {Clusters} Gaussians N(prior_means[k], exp(prior_log_variances[k])) " +
        "with weights mixture_weights (metadata); cluster_probabilities = q(y|x), cluster = its argmax (as a float), cluster_score = −log q(y|x). ";

    /// <inheritdoc />
    public override IEnumerable<(string Key, string Value)> OnnxMetadata()
    {
        var culture = CultureInfo.InvariantCulture;
        var (pm, plv, logWeights) = Prior();
        return new[]
        {
            ("latent_distribution", "diagonal_gaussian"),
            ("prior", "gaussian_mixture"),
            ("clusters", Clusters.ToString(culture)),
            ("prior_means", Rows(pm)),
            ("prior_log_variances", Rows(plv)),
            ("mixture_weights", JsonSerializer.Serialize(logWeights.exp().detach().data<float>().ToArray())),
            ("beta", Options.Beta.ToString("R", culture)),
            ("log_variance_clamp", Options.LogVarianceClamp.ToString("R", culture)),
        };
    }

    // A (K, L) tensor as a JSON array of K arrays of L numbers.
    private static string Rows(Tensor values)
    {
        var flat = values.detach().contiguous().data<float>().ToArray();
        int width = (int)values.shape[1];
        return JsonSerializer.Serialize(Enumerable.Range(0, (int)values.shape[0]).Select(k => flat.AsSpan(k * width, width).ToArray()).ToArray());
    }
}
