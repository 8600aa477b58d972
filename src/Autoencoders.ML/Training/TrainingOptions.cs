using System.Text.Json.Serialization;

namespace Autoencoders.ML.Training;

/// <summary>How an autoencoder is trained. Hyperparameters only: nothing here is changed by training.</summary>
public sealed class TrainingOptions
{
    /// <summary>Default values, shared by the options and the catalog methods.</summary>
    public static class Defaults
    {
        /// <summary>The automatic budget's cap in epochs (see <see cref="TrainingOptions.MaxEpochs"/>).</summary>
        public const int MaxEpochs = 200;

        /// <summary>
        /// The automatic budget's cap in optimizer steps (see <see cref="TrainingOptions.MaxSteps"/>): about a minute of
        /// training on 2 CPU cores for MNIST's 54,000 training rows in batches of 256 (29 epochs).
        /// </summary>
        public const int MaxSteps = 6_000;

        /// <summary>The share of rows the automatic budget holds out for validation.</summary>
        public const double AutomaticValidationFraction = 0.1;

        /// <summary>The automatic budget's early-stopping patience, in epochs.</summary>
        public const int AutomaticPatience = 10;

        /// <summary>The largest learning rate accepted; larger values are certainly a mistake.</summary>
        public const double MaxLearningRate = 10;

        /// <summary>Default batch size.</summary>
        public const int BatchSize = 256;

        /// <summary>Default learning rate.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>Default seed.</summary>
        public const int Seed = 0;

        /// <summary>Default in-memory threshold: 2 GiB of float data.</summary>
        public const long MaxInMemoryBytes = 2L << 30;
    }

    /// <summary>
    /// Passes over the training data. Null (default) is the automatic budget: hold out
    /// <see cref="Defaults.AutomaticValidationFraction"/> of the rows, train until the validation loss has not improved
    /// for <see cref="Defaults.AutomaticPatience"/> epochs and keep the best epoch's weights, stopping at
    /// <see cref="MaxEpochs"/> epochs or <see cref="MaxSteps"/> optimizer steps, whichever comes first. A number trains
    /// exactly that many epochs (early stopping only if <see cref="EarlyStoppingPatience"/> is set).
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>
    /// Cap of the automatic budget (<see cref="Epochs"/> null), in epochs. Default 200. Ignored when Epochs is set.
    /// </summary>
    public int MaxEpochs { get; set; } = Defaults.MaxEpochs;

    /// <summary>
    /// Cap of the automatic budget (<see cref="Epochs"/> null), in optimizer steps (batches), rounded up to whole epochs:
    /// large data gets fewer epochs, small data more. Default 6,000 (<see cref="Defaults.MaxSteps"/>); raise it to train longer
    /// for a lower error. Ignored when Epochs is set.
    /// </summary>
    public int MaxSteps { get; set; } = Defaults.MaxSteps;

    /// <summary>True when <see cref="Epochs"/> is null: training stops when the validation loss stops improving.</summary>
    [JsonIgnore]
    public bool IsAutomatic => Epochs == null;

    /// <summary>The most epochs this run can take: <see cref="Epochs"/>, or the automatic budget's cap in epochs.</summary>
    [JsonIgnore]
    public int EpochLimit => Epochs ?? MaxEpochs;

    /// <summary>Rows per gradient step. Default 256.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate, in (0, 10]. Default 1e-3.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>. Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW), in [0, 1]. Default 0 (none).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Clip the global gradient norm to this value before each step; null (default) does not clip.</summary>
    public double? GradientClipNorm { get; set; }

    /// <summary>Reduce the learning rate when the loss stops improving; null (default) keeps it constant.</summary>
    public PlateauSchedule? ReduceOnPlateau { get; set; }

    /// <summary>
    /// Cosine annealing of the learning rate over all batches, with optional warm-up (null = constant rate). Needs a
    /// fixed <see cref="Epochs"/> (the schedule spans the run). Exclusive with the other schedules. Usually reaches a
    /// lower loss than a constant rate in the same number of epochs.
    /// </summary>
    public CosineSchedule? CosineAnnealing { get; set; }

