
namespace Autoencoders.ML.Training;

/// <summary>The per-epoch record of a training run and how it ended.</summary>
public sealed partial class TrainingHistory
{
    /// <summary>Creates a history.</summary>
    /// <param name="epochs">One report per completed epoch.</param>
    /// <param name="bestEpoch">1-based epoch with the lowest monitored loss.</param>
    /// <param name="stoppedEarly">True when early stopping ended training before the last epoch.</param>
    /// <param name="monitoredLoss"><c>validation</c> or <c>training</c>.</param>
    /// <param name="pca">The autoencoder next to exact PCA on the validation rows, or null when not measured.</param>
    public TrainingHistory(IReadOnlyList<EpochReport> epochs, int bestEpoch, bool stoppedEarly, string monitoredLoss, PcaComparison? pca = null)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        MonitoredLoss = monitoredLoss;
        Pca = pca;
    }

    /// <summary>
    /// With <see cref="TrainingOptions.Runs"/> above 1: the monitored loss each run ended with (the one that chose the
    /// run), in run order; null for a single run.
    /// </summary>
    public IReadOnlyList<double>? RunLosses { get; init; }

    /// <summary>1-based: which of <see cref="RunLosses"/> is this model (the lowest); 1 for a single run.</summary>
    public int ChosenRun { get; init; } = 1;

    /// <summary>One report per completed epoch.</summary>
    public IReadOnlyList<EpochReport> Epochs { get; }

    /// <summary>1-based epoch with the lowest monitored loss; its weights are the model's when early stopping is on.</summary>
    public int BestEpoch { get; }

    /// <summary>True when early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary><c>validation</c> or <c>training</c>: which loss chose the best epoch.</summary>
    public string MonitoredLoss { get; }

    /// <summary>
    /// The yardstick: on the validation rows, the trained autoencoder's reconstruction error next to exact PCA's with
    /// the same code size (<see cref="PcaComparison.AutoencoderBeatsPca"/> says which is better). Null when it was not
    /// measured: no validation rows, paired training (a target column), <see cref="TrainingOptions.CompareWithPca"/>
    /// off, rows wider than 4,096 values, or a model loaded from a file that did not record it.
    /// </summary>
    public PcaComparison? Pca { get; }
}
