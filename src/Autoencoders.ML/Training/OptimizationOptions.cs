namespace Autoencoders.ML.Training;

/// <content>The <see cref="OptimizationOptions"/> group.</content>
public sealed partial class TrainingOptions
{
    /// <summary>
    /// How each step moves the weights: the optimizer, its learning rate and the one learning-rate schedule, weight decay
    /// and gradient clipping. A group of <see cref="TrainingOptions"/> (<see cref="TrainingOptions.Optimization"/>), shared
    /// with the classifier's fine-tuning (<see cref="Classification.FineTuningOptions.Optimization"/>).
    /// </summary>
    public sealed class OptimizationOptions
    {
        /// <summary>Default values, written once.</summary>
        public static class Defaults
        {
            /// <summary>Default <see cref="LearningRate"/>.</summary>
            public const double LearningRate = TrainingOptions.Defaults.LearningRate;

            /// <summary>Default <see cref="Momentum"/>.</summary>
            public const double Momentum = 0.9;

            /// <summary>The largest learning rate accepted; larger values are certainly a mistake.</summary>
            public const double MaxLearningRate = TrainingOptions.Defaults.MaxLearningRate;
        }

        /// <summary>Optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
        public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

        /// <summary>Initial learning rate, in (0, 10]. Default 1e-3.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;

        /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>. Default 0.9.</summary>
        public double Momentum { get; set; } = Defaults.Momentum;

        /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW), in [0, 1]. Default 0 (none).</summary>
        public double WeightDecay { get; set; }

        /// <summary>Clip the global gradient norm to this value before each step; null (default) does not clip.</summary>
        public double? GradientClipNorm { get; set; }

        /// <summary>
        /// The learning-rate schedule; null (default) keeps the rate constant. <see cref="PlateauSchedule"/> lowers it when
        /// the loss stops improving; <see cref="CosineSchedule"/> anneals it over all batches, with optional warm-up, and
        /// needs a fixed <see cref="BudgetOptions.Epochs"/>; or your own <see cref="ILearningRateSchedule"/> (a factory of
        /// TorchSharp schedulers, not saved with the model).
        /// </summary>
        public ILearningRateSchedule? Schedule { get; set; }

        /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
        public void Validate()
        {
            if (!Enum.IsDefined(Optimizer))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Optimizer), Optimizer, $"Optimizer must be {string.Join(", ", Enum.GetNames<OptimizerKind>())}; got {(int)Optimizer}.");
            }

            OptionChecks.Require(
                LearningRate > 0 && LearningRate <= Defaults.MaxLearningRate,
                nameof(LearningRate),
                LearningRate,
                $"LearningRate must be in (0, {Defaults.MaxLearningRate}]; got {LearningRate}. Try 1e-3 for Adam, 1e-2 to 1e-1 for SGD.");

            OptionChecks.Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "Momentum must be in [0, 1).");

            OptionChecks.Require(WeightDecay >= 0 && WeightDecay <= 1, nameof(WeightDecay), WeightDecay, $"WeightDecay must be in [0, 1]; got {WeightDecay}. Try 1e-4 (Adam) or 1e-2 (AdamW).");

            if (GradientClipNorm is double clip && !(clip > 0 && double.IsFinite(clip)))
            {
                throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, $"GradientClipNorm must be a positive finite number (or null to disable clipping); got {clip}.");
            }

            (Schedule as PlateauSchedule)?.Validate();
            (Schedule as CosineSchedule)?.Validate(LearningRate);
        }

        /// <summary>A copy (the schedule object is shared).</summary>
        public OptimizationOptions Clone() => (OptimizationOptions)MemberwiseClone();
    }
}
