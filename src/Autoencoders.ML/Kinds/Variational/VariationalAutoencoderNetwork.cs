using System.Globalization;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Onnx;
using TorchSharp.Modules;

namespace Autoencoders.ML.Kinds.Variational;

/// <summary>
/// The TorchSharp module of a variational autoencoder. The spec's encoder layers are the trunk followed by the mean
/// head; the log-variance head is a parallel layer of the same shape. State-dict keys: <c>encoder.layers.{i}</c> (the
/// trunk), <c>mean</c>, <c>logVariance</c> and <c>decoder.layers.{i}</c>. Its ONNX encoder gives the posterior's mean
/// and (clamped) log-variance; no graph samples: sampling needs a seed per row that ONNX's random operators cannot
/// offer, so it stays in the C# API.
/// </summary>
internal sealed class VariationalAutoencoderNetwork : AutoencoderModule
{
    /// <summary>Name of the KL part of the loss.</summary>
    public const string KlPart = "kl";

    // Also the state-dict prefixes, so initializers are named like the saved weights.
    private const string MeanPrefix = "mean";
    private const string LogVariancePrefix = "logVariance";

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them. The trunk and the decoder
    // are layer stacks, so dense and convolutional VAEs share this class.
    private readonly LayerStack encoder;
    private readonly Linear mean;
    private readonly Linear logVariance;
    private readonly LayerStack decoder;
    private readonly DenseLayerSpec head;

