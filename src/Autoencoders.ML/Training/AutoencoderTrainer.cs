using System.Threading;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Training;

/// <summary>
/// Trains an autoencoder on a column of an <see cref="IDataView"/> with TorchSharp: checks the options and every row
/// first, then runs the one training loop zero_grad → forward → loss → backward → step (<see cref="TrainingLoop{TBatch}"/>,
/// with the autoencoder's hooks in <see cref="TrainingRun"/>) with seeded
/// shuffling, validation, early stopping, a learning-rate schedule, progress reports and cancellation, and finally
/// measures the model next to exact PCA of the same code size (<see cref="TrainingHistory.Pca"/>).
/// </summary>
public sealed class AutoencoderTrainer
{
    private readonly MLContext mlContext;

    /// <summary>Creates a trainer; the options are validated here and again when training starts.</summary>
    /// <param name="mlContext">The ML.NET context; training progress goes to its log.</param>
    /// <param name="model">Architecture hyperparameters (default: hidden layers of 512 and 128, 32-d code).</param>
    /// <param name="training">Training hyperparameters (default: Adam, batch 256, the automatic budget: until the validation loss stops improving).</param>
    public AutoencoderTrainer(MLContext mlContext, AutoencoderOptions? model = null, TrainingOptions? training = null)
    {
        this.mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        ModelOptions = model ?? new AutoencoderOptions();
        TrainingOptions = training ?? new TrainingOptions();
        ModelOptions.Validate();
        TrainingOptions.Validate();
        ModelOptions.CheckTraining(TrainingOptions);
    }

    /// <summary>Architecture hyperparameters.</summary>
    public AutoencoderOptions ModelOptions { get; }

    /// <summary>Where logs go; the MLContext unless an estimator passes the environment of its catalog.</summary>
    internal IHostEnvironment? Environment { get; init; }

    /// <summary>Training hyperparameters.</summary>
    public TrainingOptions TrainingOptions { get; }

    /// <summary>Trains a new model (never continues an earlier one).</summary>
    /// <param name="data">Training rows.</param>
    /// <param name="featureColumnName">A known-size <c>Vector&lt;Single&gt;</c> column: what the encoder sees.</param>
    /// <param name="validationData">Optional separate validation rows; overrides <see cref="TrainingOptions.ValidationFraction"/>.</param>
    /// <param name="progress">Receives one <see cref="EpochReport"/> per epoch.</param>
    /// <param name="cancellationToken">Checked before every batch; cancelling throws <see cref="OperationCanceledException"/> and frees all native memory.</param>
    /// <param name="targetColumnName">
    /// Paired training: what the reconstruction should be (for example clean 28×28 images for degraded or 14×14 inputs);
    /// its size sets the decoder's output size. Null (default) reconstructs the input itself.
    /// </param>
    /// <exception cref="ArgumentException">Bad options, missing column, wrong type or size.</exception>
    /// <exception cref="InvalidRowException">Empty data, a NaN/∞ value, a value out of the loss's range or a row of the wrong size (the column and row are named).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public AutoencoderModel Fit(
        IDataView data,
        string featureColumnName = Microsoft.ML.AutoencodersCatalog.DefaultFeatureColumn,
        IDataView? validationData = null,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default,
        string? targetColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ModelOptions.Validate();
        TrainingOptions.Validate();
        int width = FeatureColumn.GetVectorSize(data.Schema, featureColumnName, "input");
        int? targetWidth = targetColumnName == null ? null : FeatureColumn.GetVectorSize(data.Schema, targetColumnName, "target");
        var (model, training) = (ModelOptions, TrainingOptions);
        if (ModelOptions is Kinds.Mixture.MixtureAutoencoderOptions mixture)
        {
            // The kind's recipe (images or a table) fills the settings left at their defaults, from the rows.
            (model, training) = Kinds.Mixture.MixtureRecipes.Resolve(mixture, TrainingOptions, data, featureColumnName, width, targetColumnName);
            model.Validate();
            training.Validate();
        }

