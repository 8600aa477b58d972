namespace Autoencoders.ML.Training;

/// <content>The <see cref="BudgetOptions"/> group.</content>
public sealed partial class TrainingOptions
{
    /// <summary>
    /// How long training runs and what it holds out to judge itself: epochs or the automatic budget's caps, the validation
    /// fraction and early stopping. A group of <see cref="TrainingOptions"/> (<see cref="TrainingOptions.Budget"/>).
    /// </summary>
    public sealed class BudgetOptions
    {
        /// <summary>
        /// Passes over the training data. Null (default) is the automatic budget: hold out
        /// <see cref="TrainingOptions.Defaults.AutomaticValidationFraction"/> of the rows, train until the validation loss has
        /// not improved for <see cref="TrainingOptions.Defaults.AutomaticPatience"/> epochs and keep the best epoch's weights,
        /// stopping at <see cref="MaxEpochs"/> epochs or <see cref="MaxSteps"/> optimizer steps, whichever comes first. A
        /// number trains exactly that many epochs (early stopping only if <see cref="EarlyStoppingPatience"/> is set).
        /// </summary>
        public int? Epochs { get; set; }

        /// <summary>Cap of the automatic budget (<see cref="Epochs"/> null), in epochs. Default 200. Ignored when Epochs is set.</summary>
        public int MaxEpochs { get; set; } = TrainingOptions.Defaults.MaxEpochs;

        /// <summary>
        /// Cap of the automatic budget (<see cref="Epochs"/> null), in optimizer steps (batches), rounded up to whole epochs:
        /// large data gets fewer epochs, small data more. Default 6,000 (<see cref="TrainingOptions.Defaults.MaxSteps"/>); raise it to train longer for a lower
        /// error. Ignored when Epochs is set.
        /// </summary>
        public int MaxSteps { get; set; } = TrainingOptions.Defaults.MaxSteps;

        /// <summary>
        /// Fraction of the training rows held out for validation, in [0, 1). Ignored when validation data is passed
        /// explicitly. Null (default): <see cref="TrainingOptions.Defaults.AutomaticValidationFraction"/> with the automatic
        /// budget (<see cref="Epochs"/> null; skipped when that would hold out fewer than 10 rows), none with a fixed number
        /// of epochs. A fraction you set must leave rows on both sides, or training fails before it starts.
        /// </summary>
        public double? ValidationFraction { get; set; }

        /// <summary>
        /// Stop when the monitored loss (validation if available, else training) has not improved for this many epochs,
        /// and restore the weights of the best epoch. Null (default): <see cref="TrainingOptions.Defaults.AutomaticPatience"/>
        /// with the automatic budget (<see cref="Epochs"/> null); with a fixed number of epochs, train them all and keep the
        /// last weights.
        /// </summary>
        public int? EarlyStoppingPatience { get; set; }

        /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
        public void Validate()
        {
            if (Epochs is int epochs)
            {
                OptionChecks.InRange(epochs, 1, TrainingOptions.MaxEpochCount, nameof(Epochs), "or null for the automatic budget");
            }

            OptionChecks.InRange(MaxEpochs, 1, TrainingOptions.MaxEpochCount, nameof(MaxEpochs), "the automatic budget's cap in epochs");
            OptionChecks.InRange(MaxSteps, 1, int.MaxValue, nameof(MaxSteps), "the automatic budget's cap in optimizer steps");
            if (ValidationFraction is double fraction && !(fraction >= 0 && fraction < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ValidationFraction), fraction, $"ValidationFraction must be in [0, 1) (or null for the default); got {fraction}.");
            }

            if (EarlyStoppingPatience is int patience)
            {
                OptionChecks.InRange(patience, 1, TrainingOptions.MaxEpochCount, nameof(EarlyStoppingPatience), "or null to disable early stopping");
            }
        }

        /// <summary>A copy.</summary>
        public BudgetOptions Clone() => (BudgetOptions)MemberwiseClone();
    }
}
