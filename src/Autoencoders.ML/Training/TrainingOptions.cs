using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Autoencoders.ML.Training;

/// <summary>
/// How an autoencoder is trained, in four groups — <see cref="Optimization"/> (optimizer, rate, the one schedule,
/// clipping, weight decay), <see cref="Budget"/> (epochs or the automatic budget, validation, early stopping),
/// <see cref="DataPipeline"/> (batch size, corruption, augmentation, scaling) and <see cref="Execution"/> (threads,
/// device, precision, in-memory limit, checkpoints) — plus <see cref="Seed"/>, <see cref="Runs"/> and
/// <see cref="CompareWithPca"/>.
/// </summary>
/// <remarks>
/// Hyperparameters only: nothing here is changed by training. The flat properties of
/// earlier versions (<c>LearningRate</c>, <c>Epochs</c>, ...) still work and forward to the groups; model files keep
/// writing them, so every model.json reads in every version.
/// </remarks>
public sealed partial class TrainingOptions
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

        /// <summary>Default streaming shuffle window, in rows.</summary>
        public const int StreamingShuffleWindow = 16_384;

        /// <summary>Default in-memory threshold: 2 GiB of float data.</summary>
        public const long MaxInMemoryBytes = 2L << 30;
    }

    private OptimizationOptions optimization = new();
    private BudgetOptions budget = new();
    private DataPipelineOptions dataPipeline = new();
    private ExecutionOptions execution = new();
    private string? scheduleConflict;

    /// <summary>How each step moves the weights: optimizer, learning rate, the one schedule, weight decay, clipping.</summary>
    [JsonIgnore] // model files keep the flat names below
    public OptimizationOptions Optimization { get => optimization; set => optimization = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>How long training runs: epochs or the automatic budget's caps, validation fraction, early stopping.</summary>
    [JsonIgnore]
    public BudgetOptions Budget { get => budget; set => budget = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>What a batch is made of: batch size, corruption, augmentation, scaling, streaming shuffle.</summary>
    [JsonIgnore]
    public DataPipelineOptions DataPipeline { get => dataPipeline; set => dataPipeline = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>Where and how training is carried out: threads, device, precision, in-memory limit, checkpoints.</summary>
    [JsonIgnore]
    public ExecutionOptions Execution { get => execution; set => execution = value ?? throw new ArgumentNullException(nameof(value)); }

    /// <summary>Same as <see cref="BudgetOptions.Epochs"/> (<see cref="Budget"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? Epochs { get => budget.Epochs; set => budget.Epochs = value; }

    /// <summary>Same as <see cref="BudgetOptions.MaxEpochs"/> (<see cref="Budget"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int MaxEpochs { get => budget.MaxEpochs; set => budget.MaxEpochs = value; }

    /// <summary>Same as <see cref="BudgetOptions.MaxSteps"/> (<see cref="Budget"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int MaxSteps { get => budget.MaxSteps; set => budget.MaxSteps = value; }

    /// <summary>True when <see cref="BudgetOptions.Epochs"/> is null: training stops when the validation loss stops improving.</summary>
    [JsonIgnore]
    public bool IsAutomatic => Epochs == null;

    /// <summary>The most epochs this run can take: <see cref="BudgetOptions.Epochs"/>, or the automatic budget's cap in epochs.</summary>
    [JsonIgnore]
    public int EpochLimit => Epochs ?? MaxEpochs;

    /// <summary>Same as <see cref="DataPipelineOptions.BatchSize"/> (<see cref="DataPipeline"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int BatchSize { get => dataPipeline.BatchSize; set => dataPipeline.BatchSize = value; }

    /// <summary>Same as <see cref="OptimizationOptions.Optimizer"/> (<see cref="Optimization"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public OptimizerKind Optimizer { get => optimization.Optimizer; set => optimization.Optimizer = value; }

    /// <summary>Same as <see cref="OptimizationOptions.LearningRate"/> (<see cref="Optimization"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double LearningRate { get => optimization.LearningRate; set => optimization.LearningRate = value; }

    /// <summary>Same as <see cref="OptimizationOptions.Momentum"/> (<see cref="Optimization"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double Momentum { get => optimization.Momentum; set => optimization.Momentum = value; }

    /// <summary>Same as <see cref="OptimizationOptions.WeightDecay"/> (<see cref="Optimization"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double WeightDecay { get => optimization.WeightDecay; set => optimization.WeightDecay = value; }

    /// <summary>Same as <see cref="OptimizationOptions.GradientClipNorm"/> (<see cref="Optimization"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double? GradientClipNorm { get => optimization.GradientClipNorm; set => optimization.GradientClipNorm = value; }

    /// <summary><see cref="OptimizationOptions.Schedule"/> when it is a <see cref="PlateauSchedule"/>; setting it sets the schedule.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public PlateauSchedule? ReduceOnPlateau { get => optimization.Schedule as PlateauSchedule; set => SetSchedule(value, nameof(ReduceOnPlateau)); }

    /// <summary><see cref="OptimizationOptions.Schedule"/> when it is a <see cref="CosineSchedule"/>; setting it sets the schedule.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CosineSchedule? CosineAnnealing { get => optimization.Schedule as CosineSchedule; set => SetSchedule(value, nameof(CosineAnnealing)); }

    /// <summary><see cref="OptimizationOptions.Schedule"/> when it is your own schedule; setting it sets the schedule. Not saved with the model.</summary>
    [JsonIgnore]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ILearningRateSchedule? LearningRateSchedule
    {
        get => optimization.Schedule is PlateauSchedule or CosineSchedule ? null : optimization.Schedule;
        set => SetSchedule(value, nameof(LearningRateSchedule));
    }

    /// <summary>Same as <see cref="BudgetOptions.ValidationFraction"/> (<see cref="Budget"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public double? ValidationFraction { get => budget.ValidationFraction; set => budget.ValidationFraction = value; }

    /// <summary>Same as <see cref="BudgetOptions.EarlyStoppingPatience"/> (<see cref="Budget"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? EarlyStoppingPatience { get => budget.EarlyStoppingPatience; set => budget.EarlyStoppingPatience = value; }

    /// <summary>
    /// After training, measure exact PCA with as many components as the code on the validation rows and report its
    /// error next to the autoencoder's (<see cref="TrainingHistory.Pca"/>, and a log line that says plainly when the
    /// autoencoder does not beat it). Needs validation rows and an unpaired model. Default true.
    /// </summary>
    public bool CompareWithPca { get; set; } = true;

    /// <summary>Same as <see cref="DataPipelineOptions.Corruption"/> (<see cref="DataPipeline"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CorruptionOptions? Corruption { get => dataPipeline.Corruption; set => dataPipeline.Corruption = value; }

    /// <summary>Same as <see cref="DataPipelineOptions.Augmentation"/> (<see cref="DataPipeline"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ImageAugmentation? Augmentation { get => dataPipeline.Augmentation; set => dataPipeline.Augmentation = value; }

    /// <summary>Same as <see cref="DataPipelineOptions.Scaling"/> (<see cref="DataPipeline"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ScalingKind Scaling { get => dataPipeline.Scaling; set => dataPipeline.Scaling = value; }

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

    /// <summary>Same as <see cref="ExecutionOptions.Threads"/> (<see cref="Execution"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? Threads { get => execution.Threads; set => execution.Threads = value; }

    /// <summary>Same as <see cref="ExecutionOptions.MaxInMemoryBytes"/> (<see cref="Execution"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public long MaxInMemoryBytes { get => execution.MaxInMemoryBytes; set => execution.MaxInMemoryBytes = value; }

    /// <summary>Same as <see cref="DataPipelineOptions.StreamingShuffleWindow"/> (<see cref="DataPipeline"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int StreamingShuffleWindow { get => dataPipeline.StreamingShuffleWindow; set => dataPipeline.StreamingShuffleWindow = value; }

    /// <summary>Same as <see cref="ExecutionOptions.Device"/> (<see cref="Execution"/>).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TrainingDevice Device { get => execution.Device; set => execution.Device = value; }

    /// <summary>Same as <see cref="ExecutionOptions.CheckpointEvery"/> (<see cref="Execution"/>).</summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? CheckpointEvery { get => execution.CheckpointEvery; set => execution.CheckpointEvery = value; }

    /// <summary>Same as <see cref="ExecutionOptions.CheckpointPath"/> (<see cref="Execution"/>).</summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string? CheckpointPath { get => execution.CheckpointPath; set => execution.CheckpointPath = value; }

    /// <summary>Same as <see cref="ExecutionOptions.ResumeFrom"/> (<see cref="Execution"/>).</summary>
    [JsonIgnore] // how the run was carried out, not what the model is: a saved model does not need the file
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string? ResumeFrom { get => execution.ResumeFrom; set => execution.ResumeFrom = value; }

    /// <summary>Same as <see cref="ExecutionOptions.Precision"/> (<see cref="Execution"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] // float32 runs write the same files as before the option existed
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TrainingPrecision Precision { get => execution.Precision; set => execution.Precision = value; }

    /// <summary>
    /// Why <see cref="Precision"/> holds its value when the caller asked for <see cref="TrainingPrecision.Automatic"/>
    /// (set by the trainer when it resolves the choice), or null; a refused checkpoint's message repeats it.
    /// </summary>
    [JsonIgnore]
    internal string? PrecisionChoice { get; set; }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
    public void Validate()
    {
        Execution.Validate();
        OptionChecks.InRange(Runs, 1, MaxRuns, nameof(Runs), "trainings from different seeds, the one with the lowest monitored loss kept; 1 trains once");
        if (Runs > 1 && (CheckpointEvery != null || ResumeFrom != null))
        {
            throw new ArgumentException(
                $"Runs = {Runs} trains several times from different seeds, but a checkpoint ({(ResumeFrom != null ? nameof(ResumeFrom) : nameof(CheckpointEvery))}) belongs to one run. " +
                "Set Runs = 1 to checkpoint or resume, or leave the checkpoint options unset.",
                nameof(Runs));
        }

        Budget.Validate();
        DataPipeline.Validate();
        if (scheduleConflict != null)
        {
            throw new ArgumentException(scheduleConflict == nameof(LearningRateSchedule)
                ? "Set one learning-rate schedule: LearningRateSchedule, ReduceOnPlateau or CosineAnnealing. Each one sets the learning rate."
                : "Set either ReduceOnPlateau or CosineAnnealing, not both: each one sets the learning rate.", scheduleConflict);
        }

        Optimization.Validate();
        if (Optimization.Schedule is CosineSchedule && Epochs == null)
        {
            throw new ArgumentException(
                "CosineAnnealing spans a fixed number of epochs, but Epochs is null (the automatic budget, whose length is not known in advance). " +
                "Set Epochs, or use ReduceOnPlateau.",
                nameof(CosineAnnealing));
        }
    }

    /// <summary>The learning-rate schedule of a run, or null for a constant rate.</summary>
    internal ILearningRateSchedule? Schedule => Optimization.Schedule;

    /// <summary>The validation split of a run without separate validation data.</summary>
    internal Data.ValidationSplit Split => ValidationFraction is double fraction
        ? new Data.ValidationSplit(fraction, Required: fraction > 0)
        : IsAutomatic ? new Data.ValidationSplit(Defaults.AutomaticValidationFraction, Required: false) : Data.ValidationSplit.None;

    /// <summary>The early-stopping patience of a run, or null for none.</summary>
    internal int? Patience => EarlyStoppingPatience ?? (IsAutomatic ? Defaults.AutomaticPatience : null);

    /// <summary>A copy, groups included, so that a fitted model keeps the options it was trained with.</summary>
    public TrainingOptions Clone()
    {
        var copy = (TrainingOptions)MemberwiseClone();
        copy.optimization = optimization.Clone();
        copy.budget = budget.Clone();
        copy.dataPipeline = dataPipeline.Clone();
        copy.execution = execution.Clone();
        return copy;
    }

    /// <summary>
    /// The old schedule properties set the one <see cref="OptimizationOptions.Schedule"/>; setting two of them (which
    /// were mutually exclusive) is reported by <see cref="Validate"/>, as it was.
    /// </summary>
    private void SetSchedule(ILearningRateSchedule? value, string name)
    {
        var current = optimization.Schedule;
        string? currentName = current switch
        {
            null => null,
            PlateauSchedule => nameof(ReduceOnPlateau),
            CosineSchedule => nameof(CosineAnnealing),
            _ => nameof(LearningRateSchedule),
        };
        if (value == null)
        {
            if (currentName == name)
            {
                optimization.Schedule = null;
            }

            return;
        }

        if (currentName != null && currentName != name)
        {
            scheduleConflict = currentName == nameof(LearningRateSchedule) || name == nameof(LearningRateSchedule)
                ? nameof(LearningRateSchedule)
                : nameof(CosineAnnealing);
        }

        optimization.Schedule = value;
    }

    internal const int MaxEpochCount = 1_000_000;

    internal const int MaxBatchSize = 1 << 20;

    private const int MaxRuns = 1_000;
}