        var spec = model.BuildSpec(width, targetWidth);
        return FitCore(model, spec, null, data, featureColumnName, targetColumnName, validationData, progress, cancellationToken, training: training);
    }

    /// <summary>
    /// Continues training <paramref name="model"/> (for example one loaded with <see cref="AutoencoderModel.Load"/>) with
    /// this trainer's <see cref="TrainingOptions"/>; the architecture and loss are the model's own. Returns a new model
    /// and leaves <paramref name="model"/> unchanged. The optimizer starts afresh (to take up an interrupted run where it
    /// stopped, optimizer and schedule included, use <see cref="TrainingOptions.ResumeFrom"/> with <c>Fit</c>); a VAE
    /// continues with the full KL weight, since its warm-up belongs to the first run.
    /// </summary>
    /// <param name="model">The model whose weights are the starting point.</param>
    /// <param name="data">Training rows, with the model's input size.</param>
    /// <param name="featureColumnName">A known-size <c>Vector&lt;Single&gt;</c> column.</param>
    /// <param name="validationData">Optional separate validation rows.</param>
    /// <param name="progress">Receives one <see cref="EpochReport"/> per epoch.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <param name="targetColumnName">For a paired model, the target column.</param>
    public AutoencoderModel Continue(
        AutoencoderModel model,
        IDataView data,
        string featureColumnName = Microsoft.ML.AutoencodersCatalog.DefaultFeatureColumn,
        IDataView? validationData = null,
        IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default,
        string? targetColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        TrainingOptions.Validate();
        CheckSize(data, featureColumnName, "input", model.InputSize);
        if (targetColumnName != null)
        {
            CheckSize(data, targetColumnName, "target", model.Spec.OutputSize);
        }

        return FitCore(model.Options, model.Spec, model.Network, data, featureColumnName, targetColumnName, validationData, progress, cancellationToken, model.Scaling);
    }

    private static void CheckSize(IDataView data, string column, string role, int expected) =>
        FeatureColumn.GetVectorSize(data.Schema, column, role, expected, "the model's size", nameof(data));

    private AutoencoderModel FitCore(
        AutoencoderOptions model, AutoencoderSpec spec, AutoencoderModule? initial, IDataView data, string featureColumnName,
        string? targetColumnName, IDataView? validationData, IProgress<EpochReport>? progress, CancellationToken cancellationToken,
        FeatureScaling? initialScaling = null, TrainingOptions? training = null)
    {
        var options = (training ?? TrainingOptions).Clone();
        TorchRuntime.EnsureInitialized();
        if (options.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        model.CheckTraining(options);
        if (options.Augmentation is { } augmentation)
        {
            augmentation.CheckWidth(spec.InputSize, nameof(TrainingOptions.Augmentation));
            if (targetColumnName != null)
            {
                throw new ArgumentException(
                    $"Augmentation moves the input rows and uses them as their own target, but a target column '{targetColumnName}' is given. " +
                    "Train without the target column, or without Augmentation.", nameof(targetColumnName));
            }
        }

        var device = DeviceChoice.Resolve(options.Device, Environment ?? mlContext); // before the data is read
        (options.Precision, string? precisionReason) = MatmulPrecision.Resolve(options.Precision, device); // the model records the choice
        options.PrecisionChoice = precisionReason;
        MatmulPrecision.Check(options.Precision, device);
        var host = (Environment ?? mlContext).Register("Autoencoders.ML");
        using var channel = host.Start("Train");
        if (precisionReason != null)
        {
            Log(channel, precisionReason);
        }

        using var trainingData = TrainingData.Load(
            data, Columns(model, options, spec, featureColumnName, targetColumnName), validationData, options.Split, options.Seed,
            options.MaxInMemoryBytes, options.StreamingShuffleWindow);
        // Continuing keeps the scaling the weights were trained with.
        var scaling = initialScaling ?? (options.Scaling == ScalingKind.None
            ? null
            : FeatureScaling.Fit(options.Scaling, trainingData.Training, spec.InputSize, spec.OutputSize, paired: targetColumnName != null));
        AutoencoderModule? kept = null;
        TrainingHistory? keptHistory = null;
        int chosen = 0;
        var losses = new double[options.Runs];
        try
        {
            for (int run = 0; run < options.Runs; run++)
            {
                var runOptions = options.Clone();
                runOptions.Seed = options.RunSeed(run);
                var (network, history, loss) = TrainOnce(
                    model, spec, initial, trainingData, scaling, runOptions, (run + 1, options.Runs), targetColumnName, device, channel, progress, cancellationToken);
                losses[run] = loss;
                if (options.Runs > 1)
                {
                    Log(channel, $"Run {run + 1} of {options.Runs} (seed {runOptions.Seed}) ended with {history.MonitoredLoss} loss {loss:G6}.");
                }

                if (kept == null || loss < losses[chosen])
                {
                    kept?.Dispose();
                    (kept, keptHistory, chosen) = (network, history, run);
                }
                else
                {
                    network.Dispose();
                }
            }

            if (options.Runs > 1)
            {
                Log(channel,
                    $"Kept run {chosen + 1} of {options.Runs} (seed {options.RunSeed(chosen)}): the lowest {keptHistory!.MonitoredLoss} loss " +
                    $"({string.Join(", ", losses.Select(l => l.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}).");
            }

            var pca = options.CompareWithPca ? PcaYardstick.Measure(mlContext, kept!, scaling, trainingData) : null;
            if (pca != null)
            {
                // A model that does not beat PCA is a warning, not a footnote.
                (pca.AutoencoderBeatsPca ? (Action<MessageSensitivity, string>)channel.Info : channel.Warning)(MessageSensitivity.None, pca.ToString());
            }

            var final = new TrainingHistory(keptHistory!.Epochs, keptHistory.BestEpoch, keptHistory.StoppedEarly, keptHistory.MonitoredLoss, pca)
            {
                RunLosses = options.Runs > 1 ? losses : null,
                ChosenRun = chosen + 1,
            };
            return new AutoencoderModel(kept!, model, options, final, scaling);
        }
        catch
        {
            kept?.Dispose();
            throw;
        }
    }

    /// <summary>One training from <paramref name="options"/>' seed: a new network (or a copy of <paramref name="initial"/>), prepared and trained; the network is back on the CPU.</summary>
    private (AutoencoderModule Network, TrainingHistory History, double KeptLoss) TrainOnce(
        AutoencoderOptions model, AutoencoderSpec spec, AutoencoderModule? initial, TrainingData trainingData, FeatureScaling? scaling,
        TrainingOptions options, (int Run, int Runs) attempt, string? targetColumnName, Device device, IChannel channel,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        torch.manual_seed(options.Seed);
        var network = ModelKinds.CreateNetwork(spec, model);
        try
        {
            if (initial != null)
            {
                EarlyStopping.Restore(network, initial.state_dict());
            }
            else
            {
                network.Prepare(new TrainingPreparation(trainingData.Training, model.Loss, options, message => Log(channel, message), cancellationToken, progress));
            }

            if (device.type != DeviceType.CPU)
            {
                network.to(device);
            }

            var run = new TrainingRun(network, model.Loss, options, trainingData, scaling, continuing: initial != null) { Attempt = attempt };
            Log(channel, Describe(spec, network, trainingData, options, run.Plan, targetColumnName, initial != null) + $" Device: {device}." +
                $" Runtime: {TorchRuntime.Configuration}.");
            var history = run.Run(channel, progress, cancellationToken);
            if (device.type != DeviceType.CPU)
            {
                network.to(torch.CPU); // the model, its scoring and its export are on the CPU
            }

            return (network, history, run.KeptLoss);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The columns a row is made of. The loss constrains the target (the input itself unless a target column is given);
    /// every value must be finite. Min-max scaling brings the training targets into [0, 1] itself.
    /// </summary>
    private static List<RowColumn> Columns(
        AutoencoderOptions model, TrainingOptions options, AutoencoderSpec spec, string featureColumnName, string? targetColumnName)
    {
        var targetRange = model.Loss == ReconstructionLoss.BinaryCrossEntropy && options.Scaling == ScalingKind.None
            ? ValueRange.UnitInterval("binary cross-entropy")
            : ValueRange.Finite;
        var columns = new List<RowColumn> { new(featureColumnName, "input", spec.InputSize, targetColumnName == null ? targetRange : ValueRange.Finite) };
        if (targetColumnName != null)
        {
            columns.Add(new RowColumn(targetColumnName, "target", spec.OutputSize, targetRange));
        }

        return columns;
    }

    /// <summary>The first log line of a run: what is trained on what, and for how long.</summary>
    private static string Describe(
        AutoencoderSpec spec, AutoencoderModule network, TrainingData data, TrainingOptions options, TrainingPlan plan, string? targetColumnName, bool continuing)
    {
        string budget = plan.Automatic
            ? $"Automatic budget: until the {(data.Validation != null ? "validation" : "training")} loss has not improved for {options.Patience} epochs, " +
              $"at most {plan.Epochs:N0} epochs ({plan.TotalSteps:N0} steps; caps MaxEpochs {options.MaxEpochs:N0}, MaxSteps {options.MaxSteps:N0}); the best epoch's weights are kept."
            : $"{plan.Epochs:N0} epochs ({plan.TotalSteps:N0} steps).";
        string noSplit = data.Validation == null && options.Split.Fraction > 0
            ? $" Too few rows ({data.Training.RowCount:N0}) to hold out {options.Split.Fraction:P0} for validation: training without validation rows."
            : string.Empty;
        return $"Training {spec} ({network.parameters().Sum(p => p.numel()):N0} parameters) on {data.Training.RowCount:N0} rows " +
            $"({(data.InMemory ? "in memory" : "streamed")}), validation rows: {data.Validation?.RowCount ?? 0:N0}" +
            (options.Corruption != null ? ", corrupted input (denoising)" : string.Empty) +
            (options.Augmentation != null ? $", images moved at random ({options.Augmentation})" : string.Empty) +
            (targetColumnName != null ? $", target column '{targetColumnName}'" : string.Empty) +
            (continuing ? ", starting from the given model's weights. " : ". ") + budget + noSplit;
    }

    private static void Log(IChannel channel, string message) =>
        channel.Info(MessageSensitivity.None, message);
}
