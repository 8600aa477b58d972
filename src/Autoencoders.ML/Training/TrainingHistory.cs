using System.Collections.Generic;

namespace Autoencoders.ML.Training;

/// <summary>The per-epoch record of a training run and how it ended.</summary>
public sealed class TrainingHistory
{
    /// <summary>Creates a history.</summary>
    public TrainingHistory(IReadOnlyList<EpochReport> epochs, int bestEpoch, bool stoppedEarly, string monitoredLoss)
    {
        Epochs = epochs;
        BestEpoch = bestEpoch;
        StoppedEarly = stoppedEarly;
        MonitoredLoss = monitoredLoss;
    }

    /// <summary>One report per completed epoch.</summary>
    public IReadOnlyList<EpochReport> Epochs { get; }

    /// <summary>1-based epoch with the lowest monitored loss; its weights are the model's when early stopping is on.</summary>
    public int BestEpoch { get; }

    /// <summary>True when early stopping ended training before the last epoch.</summary>
    public bool StoppedEarly { get; }

    /// <summary><c>validation</c> or <c>training</c>: which loss chose the best epoch.</summary>
    public string MonitoredLoss { get; }
}