    /// <summary>
    /// Your own learning-rate schedule: a factory of TorchSharp <c>torch.optim.lr_scheduler</c> schedulers, called once
    /// per run (null = none). Exclusive with <see cref="ReduceOnPlateau"/> and <see cref="CosineAnnealing"/>, which are
    /// schedules of this kind themselves. Not saved with the model.
    /// </summary>
    [JsonIgnore]
    public ILearningRateSchedule? LearningRateSchedule { get; set; }

    /// <summary>
    /// Fraction of the training rows held out for validation, in [0, 1). Ignored when validation data is passed
    /// explicitly. Null (default): <see cref="Defaults.AutomaticValidationFraction"/> with the automatic budget
    /// (<see cref="Epochs"/> null; skipped when that would hold out fewer than 10 rows), none with a fixed number of
    /// epochs. A fraction you set must leave rows on both sides, or training fails before it starts.
    /// </summary>
    public double? ValidationFraction { get; set; }

    /// <summary>
    /// Stop when the monitored loss (validation if available, else training) has not improved for this many epochs,
    /// and restore the weights of the best epoch. Null (default): <see cref="Defaults.AutomaticPatience"/> with the
    /// automatic budget (<see cref="Epochs"/> null); with a fixed number of epochs, train them all and keep the last
    /// weights.
    /// </summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>
    /// After training, measure exact PCA with as many components as the code on the validation rows and report its
    /// error next to the autoencoder's (<see cref="TrainingHistory.Pca"/>, and a log line that says plainly when the
    /// autoencoder does not beat it). Needs validation rows and an unpaired model. Default true.
    /// </summary>
    public bool CompareWithPca { get; set; } = true;

    /// <summary>
    /// Corrupt the input of every training batch (a denoising autoencoder); null (default) trains on clean input.
    /// Validation loss is computed on clean input.
    /// </summary>
    public CorruptionOptions? Corruption { get; set; }

    /// <summary>
    /// Move every training image at random (shifts and turns, see <see cref="ImageAugmentation"/>) before it is used as
    /// both input and target; null (default) trains on the rows as they are. Needs image rows of the given shape and no
    /// target column; validation rows are not moved. The mixture kind's pretraining uses it too.
    /// </summary>
    public ImageAugmentation? Augmentation { get; set; }

    /// <summary>
    /// Scale the input (and the target) per value, fitted on the training rows; the model and its ONNX graphs take and
    /// return values in the data's own units. Default <see cref="ScalingKind.None"/>.
    /// </summary>
    public ScalingKind Scaling { get; set; }

    /// <summary>Seed for weight initialisation, shuffling, dropout, corruption noise and the validation split. Default 0.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>
    /// Train the model this many times, each run from its own seed (<see cref="Seed"/> for the first, then
    /// <see cref="Seed"/> + <see cref="RunSeedStride"/>·r: weights, shuffling, noise and, for the mixture kind, its
    /// pretraining and k-means), and keep the run whose monitored loss is lowest: the validation loss of the epoch whose
    /// weights are kept when there are validation rows, else that epoch's mean training loss — the objective the run
    /// minimised (scikit-learn's <c>n_init</c>, for a whole training). The validation split is the same for every run.
    /// ≥ 1; default 1. Costs R trainings. Useful where the outcome depends on the draw: on held-out MNIST rows the
    /// mixture kind's final training loss set aside its weak clusterings (below 80%), though among good ones it did not
    /// rank them (docs/mixture-vae.md).
    /// <see cref="TrainingHistory.RunLosses"/> records every run's loss. Not with checkpoints or <see cref="ResumeFrom"/>.
    /// </summary>
    public int Runs { get; set; } = 1;

    /// <summary>What separates the seeds of <see cref="Runs"/>: run r (0-based) uses <see cref="Seed"/> + 10,000·r.</summary>
    public const int RunSeedStride = 10_000;

    /// <summary>The seed of run <paramref name="run"/> (0-based) of <see cref="Runs"/>.</summary>
    internal int RunSeed(int run) => unchecked(Seed + (RunSeedStride * run));

    /// <summary>
    /// Threads torch may use; null (default) keeps torch's own setting, one per core. Applies process-wide. When idle torch
    /// threads sleep after a short spin rather than spin long (the application's
    /// <c>TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads)</c>, which the command-line tool calls), and
    /// another process takes a core, the default still beats one thread: on 2 shared
    /// cores, 2 threads with sleeping waits trained 2–3.5× faster than with spinning ones, and faster than 1 thread
    /// (docs/benchmarks.md, "Threads"). Set 1 when several trainings share the machine on purpose.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Data up to this many bytes (rows × width × 4) is copied once into one native tensor; larger data is streamed from
    /// the IDataView every epoch with bounded memory. Default 2 GiB.
    /// </summary>
    public long MaxInMemoryBytes { get; set; } = Defaults.MaxInMemoryBytes;

