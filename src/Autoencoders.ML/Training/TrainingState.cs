namespace Autoencoders.ML.Training;

/// <summary>Everything of a training run that moves as it trains: what a checkpoint saves and a resumed run takes up.</summary>
internal sealed record TrainingState(
    nn.Module Network,
    optim.Optimizer Optimizer,
    optim.lr_scheduler.LRScheduler? Scheduler,
    ILearningRateSchedule? Schedule,
    EarlyStopping Stopping,
    torch.Generator Noise,
    ReplayableRandom Shuffle,
    List<EpochReport> Reports);
