
namespace Autoencoders.ML.Training;

/// <summary>The reconstruction losses, computed from the decoder's pre-activation output.</summary>
internal static class LossFunctions
{
    /// <summary>Mean reconstruction loss per value.</summary>
    /// <param name="logits">Decoder output before the output activation, (N, D).</param>
    /// <param name="target">What the reconstruction should be, (N, D).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">The output activation, applied here for mean squared error.</param>
    public static Tensor Reconstruction(Tensor logits, Tensor target, ReconstructionLoss loss, OutputActivation output) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => nn.functional.mse_loss(
            output == OutputActivation.Sigmoid ? torch.sigmoid(logits) : logits, target),
        // log-sum-exp form inside libtorch: stable for any logit, unlike log(sigmoid(x)).
        ReconstructionLoss.BinaryCrossEntropy => nn.functional.binary_cross_entropy_with_logits(logits, target),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown reconstruction loss."),
    };
}
