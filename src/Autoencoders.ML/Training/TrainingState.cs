using System.IO;
namespace Autoencoders.ML.Training;

/// <summary>Everything of a training run that moves as it trains: what a checkpoint saves and a resumed run takes up.</summary>
/// <param name="Network">The module trained.</param>
/// <param name="Optimizers">One optimizer per parameter group (most runs have one).</param>
/// <param name="Schedulers">One scheduler per optimizer, or none.</param>
/// <param name="Schedule">The schedule the schedulers came from, or null.</param>
/// <param name="Stopping">Early stopping's best epoch and weights.</param>
/// <param name="Noise">The corruption noise generator.</param>
/// <param name="Shuffle">The batch-order generator.</param>
/// <param name="Reports">The epochs so far.</param>
/// <param name="Hooks">What the run's hooks keep between steps (their own generators and positions), or null.</param>
internal sealed record TrainingState(
    nn.Module Network,
    IReadOnlyList<optim.Optimizer> Optimizers,
    IReadOnlyList<optim.lr_scheduler.LRScheduler> Schedulers,
    ILearningRateSchedule? Schedule,
    EarlyStopping Stopping,
    torch.Generator Noise,
    ReplayableRandom Shuffle,
    List<EpochReport> Reports,
    ICheckpointState? Hooks)
{
    /// <summary>The first optimizer: its learning rate is the run's.</summary>
    public optim.Optimizer Optimizer => Optimizers[0];
}

/// <summary>State a run's hooks keep between steps, saved in a checkpoint and put back on resume.</summary>
internal interface ICheckpointState
{
    /// <summary>Writes the state.</summary>
    void Save(BinaryWriter writer);

    /// <summary>Reads what <see cref="Save"/> wrote and takes it up.</summary>
    void Load(BinaryReader reader);
}
