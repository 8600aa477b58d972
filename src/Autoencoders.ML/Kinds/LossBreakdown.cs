
namespace Autoencoders.ML.Kinds;

/// <summary>A batch loss and its parts, as scalar tensors.</summary>
/// <param name="Total">What the optimizer minimises.</param>
/// <param name="Parts">Named parts reported in <see cref="EpochReport.TrainingLossParts"/>.</param>
internal sealed record LossBreakdown(Tensor Total, IReadOnlyDictionary<string, Tensor> Parts)
{
    /// <summary>Name of the reconstruction part.</summary>
    public const string Reconstruction = "reconstruction";

    /// <summary>
    /// True when computing the loss has already written every parameter's gradient (a training step without
    /// autograd, <see cref="AutoencoderModule.LossWithGradients"/>): the training loop then skips backward.
    /// </summary>
    public bool GradientsWritten { get; init; }
}
