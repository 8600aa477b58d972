
namespace Autoencoders.ML.Training;

/// <summary>
/// Reduce-on-plateau (TorchSharp's <c>lr_scheduler.ReduceLROnPlateau</c>, stepped after every epoch): multiplies the
/// learning rate by <see cref="Factor"/> when the monitored loss (validation loss if there is validation data, else
/// training loss) has not improved for <see cref="Patience"/> epochs. Set it as <see cref="TrainingOptions.OptimizationOptions.Schedule"/>.
/// </summary>
public sealed class PlateauSchedule : ILearningRateSchedule
{
    /// <summary>Multiplier applied to the learning rate, in (0, 1). Default 0.5.</summary>
    public double Factor { get; set; } = 0.5;

    /// <summary>Epochs without improvement before the rate is reduced. Default 2.</summary>
    public int Patience { get; set; } = 2;

    /// <summary>The rate is never reduced below this. Default 1e-6.</summary>
    public double MinLearningRate { get; set; } = 1e-6;

    /// <summary>Relative improvement that counts as one (loss &lt; best·(1 − threshold)). Default 1e-4.</summary>
    public double Threshold { get; set; } = 1e-4;

    /// <inheritdoc />
    bool ILearningRateSchedule.StepsEveryBatch => false;

    /// <inheritdoc />
    optim.lr_scheduler.LRScheduler ILearningRateSchedule.Create(optim.Optimizer optimizer, TrainingPlan plan) =>
        optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode: "min", factor: Factor, patience: Patience, threshold: Threshold, threshold_mode: "rel", min_lr: new[] { MinLearningRate });

    internal void Validate()
    {
        if (!(Factor > 0 && Factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "PlateauSchedule.Factor must be in (0, 1).");
        }

        if (Patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "PlateauSchedule.Patience must be zero or positive.");
        }

        if (!(MinLearningRate >= 0) || !(Threshold >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MinLearningRate), "PlateauSchedule.MinLearningRate and Threshold must be zero or positive.");
        }
    }
}
