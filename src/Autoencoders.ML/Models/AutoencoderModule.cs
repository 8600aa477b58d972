using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// Base of every autoencoder network (one subclass per model kind). The trainer only needs <see cref="Loss"/>; the
/// transforms and the ONNX export need <see cref="Encode"/> and <see cref="DecodeLogits"/>.
/// </summary>
internal abstract class AutoencoderModule : nn.Module<Tensor, Tensor>
{
    protected AutoencoderModule(string name, AutoencoderSpec spec)
        : base(name)
    {
        Spec = spec;
    }

    /// <summary>The architecture the module was built from.</summary>
    public AutoencoderSpec Spec { get; }

    /// <summary>The model family written to metadata and model.json, e.g. <c>dense</c> or <c>variational</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>x (N, D) → the deterministic latent code (N, latent) used by transforms (the mean for a VAE).</summary>
    public abstract Tensor Encode(Tensor x);

    /// <summary>latent (N, latent) → decoder output before the output activation (N, D').</summary>
    public abstract Tensor DecodeLogits(Tensor z);

    /// <summary>latent (N, latent) → reconstruction (N, D'), output activation applied.</summary>
    public Tensor Decode(Tensor z) => ApplyOutputActivation(DecodeLogits(z));

    /// <summary>x (N, D) → reconstruction (N, D').</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));

    /// <summary>Applies the spec's output activation to decoder logits.</summary>
    public Tensor ApplyOutputActivation(Tensor logits) =>
        Spec.OutputActivation == OutputActivation.Sigmoid ? torch.sigmoid(logits) : logits;

    /// <summary>
    /// The loss of one batch and its named parts (scalar tensors; the total is what is minimised). The default is the
    /// reconstruction loss of <see cref="forward"/>; a model kind with a regulariser (a VAE's KL term) overrides it.
    /// </summary>
    /// <param name="input">What the encoder sees, possibly corrupted, (N, D).</param>
    /// <param name="target">What the reconstruction should be, (N, D').</param>
    /// <param name="loss">The reconstruction loss.</param>
    /// <param name="progress">Where training is (for schedules such as KL warm-up).</param>
    public virtual LossBreakdown Loss(Tensor input, Tensor target, ReconstructionLoss loss, TrainingProgress progress)
    {
        var reconstruction = LossFunctions.Reconstruction(DecodeLogits(Encode(input)), target, loss, Spec.OutputActivation);
        return new LossBreakdown(reconstruction, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction });
    }
}

/// <summary>A batch loss and its parts, as scalar tensors.</summary>
/// <param name="Total">What the optimizer minimises.</param>
/// <param name="Parts">Named parts reported in <see cref="EpochReport.TrainingLossParts"/>.</param>
internal sealed record LossBreakdown(Tensor Total, IReadOnlyDictionary<string, Tensor> Parts)
{
    /// <summary>Name of the reconstruction part.</summary>
    public const string Reconstruction = "reconstruction";
}

/// <summary>Where training stands when a batch loss is computed.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="Fraction">Fraction of training done, in [0, 1], counting batches.</param>
internal sealed record TrainingProgress(int Epoch, int Epochs, double Fraction);
