namespace Autoencoders.ML.Architecture;

/// <summary>An element-wise activation function applied after a layer.</summary>
/// <remarks>Every value here is supported by both the TorchSharp module and the ONNX export.</remarks>
public enum Activation
{
    /// <summary>No activation: the layer is linear.</summary>
    None,

    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>x for x ≥ 0, 0.01·x otherwise (PyTorch's default slope).</summary>
    LeakyReLU,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    Sigmoid,

    /// <summary>x for x &gt; 0, e^x − 1 otherwise (α = 1).</summary>
    ELU,

    /// <summary>Gaussian error linear unit, the exact form x·Φ(x) with the error function (not the tanh approximation).</summary>
    GELU,
}
