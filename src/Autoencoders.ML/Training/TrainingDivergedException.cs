
namespace Autoencoders.ML.Training;

/// <summary>Thrown as soon as the training loss becomes NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message that says where it happened and what to try.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss, double learningRate)
        : base($"The training loss became {loss} at epoch {epoch}, batch {batch} (learning rate {learningRate:G3}). " +
               "Try a lower LearningRate (for example 10x smaller), set GradientClipNorm (for example 1.0), " +
               "or scale the inputs (for example to [0, 1] or zero mean and unit variance).")
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>Creates the exception with a custom message.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a custom message and inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>1-based epoch in which the loss diverged.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch.</summary>
    public int Batch { get; }

    /// <summary>The non-finite loss value.</summary>
    public double Loss { get; }
}
