using Autoencoders.ML.Layers;

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

    /// <summary>
    /// <see cref="Reconstruction"/>'s value and its gradient with respect to <paramref name="logits"/> in closed form,
    /// for a training step written without autograd (call under <c>no_grad</c>). For n values and the output y
    /// (sigmoid(logits) or the logits): mean squared error's gradient is 2·(y − t)/n, times y·(1 − y) through a sigmoid;
    /// binary cross-entropy on logits has (sigmoid(logits) − t)/n.
    /// </summary>
    /// <param name="logits">Decoder output before the output activation, (N, D); float32, or bfloat16 (the loss is float32).</param>
    /// <param name="target">What the reconstruction should be, (N, D).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">The output activation.</param>
    /// <returns>The mean loss (a float32 scalar) and its gradient (N, D) in float32.</returns>
    public static (Tensor Value, Tensor Gradient) ReconstructionGradient(Tensor logits, Tensor target, ReconstructionLoss loss, OutputActivation output)
    {
        if (logits.dtype != ScalarType.Float32)
        {
            logits = logits.to(ScalarType.Float32);
        }

        double n = logits.numel();
        switch (loss)
        {
            case ReconstructionLoss.MeanSquaredError when output == OutputActivation.Identity && CpuKernels.Applies(logits, target):
            {
                var gradient = torch.empty_like(logits);
                double sum = CpuKernels.SquaredError(logits, target, gradient, (float)(2.0 / n));
                return (torch.tensor((float)(sum / n)), gradient);
            }

            case ReconstructionLoss.MeanSquaredError:
            {
                var y = output == OutputActivation.Sigmoid ? torch.sigmoid(logits) : logits;
                var difference = y - target;
                // Σd² as one dot product of the flat rows.
                var value = difference.flatten().dot(difference.flatten()).OverInPlace(n);
                var gradient = difference.TimesInPlace(2.0 / n);
                return (value, output == OutputActivation.Sigmoid ? gradient.mul_(y.neg().PlusInPlace(1.0).mul_(y)) : gradient);
            }

            case ReconstructionLoss.BinaryCrossEntropy:
                return (nn.functional.binary_cross_entropy_with_logits(logits, target), torch.sigmoid(logits).sub_(target).OverInPlace(n));
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown reconstruction loss.");
        }
    }
}
