
namespace Autoencoders.ML.Training;

/// <summary>
/// Cosine annealing with an optional linear warm-up, updated every batch (PyTorch's <c>CosineAnnealingLR</c> over the
/// whole run, preceded by a linear ramp): the learning rate rises from 0 to <see cref="TrainingOptions.OptimizationOptions.LearningRate"/>
/// over the first <see cref="WarmupFraction"/> of the batches, then falls along half a cosine to
/// <see cref="MinLearningRate"/> at the last batch of <see cref="TrainingOptions.BudgetOptions.Epochs"/>. Set it as
/// <see cref="TrainingOptions.OptimizationOptions.Schedule"/>; it needs a fixed number of epochs.
/// </summary>
/// <remarks>
/// Without warm-up the run uses TorchSharp's <c>lr_scheduler.CosineAnnealingLR</c> over all steps. With warm-up it uses
/// <c>lr_scheduler.LambdaLR</c> with <see cref="RateAt"/>: PyTorch's <c>LinearLR</c> cannot start from a rate of 0 and
/// <c>SequentialLR</c> switches at a whole step, where the warm-up fraction may end between two steps.
/// </remarks>
public sealed class CosineSchedule : ILearningRateSchedule
{
    /// <summary>Fraction of all batches spent warming up linearly from zero, in [0, 1). Default 0 (no warm-up).</summary>
    public double WarmupFraction { get; set; }

    /// <summary>The rate reached at the last batch; zero or positive and below the base rate. Default 0.</summary>
    public double MinLearningRate { get; set; }

    /// <summary>The learning rate at <paramref name="fraction"/> (0 = first batch, 1 = end of the last) of the run.</summary>
    /// <param name="baseRate">The peak rate, <see cref="TrainingOptions.LearningRate"/>.</param>
    /// <param name="fraction">How far training has gone, in [0, 1].</param>
    public double RateAt(double baseRate, double fraction)
    {
        fraction = Math.Clamp(fraction, 0, 1);
        if (fraction < WarmupFraction)
        {
            return baseRate * fraction / WarmupFraction;
        }

        double t = WarmupFraction >= 1 ? 1 : (fraction - WarmupFraction) / (1 - WarmupFraction);
        return MinLearningRate + ((baseRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }

    /// <inheritdoc />
    bool ILearningRateSchedule.StepsEveryBatch => true;

    /// <inheritdoc />
    optim.lr_scheduler.LRScheduler ILearningRateSchedule.Create(optim.Optimizer optimizer, TrainingPlan plan)
    {
        double total = plan.TotalSteps;
        if (WarmupFraction == 0)
        {
            return optim.lr_scheduler.CosineAnnealingLR(optimizer, total, MinLearningRate);
        }

        double baseRate = plan.LearningRate;
        return optim.lr_scheduler.LambdaLR(optimizer, step => RateAt(baseRate, step / total) / baseRate);
    }

    internal void Validate(double baseRate)
    {
        if (!(WarmupFraction >= 0 && WarmupFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, "CosineSchedule.WarmupFraction must be in [0, 1).");
        }

        if (!(MinLearningRate >= 0 && MinLearningRate < baseRate))
        {
            throw new ArgumentOutOfRangeException(
                nameof(MinLearningRate), MinLearningRate, $"CosineSchedule.MinLearningRate must be zero or positive and below LearningRate ({baseRate:G3}).");
        }
    }
}
