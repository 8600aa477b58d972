namespace Autoencoders.ML.Training;

/// <summary>
/// The number type the matrix multiplies of training run in (<see cref="TrainingOptions.Precision"/>). Whatever the
/// choice, the weights, the optimizer, the loss and the trained model are float32: a saved model, its
/// ONNX export and scoring do not depend on it.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>Every operation in float32. The default.</summary>
    Float32,

    /// <summary>
    /// Mixed precision: the dense layers' matrix multiplies of a training step, forward and backward, run in bfloat16 on
    /// bfloat16 copies of the float32 weights; between the dense layers of a stack the activations stay bfloat16, and the
    /// weight gradients, the optimizer and the loss are float32. Worth it on CPUs with bfloat16 instructions (AVX-512
    /// BF16, AMX) and on GPUs that support bfloat16; elsewhere it is emulated and slower. Convolution layers and the
    /// validation pass stay float32.
    /// </summary>
    BFloat16,

    /// <summary>
    /// <see cref="BFloat16"/> when the run trains on a CPU that multiplies bfloat16 natively (Linux reports
    /// <c>avx512_bf16</c> or <c>amx_bf16</c>), <see cref="Float32"/> otherwise (other CPUs, other systems, GPUs). Decided
    /// once before training starts, from the CPU alone (never from timings, so the same seed on the same machine gives
    /// the same model); the trained model's options record the precision it chose, and the log says why.
    /// </summary>
    Automatic,
}
