using System;

namespace Autoencoders.ML.Training;

/// <summary>How an autoencoder is trained. Hyperparameters only: nothing here is changed by training.</summary>
public sealed class TrainingOptions
{
    /// <summary>Default values, shared by the options and the catalog methods.</summary>
    public static class Defaults
    {
        /// <summary>Default number of epochs.</summary>
        public const int Epochs = 10;

        /// <summary>Default batch size.</summary>
        public const int BatchSize = 256;

        /// <summary>Default learning rate.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>Default seed.</summary>
        public const int Seed = 0;

        /// <summary>Default in-memory threshold: 2 GiB of float data.</summary>
        public const long MaxInMemoryBytes = 2L << 30;
    }

    /// <summary>Passes over the training data. Default 10.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Rows per gradient step. Default 256.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW). Default 0 (none).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Clip the global gradient norm to this value before each step; null (default) does not clip.</summary>
    public double? GradientClipNorm { get; set; }

    /// <summary>Reduce the learning rate when the loss stops improving; null (default) keeps it constant.</summary>
    public PlateauSchedule? ReduceOnPlateau { get; set; }

    /// <summary>
    /// Cosine annealing of the learning rate over all batches, with optional warm-up (null = constant rate). Exclusive
    /// with <see cref="ReduceOnPlateau"/>. Usually reaches a lower loss than a constant rate in the same number of epochs.
    /// </summary>
    public CosineSchedule? CosineAnnealing { get; set; }

    /// <summary>
    /// Fraction of the training rows held out for validation, in [0, 1). Ignored when validation data is passed
    /// explicitly. Default 0 (no validation).
    /// </summary>
    public double ValidationFraction { get; set; }

    /// <summary>
    /// Stop when the monitored loss (validation if available, else training) has not improved for this many epochs,
    /// and restore the weights of the best epoch. Null (default) trains all epochs and keeps the last weights.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>
    /// Corrupt the input of every training batch (a denoising autoencoder); null (default) trains on clean input.
    /// Validation loss is computed on clean input.
    /// </summary>
    public CorruptionOptions? Corruption { get; set; }

    /// <summary>
    /// Scale the input (and the target) per value, fitted on the training rows; the model and its ONNX graphs take and
    /// return values in the data's own units. Default <see cref="ScalingKind.None"/>.
    /// </summary>
    public ScalingKind Scaling { get; set; }

    /// <summary>Seed for weight initialisation, shuffling, dropout, corruption noise and the validation split. Default 0.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>Threads torch may use; null (default) keeps torch's own setting. Applies process-wide.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Data up to this many bytes (rows × width × 4) is copied once into one native tensor; larger data is streamed from
    /// the IDataView every epoch with bounded memory. Default 2 GiB.
    /// </summary>
    public long MaxInMemoryBytes { get; set; } = Defaults.MaxInMemoryBytes;

    /// <summary>When streaming, rows are shuffled within windows of this many rows. Default 16,384.</summary>
    public int StreamingShuffleWindow { get; set; } = 16_384;

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
    public void Validate()
    {
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(StreamingShuffleWindow, nameof(StreamingShuffleWindow));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number (try 1e-3).");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        }

        if (!(WeightDecay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be zero or positive.");
        }

        if (GradientClipNorm is double clip && !(clip > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "GradientClipNorm must be positive (or null to disable clipping).");
        }

        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        }

        if (EarlyStoppingPatience is int patience && patience <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), patience, "EarlyStoppingPatience must be positive (or null to disable early stopping).");
        }

        if (Threads is int threads && threads <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), threads, "Threads must be positive (or null for torch's default).");
        }

        if (MaxInMemoryBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInMemoryBytes), MaxInMemoryBytes, "MaxInMemoryBytes must be zero (always stream) or positive.");
        }

        ReduceOnPlateau?.Validate();
        CosineAnnealing?.Validate(LearningRate);
        if (ReduceOnPlateau != null && CosineAnnealing != null)
        {
            throw new ArgumentException("Set either ReduceOnPlateau or CosineAnnealing, not both: each one sets the learning rate.", nameof(CosineAnnealing));
        }
    }

    /// <summary>A shallow copy, so that a fitted model keeps the options it was trained with.</summary>
    public TrainingOptions Clone() => (TrainingOptions)MemberwiseClone();

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive; got {value}.");
        }
    }
}
