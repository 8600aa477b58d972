
namespace Autoencoders.ML.Training;

/// <summary>The length of one training run, as a learning-rate schedule sees it before the first step.</summary>
/// <param name="Epochs">Epochs planned: <see cref="TrainingOptions.Epochs"/>, or the automatic budget's cap.</param>
/// <param name="StepsPerEpoch">Optimizer steps (batches) per epoch.</param>
/// <param name="LearningRate">The base learning rate, <see cref="TrainingOptions.LearningRate"/>.</param>
/// <param name="Automatic">True when the run ends when the validation loss stops improving, so it may end before <paramref name="Epochs"/>.</param>
public sealed record TrainingPlan(int Epochs, long StepsPerEpoch, double LearningRate, bool Automatic)
{
    /// <summary>Optimizer steps if every planned epoch runs.</summary>
    public long TotalSteps => Epochs * StepsPerEpoch;

    /// <summary>
    /// The plan for <paramref name="trainingRows"/> rows: a fixed <see cref="TrainingOptions.Epochs"/>, or the automatic
    /// budget's cap — <see cref="TrainingOptions.MaxEpochs"/> or <see cref="TrainingOptions.MaxSteps"/> rounded up to
    /// whole epochs, whichever is smaller.
    /// </summary>
    internal static TrainingPlan For(TrainingOptions options, long trainingRows)
    {
        long steps = StepsIn(trainingRows, options.BatchSize);
        int epochs = options.Epochs ?? (int)Math.Min(options.MaxEpochs, (options.MaxSteps + steps - 1) / steps);
        return new TrainingPlan(epochs, steps, options.LearningRate, options.IsAutomatic);
    }

    /// <summary>A plan of exactly <paramref name="epochs"/> epochs over <paramref name="trainingRows"/> rows.</summary>
    internal static TrainingPlan Fixed(int epochs, long trainingRows, int batchSize, double learningRate) =>
        new(epochs, StepsIn(trainingRows, batchSize), learningRate, Automatic: false);

    private static long StepsIn(long trainingRows, int batchSize) => Math.Max(1, (trainingRows + batchSize - 1) / batchSize);

    /// <summary>Where training stands after batch <paramref name="batch"/> (1-based) of <paramref name="epoch"/>.</summary>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="batch">1-based batch within the epoch.</param>
    /// <param name="continuing">A continued run is past its warm-ups: the fraction is 1.</param>
    internal Kinds.TrainingProgress Progress(int epoch, int batch, bool continuing) =>
        new(epoch, Epochs, continuing ? 1.0 : ((epoch - 1) + ((double)batch / StepsPerEpoch)) / Epochs);
}