    /// <summary>When streaming, rows are shuffled within windows of this many rows. Default 16,384.</summary>
    public int StreamingShuffleWindow { get; set; } = 16_384;

    /// <summary>
    /// Where training runs: <see cref="TrainingDevice.Automatic"/> (default) follows <c>MLContext.GpuDeviceId</c> and
    /// <c>MLContext.FallbackToCpu</c> as ML.NET's TorchSharp trainers do; <see cref="TrainingDevice.Cuda"/> requires a
    /// CUDA GPU (an error saying which package to add when there is none). The network, batches, losses and validation
    /// run there; the trained model, its scoring and its ONNX export are on the CPU.
    /// </summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Automatic;

    /// <summary>
    /// Write a checkpoint to <see cref="CheckpointPath"/> after every this many epochs (and after the last one): the
    /// weights, the optimizer's state, the schedule's position, the random generators (weights/dropout, shuffling,
    /// corruption noise), early stopping's state and the history so far, replaced atomically each time. Null
    /// (default): no checkpoints. Resume with <see cref="ResumeFrom"/>.
    /// </summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    public int? CheckpointEvery { get; set; }

    /// <summary>The checkpoint file (a zip; its folder must exist) that <see cref="CheckpointEvery"/> writes. Required with it.</summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// Resume the run a checkpoint was written from: training starts after the checkpoint's epoch with everything as it
    /// was, so the result is the one the uninterrupted run gives (same weights). The architecture, the data (rows and
    /// widths) and every training option must be those of the interrupted run — only <see cref="Threads"/>, <see cref="Device"/>,
    /// <see cref="CheckpointEvery"/>, <see cref="CheckpointPath"/> and <see cref="ResumeFrom"/> may change; a
    /// difference is an error naming it. A checkpoint may be resumed from more than once. Null (default): start afresh.
    /// </summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    public string? ResumeFrom { get; set; }

    /// <summary>
    /// The number type of the dense layers' matrix multiplies while training: <see cref="TrainingPrecision.Float32"/>
    /// (default) or <see cref="TrainingPrecision.BFloat16"/> (mixed precision: bfloat16 products, float32 weights,
    /// optimizer, loss and activations). A training-time setting only — the trained model, its ONNX export and scoring
    /// are float32 either way. A checkpoint records it, and a resume must use the same value.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] // float32 runs write the same files as before the option existed
    public TrainingPrecision Precision { get; set; }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
    public void Validate()
    {
        ValidateCheckpoints();
        InRange(Runs, 1, MaxRuns, nameof(Runs), "trainings from different seeds, the one with the lowest monitored loss kept; 1 trains once");
        if (Runs > 1 && (CheckpointEvery != null || ResumeFrom != null))
        {
            throw new ArgumentException(
                $"Runs = {Runs} trains several times from different seeds, but a checkpoint ({(ResumeFrom != null ? nameof(ResumeFrom) : nameof(CheckpointEvery))}) belongs to one run. " +
                "Set Runs = 1 to checkpoint or resume, or leave the checkpoint options unset.",
                nameof(Runs));
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentOutOfRangeException(
                nameof(Precision), Precision, $"Precision must be {string.Join(" or ", Enum.GetNames<TrainingPrecision>())}; got {(int)Precision}.");
        }

        if (Epochs is int epochs)
        {
            InRange(epochs, 1, MaxEpochCount, nameof(Epochs), "or null for the automatic budget");
        }

        InRange(MaxEpochs, 1, MaxEpochCount, nameof(MaxEpochs), "the automatic budget's cap in epochs");
        InRange(MaxSteps, 1, int.MaxValue, nameof(MaxSteps), "the automatic budget's cap in optimizer steps");
        InRange(BatchSize, 1, MaxBatchSize, nameof(BatchSize), "rows per optimizer step; 32 to 1024 is usual");
        Positive(StreamingShuffleWindow, nameof(StreamingShuffleWindow));
        if (!(LearningRate > 0 && LearningRate <= Defaults.MaxLearningRate))
        {
            throw new ArgumentOutOfRangeException(
                nameof(LearningRate), LearningRate, $"LearningRate must be in (0, {Defaults.MaxLearningRate}]; got {LearningRate}. Try 1e-3 for Adam, 1e-2 to 1e-1 for SGD.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        }

        if (!(WeightDecay >= 0 && WeightDecay <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, $"WeightDecay must be in [0, 1]; got {WeightDecay}. Try 1e-4 (Adam) or 1e-2 (AdamW).");
        }

        if (GradientClipNorm is double clip && !(clip > 0 && double.IsFinite(clip)))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, $"GradientClipNorm must be a positive finite number (or null to disable clipping); got {clip}.");
        }

        if (ValidationFraction is double fraction && !(fraction >= 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), fraction, $"ValidationFraction must be in [0, 1) (or null for the default); got {fraction}.");
        }

