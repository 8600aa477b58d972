using System;
using System.Collections.Generic;
using System.Linq;
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

    // Field names are state-dict prefixes: keep them stable, saved weights depend on them. The trunk and the decoder
    // are layer stacks, so dense and convolutional VAEs share this class.
    private readonly LayerStack encoder;
    private readonly Linear mean;
    private readonly Linear logVariance;
    private readonly LayerStack decoder;

    public VariationalAutoencoderNetwork(AutoencoderSpec spec, VariationalAutoencoderOptions options)
        : base(nameof(VariationalAutoencoderNetwork), spec)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Encoder[^1] is not DenseLayerSpec { Act: Activation.None } head)
        {
            throw new NotSupportedException("A variational autoencoder needs a dense, linear last encoder layer (the mean head).");
        }

        Options = options;
        encoder = new LayerStack("encoder", spec.Encoder.Take(spec.Encoder.Count - 1).ToArray());
        mean = nn.Linear(head.In, head.Out);
        logVariance = nn.Linear(head.In, head.Out);
        decoder = new LayerStack("decoder", spec.Decoder);
        RegisterComponents();
    }

    /// <summary>The shared trunk (every encoder layer but the heads); may be empty.</summary>
    public LayerStack Trunk => encoder;

    /// <summary>The decoder layers.</summary>
    public LayerStack DecoderStack => decoder;

    public override string Kind => "variational";

    /// <summary>β, warm-up and the log-variance clamp.</summary>
    public VariationalAutoencoderOptions Options { get; }

    /// <summary>The affine map of encoder layer <paramref name="index"/> (the last one is the mean head).</summary>
    /// <summary>Dense encoder layer <paramref name="index"/>; the last index is the mean head.</summary>
    public Linear EncoderLayer(int index) => index == Spec.Encoder.Count - 1 ? mean : (Linear)encoder.Layer(index);

    public Linear LogVarianceLayer => logVariance;

    /// <summary>Dense decoder layer <paramref name="index"/>.</summary>
    public Linear DecoderLayer(int index) => (Linear)decoder.Layer(index);

    public override Tensor Encode(Tensor x) => Posterior(x).Mean;

    /// <inheritdoc />
    public override Tensor DecodeLogits(Tensor z) => decoder.forward(z);

    /// <summary>x (N, D) → μ and the clamped log σ² of q(z|x), both (N, latent).</summary>
    public (Tensor Mean, Tensor LogVariance) Posterior(Tensor x)
    {
        var trunk = Spec.Encoder.Count > 1 ? encoder.forward(x) : x;
        double clamp = Options.LogVarianceClamp;
        return (mean.forward(trunk), logVariance.forward(trunk).clamp(-clamp, clamp));
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
}
