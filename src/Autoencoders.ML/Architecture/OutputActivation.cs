namespace Autoencoders.ML.Architecture;

/// <summary>The activation of the decoder's last layer, which shapes the range of the reconstruction.</summary>
public enum OutputActivation
{
    /// <summary>Unbounded output; the usual choice with <see cref="Training.ReconstructionLoss.MeanSquaredError"/>.</summary>
    Identity,

    /// <summary>Output in (0, 1); required by <see cref="Training.ReconstructionLoss.BinaryCrossEntropy"/>.</summary>
    Sigmoid,
}
