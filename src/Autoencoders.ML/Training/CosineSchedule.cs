using System;

namespace Autoencoders.ML.Training;

/// <summary>
/// Cosine annealing with an optional linear warm-up, updated every batch (PyTorch's <c>CosineAnnealingLR</c> over the
/// whole run, preceded by a linear ramp): the learning rate rises from 0 to <see cref="TrainingOptions.LearningRate"/>
/// over the first <see cref="WarmupFraction"/> of the batches, then falls along half a cosine to
/// <see cref="MinLearningRate"/> at the last batch of <see cref="TrainingOptions.Epochs"/>. Cannot be combined with
/// <see cref="TrainingOptions.ReduceOnPlateau"/>.
/// </summary>
public sealed class CosineSchedule
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
