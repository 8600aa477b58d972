using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// The TorchSharp module of a variational autoencoder. The spec's encoder layers are the trunk followed by the mean
/// head; the log-variance head is a parallel layer of the same shape. State-dict keys: <c>encoder.{i}</c> (trunk and
/// mean head, as in the dense network), <c>logVariance</c> and <c>decoder.{i}</c>.
/// </summary>
internal sealed class VariationalAutoencoderNetwork : AutoencoderModule
{
    /// <summary>Name of the KL part of the loss.</summary>
    public const string KlPart = "kl";

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them.
    private readonly ModuleList<Linear> encoder;
    private readonly Linear logVariance;
    private readonly ModuleList<Linear> decoder;

    public VariationalAutoencoderNetwork(AutoencoderSpec spec, VariationalAutoencoderOptions options)
        : base(nameof(VariationalAutoencoderNetwork), spec)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Encoder[^1] is not DenseLayerSpec { Act: Activation.None } mean)
        {
            throw new NotSupportedException("A variational autoencoder needs a dense, linear last encoder layer (the mean head).");
        }

        Options = options;
        encoder = new ModuleList<Linear>(CreateLinear(spec.Encoder));
        logVariance = nn.Linear(mean.In, mean.Out);
        decoder = new ModuleList<Linear>(CreateLinear(spec.Decoder));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Kind => "variational";

    /// <summary>β, warm-up and the log-variance clamp.</summary>
    public VariationalAutoencoderOptions Options { get; }

    /// <summary>The affine map of encoder layer <paramref name="index"/> (the last one is the mean head).</summary>
    public Linear EncoderLayer(int index) => encoder[index];

    /// <summary>The affine map of the log-variance head.</summary>
    public Linear LogVarianceLayer => logVariance;

    /// <summary>The affine map of decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => decoder[index];

    /// <summary>The posterior mean: the deterministic code used by transforms and <c>Reconstruct</c>.</summary>
    public override Tensor Encode(Tensor x) => Posterior(x).Mean;

    /// <inheritdoc />
    public override Tensor DecodeLogits(Tensor z) => Run(decoder, Spec.Decoder, 0, Spec.Decoder.Count, z);

    /// <summary>x (N, D) → μ and the clamped log σ² of q(z|x), both (N, latent).</summary>
    public (Tensor Mean, Tensor LogVariance) Posterior(Tensor x)
    {
        var trunk = Run(encoder, Spec.Encoder, 0, Spec.Encoder.Count - 1, x);
        double clamp = Options.LogVarianceClamp;
        return (encoder[Spec.Encoder.Count - 1].forward(trunk), logVariance.forward(trunk).clamp(-clamp, clamp));
    }

    /// <summary>
    /// Reconstruction (summed over each row's values) plus β·w·KL, averaged over the batch. In training mode the decoder
    /// reads a sample z = μ + σ·ε (torch's global generator, seeded by the trainer); in evaluation mode (validation
    /// loss) it reads z = μ, so the validation loss is deterministic: the reconstruction at the mean plus the exact KL
    /// term, a slightly optimistic stand-in for the negative ELBO (<see cref="AutoencoderModel.EstimateLikelihood"/>
    /// gives the sampled one).
    /// </summary>
    public override LossBreakdown Loss(Tensor input, Tensor target, ReconstructionLoss loss, TrainingProgress progress)
    {
        var (mean, logVar) = Posterior(input);
        var z = training ? VariationalMath.Reparameterize(mean, logVar, torch.randn_like(mean)) : mean;
        var reconstruction = VariationalMath.ReconstructionPerRow(DecodeLogits(z), target, loss, Spec.OutputActivation).mean();
        var kl = VariationalMath.KlToStandardNormal(mean, logVar).mean();
        var total = reconstruction + (kl * Options.KlWeight(progress.Fraction));
        return new LossBreakdown(total, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction, [KlPart] = kl });
    }

    private Tensor Run(ModuleList<Linear> layers, IReadOnlyList<LayerSpec> specs, int from, int to, Tensor x)
    {
        for (int i = from; i < to; i++)
        {
            var spec = (DenseLayerSpec)specs[i];
            x = AutoencoderNetwork.Activate(layers[i].forward(x), spec.Act);
            if (spec.Dropout > 0f && training)
            {
                x = nn.functional.dropout(x, spec.Dropout, training: true);
            }
        }

        return x;
    }

    private static Linear[] CreateLinear(IReadOnlyList<LayerSpec> specs)
    {
        var layers = new Linear[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            layers[i] = specs[i] is DenseLayerSpec dense
                ? nn.Linear(dense.In, dense.Out)
                : throw new NotSupportedException($"Layer {i} is a {specs[i].GetType().Name}; the variational network takes dense layers only.");
        }

        return layers;
    }
}
