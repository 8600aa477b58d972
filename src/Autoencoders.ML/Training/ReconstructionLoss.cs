namespace Autoencoders.ML.Training;

/// <summary>How a reconstruction is compared with its target.</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error over all values; any real-valued data.</summary>
    MeanSquaredError,

    /// <summary>
    /// Binary cross-entropy, for data in [0, 1] (for example pixel intensities). Computed from the decoder's logits,
    /// which is numerically stable; requires <see cref="Architecture.OutputActivation.Sigmoid"/>.
    /// </summary>
    BinaryCrossEntropy,
}