    public VariationalAutoencoderNetwork(AutoencoderSpec spec, VariationalAutoencoderOptions options)
        : base(nameof(VariationalAutoencoderNetwork), spec)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Encoder[^1] is not DenseLayerSpec { Act: Activation.None } last)
        {
            throw new NotSupportedException(
                $"A variational autoencoder needs a dense, linear last encoder layer (the mean head); the spec ends in {spec.Encoder[^1]}. " +
                "Build the spec with VariationalAutoencoderOptions.BuildSpec.");
        }

        Options = options;
        // Dropout is training-only; the heads never drop.
        head = last with { Dropout = 0f };
        encoder = new LayerStack(EncoderPrefix, spec.Encoder.Take(spec.Encoder.Count - 1).ToArray());
        mean = nn.Linear(head.In, head.Out);
        logVariance = nn.Linear(head.In, head.Out);
        decoder = new LayerStack(DecoderPrefix, spec.Decoder);
        RegisterComponents();
    }

    /// <summary>The shared trunk (every encoder layer but the heads); may be empty.</summary>
    public LayerStack Trunk => encoder;

    /// <inheritdoc />
    public override LayerStack Decoder => decoder;

    /// <inheritdoc />
    public override string Kind => "variational";

    /// <inheritdoc />
    public override string CodeOutput => OnnxNames.Mean;

    /// <summary>β, warm-up and the log-variance clamp.</summary>
    public VariationalAutoencoderOptions Options { get; }

    /// <summary>Dense encoder layer <paramref name="index"/>; the last index is the mean head.</summary>
    public Linear EncoderLayer(int index) => index == Spec.Encoder.Count - 1 ? mean : (Linear)encoder.Layer(index);

    /// <summary>The log-variance head.</summary>
    public Linear LogVarianceLayer => logVariance;

    /// <summary>Dense decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => (Linear)decoder.Layer(index);

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => Posterior(x).Mean;

    /// <summary>x (N, D) → μ and the clamped log σ² of q(z|x), both (N, latent).</summary>
    public (Tensor Mean, Tensor LogVariance) Posterior(Tensor x)
    {
        var trunk = Spec.Encoder.Count > 1 ? encoder.forward(x) : x;
        double clamp = Options.LogVarianceClamp;
        using Scalar low = -clamp;
        using Scalar high = clamp;
        return (MatmulPrecision.Linear(mean, trunk), MatmulPrecision.Linear(logVariance, trunk).clamp(low, high));
    }

    /// <summary>
    /// The training objective averaged over the batch. With <see cref="VariationalAutoencoderOptions.ImportanceSamples"/>
    /// = 1: reconstruction (summed over each row's values) plus β·w·KL. In training mode the decoder reads a sample
    /// z = μ + σ·ε (torch's global generator, seeded by the trainer); in evaluation mode (validation loss) it reads z = μ,
    /// so the validation loss is deterministic: the reconstruction at the mean plus the exact KL term, a slightly
    /// optimistic stand-in for the negative ELBO (<see cref="Models.AutoencoderModel.EstimateLikelihood"/> gives the
    /// sampled one). With k &gt; 1 samples, training minimises the importance-weighted bound
    /// (<see cref="ImportanceWeightedObjective"/>); validation stays the deterministic loss above.
    /// </summary>
    public override LossBreakdown Loss(Tensor input, Tensor target, ReconstructionLoss loss, TrainingProgress progress)
    {
        var (mean, logVar) = Posterior(input);
        if (training && Options.ImportanceSamples > 1)
        {
            var epsilon = torch.randn(new[] { mean.shape[0], Options.ImportanceSamples, mean.shape[1] }, dtype: mean.dtype);
            return ImportanceWeightedObjective(mean, logVar, epsilon, target, loss, Options.KlWeight(progress.Fraction));
        }

        var z = training ? VariationalMath.Reparameterize(mean, logVar, torch.randn_like(mean)) : mean;
        var reconstruction = VariationalMath.ReconstructionPerRow(DecodeLogits(z), target, loss, Spec.OutputActivation).mean();
        var kl = VariationalMath.KlToStandardNormal(mean, logVar).mean();
        var total = reconstruction.Plus(kl.Times(Options.KlWeight(progress.Fraction)));
        return new LossBreakdown(total, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction, [KlPart] = kl });
    }

    /// <summary>
    /// The importance-weighted bound (Burda et al. 2015) as a loss, averaged over the rows: −log (1/k)·Σᵢ exp(log wᵢ)
    /// with log wᵢ = log p(x|zᵢ) + <paramref name="klWeight"/>·(log p(zᵢ) − log q(zᵢ|x)) and zᵢ = μ + σ·εᵢ. With weight 1
    /// it is −(the IWAE bound) on log p(x) (up to the decoder's constant); k = 1 is a one-sample estimate of the
    /// negative ELBO. Its parts are the mean over draws of −log p(x|zᵢ) and of log q(zᵢ|x) − log p(zᵢ) (a sampled KL).
    /// </summary>
    /// <param name="mean">μ, (N, L).</param>
    /// <param name="logVariance">log σ², (N, L).</param>
    /// <param name="epsilon">The k standard-normal draws per row, (N, k, L).</param>
    /// <param name="target">The rows to reconstruct, (N, D).</param>
    /// <param name="loss">The decoder's likelihood.</param>
    /// <param name="klWeight">β times the warm-up weight.</param>
    public LossBreakdown ImportanceWeightedObjective(Tensor mean, Tensor logVariance, Tensor epsilon, Tensor target, ReconstructionLoss loss, double klWeight)
    {
        long n = mean.shape[0];
        long k = epsilon.shape[1];
        long latent = mean.shape[1];
        var z = VariationalMath.Reparameterize(mean.unsqueeze(1), logVariance.unsqueeze(1), epsilon);
        var targets = target.unsqueeze(1).expand(n, k, target.shape[1]).reshape(n * k, target.shape[1]);
        var reconstruction = VariationalMath.ReconstructionPerRow(DecodeLogits(z.reshape(n * k, latent)), targets, loss, Spec.OutputActivation).reshape(n, k);
        var kl = VariationalMath.LogPosterior(epsilon, logVariance.unsqueeze(1)) - VariationalMath.LogStandardNormal(z);
        var logWeights = -reconstruction - kl.Times(klWeight);
        var total = -torch.logsumexp(logWeights, 1).Minus(Math.Log(k)).mean();
        return new LossBreakdown(total, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction.mean(), [KlPart] = kl.mean() });
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> EmitEncoder(OnnxGraphBuilder graph, string input, string code)
    {
        string trunk = input;
        if (Spec.Encoder.Count > 1)
        {
            // Dense or convolutional trunk, written by the same layer stack as the other kinds.
            trunk = EncoderPrefix + ".trunk";
            encoder.Emit(graph, EncoderPrefix, input, trunk);
        }

        // Two heads on the trunk: the mean, and the log-variance clamped exactly as torch clamps it.
        head.Emit(graph, mean, MeanPrefix, trunk, graph.OutputTarget(code));
        string raw = LogVariancePrefix + ".unclamped";
        head.Emit(graph, logVariance, LogVariancePrefix, trunk, raw);
        float clamp = (float)Options.LogVarianceClamp;
        graph.AddNode(
            "Clip",
            new[] { raw, graph.Scalar("const.log_variance_min", -clamp), graph.Scalar("const.log_variance_max", clamp) },
            graph.OutputTarget(OnnxNames.LogVariance));
        return new[] { code, OnnxNames.LogVariance };
    }

    /// <inheritdoc />
    public override string OnnxNote =>
        "q(z|x) = N(mean, exp(log_variance)), prior N(0, I), log_variance clamped to " +
        $"±{Options.LogVarianceClamp.ToString(CultureInfo.InvariantCulture)}; the full graph decodes the mean. ";

    /// <inheritdoc />
    public override IEnumerable<(string Key, string Value)> OnnxMetadata()
    {
        var culture = CultureInfo.InvariantCulture;
        return new[]
        {
            ("latent_distribution", "diagonal_gaussian"),
            ("prior", "standard_normal"),
            ("beta", Options.Beta.ToString("R", culture)),
            ("log_variance_clamp", Options.LogVarianceClamp.ToString("R", culture)),
        };
    }
}