        if (EarlyStoppingPatience is int patience)
        {
            InRange(patience, 1, MaxEpochCount, nameof(EarlyStoppingPatience), "or null to disable early stopping");
        }

        if (Threads is int threads)
        {
            InRange(threads, 1, 4096, nameof(Threads), "or null for torch's default");
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

        if (LearningRateSchedule != null && (ReduceOnPlateau != null || CosineAnnealing != null))
        {
            throw new ArgumentException(
                "Set one learning-rate schedule: LearningRateSchedule, ReduceOnPlateau or CosineAnnealing. Each one sets the learning rate.",
                nameof(LearningRateSchedule));
        }

        if (CosineAnnealing != null && Epochs == null)
        {
            throw new ArgumentException(
                "CosineAnnealing spans a fixed number of epochs, but Epochs is null (the automatic budget, whose length is not known in advance). " +
                "Set Epochs, or use ReduceOnPlateau.",
                nameof(CosineAnnealing));
        }
    }

    /// <summary>The learning-rate schedule of a run: the one set, or null for a constant rate.</summary>
    internal ILearningRateSchedule? Schedule => LearningRateSchedule ?? (ILearningRateSchedule?)CosineAnnealing ?? ReduceOnPlateau;

    /// <summary>The validation split of a run without separate validation data.</summary>
    internal Data.ValidationSplit Split => ValidationFraction is double fraction
        ? new Data.ValidationSplit(fraction, Required: fraction > 0)
        : IsAutomatic ? new Data.ValidationSplit(Defaults.AutomaticValidationFraction, Required: false) : Data.ValidationSplit.None;

    /// <summary>The early-stopping patience of a run, or null for none.</summary>
    internal int? Patience => EarlyStoppingPatience ?? (IsAutomatic ? Defaults.AutomaticPatience : null);

    /// <summary>A shallow copy, so that a fitted model keeps the options it was trained with.</summary>
    public TrainingOptions Clone() => (TrainingOptions)MemberwiseClone();

    private void ValidateCheckpoints()
    {
        if (CheckpointEvery is int every)
        {
            InRange(every, 1, MaxEpochCount, nameof(CheckpointEvery), "or null for no checkpoints");
            if (string.IsNullOrWhiteSpace(CheckpointPath))
            {
                throw new ArgumentException($"CheckpointEvery ({every}) needs CheckpointPath: the file to write the checkpoint to.", nameof(CheckpointPath));
            }

            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(CheckpointPath));
            if (folder != null && !System.IO.Directory.Exists(folder))
            {
                throw new ArgumentException($"CheckpointPath '{CheckpointPath}': the folder '{folder}' does not exist. Create it or choose another path.", nameof(CheckpointPath));
            }
        }

        if (ResumeFrom != null && !System.IO.File.Exists(ResumeFrom))
        {
            throw new ArgumentException($"ResumeFrom '{ResumeFrom}': the checkpoint file does not exist.", nameof(ResumeFrom));
        }
    }

    private const int MaxEpochCount = 1_000_000;

    private const int MaxBatchSize = 1 << 20;

    private const int MaxRuns = 1_000;

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive; got {value}.");
        }
    }

    private static void InRange(int value, int min, int max, string name, string hint)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(
                name, value, value < 1 ? $"{name} must be positive ({hint}); got {value}." : $"{name} must be at most {max:N0} ({hint}); got {value:N0}.");
        }
    }
}
