namespace Autoencoders.ML.Training;

/// <summary>How input values are scaled before they reach the network (fitted on the training rows).</summary>
public enum ScalingKind
{
    /// <summary>Values are used as they are.</summary>
    None,

    /// <summary>Each value is mapped to [0, 1] by its training minimum and maximum.</summary>
    MinMax,

    /// <summary>Each value is standardised to zero mean and unit variance over the training rows.</summary>
    Standard,
}
