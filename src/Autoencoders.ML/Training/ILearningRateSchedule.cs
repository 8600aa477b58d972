
namespace Autoencoders.ML.Training;

/// <summary>
/// A learning-rate schedule: makes one TorchSharp <c>torch.optim.lr_scheduler</c> scheduler per training run. The
/// trainer calls the scheduler's <c>step()</c> after every optimizer step when <see cref="StepsEveryBatch"/> is true;
/// otherwise <c>step(loss)</c> after every epoch, with the monitored loss (validation if there is validation data, else
/// training), which <c>ReduceLROnPlateau</c> reads and the others ignore. Set it as
/// <see cref="TrainingOptions.OptimizationOptions.Schedule"/> (<c>TrainingOptions.Optimization.Schedule</c>); <see cref="CosineSchedule"/>
/// and <see cref="PlateauSchedule"/> are the two built in.
/// </summary>
/// <example>
/// An exponential decay after every epoch:
/// <code>
/// sealed class Decay : ILearningRateSchedule
/// {
///     public bool StepsEveryBatch => false;
///     public optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, TrainingPlan plan) =>
///         optim.lr_scheduler.ExponentialLR(optimizer, gamma: 0.9);
/// }
/// </code>
/// </example>
public interface ILearningRateSchedule
{
    /// <summary>True: stepped after every batch; false: stepped after every epoch with the monitored loss.</summary>
    bool StepsEveryBatch { get; }

    /// <summary>Creates the scheduler of one run, bound to that run's optimizer.</summary>
    /// <param name="optimizer">The run's optimizer, with the base rate <see cref="TrainingOptions.LearningRate"/>.</param>
    /// <param name="plan">The run's length: epochs and optimizer steps per epoch.</param>
    optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, TrainingPlan plan);
}
