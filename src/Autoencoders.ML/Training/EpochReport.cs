
namespace Autoencoders.ML.Training;

/// <summary>What happened in one training epoch; sent through <see cref="IProgress{T}"/> and kept in the history.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned: <see cref="TrainingOptions.Epochs"/>, or the automatic budget's cap (the run may stop earlier).</param>
/// <param name="TrainingLoss">Mean training loss over the epoch's batches (weighted by batch size).</param>
/// <param name="TrainingLossParts">The parts of the training loss by name (for example <c>reconstruction</c>).</param>
/// <param name="ValidationLoss">Loss on the validation rows in evaluation mode, or null without validation data.</param>
/// <param name="LearningRate">Learning rate of the epoch's last batch (a cosine schedule changes it every batch).</param>
/// <param name="Elapsed">Wall time since training started.</param>
/// <param name="SamplesPerSecond">Training rows processed per second in this epoch.</param>
/// <param name="IsBest">True when this epoch has the lowest monitored loss so far.</param>
public sealed record EpochReport(
    int Epoch,
    int Epochs,
    double TrainingLoss,
    IReadOnlyDictionary<string, double> TrainingLossParts,
    double? ValidationLoss,
    double LearningRate,
    TimeSpan Elapsed,
    double SamplesPerSecond,
    bool IsBest)
{
    /// <summary>1-based: which of <see cref="TrainingOptions.Runs"/> this epoch belongs to (1 for a single run).</summary>
    public int Run { get; init; } = 1;

    /// <summary>How many runs the training makes (<see cref="TrainingOptions.Runs"/>).</summary>
    public int Runs { get; init; } = 1;

    /// <summary>
    /// Which part of a training the epoch belongs to: <c>training</c> (an autoencoder's run), <c>pretraining</c> (the
    /// autoencoder a mixture model or a classifier starts from), <c>head</c> and <c>fine-tuning</c> (the classifier's two
    /// phases, whose "epochs" are blocks of steps). Every phase counts its epochs from 1.
    /// </summary>
    public string Phase { get; init; } = TrainingPhases.Training;

    /// <summary>One line such as <c>epoch 3/10  loss 0.01234  val 0.01301  lr 1e-3  52,000 rows/s</c> (prefixed <c>run 2/3</c> when there are several, and by the phase when it is not <c>training</c>).</summary>
    public override string ToString() =>
        (Phase != TrainingPhases.Training ? $"{Phase}  " : string.Empty) +
        (Runs > 1 ? $"run {Run}/{Runs}  " : string.Empty) +
        $"epoch {Epoch}/{Epochs}  loss {TrainingLoss:G5}" +
        (ValidationLoss is double v ? $"  val {v:G5}" : string.Empty) +
        $"  lr {LearningRate:G3}  {SamplesPerSecond:N0} rows/s  {Elapsed.TotalSeconds:F1}s" + (IsBest ? "  *" : string.Empty);
}

/// <summary>The names of <see cref="EpochReport.Phase"/>.</summary>
internal static class TrainingPhases
{
    public const string Training = "training";
    public const string Pretraining = "pretraining";
    public const string Head = "head";
    public const string FineTuning = "fine-tuning";
}
