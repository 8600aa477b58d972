using System.Threading;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Classification;

/// <summary>
/// A multiclass trainer that fine-tunes a pretrained autoencoder's encoder with a classification head (see
/// <see cref="FineTuningOptions"/> for the schedule), or, with <see cref="FineTuningOptions.Ladder"/>, trains encoder
/// and head as a Ladder network whose denoising decoder is part of the objective (semi-supervised: the unlabeled rows
/// carry the denoising cost). Its transformer adds <c>Score</c> (Vector&lt;Single, classes&gt;,
/// class probabilities) and <c>PredictedLabel</c> (the label's key type), as ML.NET's multiclass trainers do, so
/// <c>mlContext.MulticlassClassification.Evaluate</c> works on its output. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.AutoencoderClassifier(...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Machine learning task | Multiclass classification |
/// | Is normalization required? | As the pretrained model was trained (its input scaling, if any, is applied inside) |
/// | Input columns | Label: key (<c>MapValueToKey</c>); features: known-size vector of <see cref="float"/>, the model's input size |
/// | Output columns | <c>Score</c>: vector of <see cref="float"/>; <c>PredictedLabel</c>: the label's key type |
/// | Exportable to ONNX | Yes: <see cref="AutoencoderClassifier.ExportOnnx"/> writes <c>classifier.onnx</c>; <c>mlContext.Model.Save</c> embeds the graph |
/// </remarks>
public sealed class AutoencoderClassifierTrainer : IEstimator<AutoencoderClassifierTransformer>
{
    private readonly IHostEnvironment environment;

    internal AutoencoderClassifierTrainer(IHostEnvironment environment, Options options)
    {
        this.environment = environment ?? throw new ArgumentNullException(nameof(environment));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>Every setting of the trainer.</summary>
    public sealed class Options
    {
        /// <summary>The key-typed label column. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = DefaultColumnNames.Label;

        /// <summary>The known-size <c>Vector&lt;Single&gt;</c> column the encoder reads. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

        /// <summary>The class probabilities column added (Vector&lt;Single, classes&gt;). Default <c>Score</c>.</summary>
        public string ScoreColumnName { get; set; } = DefaultColumnNames.Score;

        /// <summary>The predicted class column added (the label's key type). Default <c>PredictedLabel</c>.</summary>
        public string PredictedLabelColumnName { get; set; } = DefaultColumnNames.PredictedLabel;

        /// <summary>The pretrained model (not changed: fine-tuning works on a copy). Null: one is trained first on <see cref="UnlabeledData"/> with <see cref="Pretraining"/>.</summary>
        public AutoencoderModel? Pretrained { get; set; }

        /// <summary>
        /// Unlabeled rows with the feature column: for pretraining when <see cref="Pretrained"/> is null, and for the
        /// reconstruction regulariser. Null uses the labeled rows' features for both.
        /// </summary>
        public IDataView? UnlabeledData { get; set; }

        /// <summary>The architecture and training of the autoencoder trained first when <see cref="Pretrained"/> is null (default: the library's defaults).</summary>
        public (AutoencoderOptions Model, TrainingOptions Training)? Pretraining { get; set; }

        /// <summary>
        /// Re-initialises the pretrained network's weights before training: the same network trained from scratch on the
        /// labeled rows (the baseline that measures what pretraining is worth). Default false.
        /// </summary>
        public bool FromScratch { get; set; }

        /// <summary>The fine-tuning schedule.</summary>
        public FineTuningOptions FineTuning { get; set; } = new();

        /// <summary>Seed of the head's weights, the batches, dropout and shifts; null takes one from the MLContext.</summary>
        public int? Seed { get; set; }

        /// <summary>Rows per ONNX Runtime call when scoring. Default 512.</summary>
        public int ScoringBatchSize { get; set; } = Transforms.ScoringTransformer.DefaultScoringBatchSize;

        /// <summary>
        /// Receives one <see cref="EpochReport"/> per block of steps, on the training thread: the pretraining's epochs when
        /// <see cref="Pretrained"/> is null (<see cref="EpochReport.Phase"/> <c>pretraining</c>), then the <c>head</c> and
        /// <c>fine-tuning</c> phases. The same type as <see cref="Transforms.AutoencoderEstimator.Options.Progress"/>.
        /// </summary>
        public IProgress<EpochReport>? Progress { get; set; }

        /// <summary>Cancels training (checked before every step) when <see cref="Fit(IDataView)"/> or <see cref="Train"/> is not given a token.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
        public void Validate()
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(LabelColumnName, nameof(LabelColumnName));
            ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName, nameof(FeatureColumnName));
            ArgumentException.ThrowIfNullOrWhiteSpace(ScoreColumnName, nameof(ScoreColumnName));
            ArgumentException.ThrowIfNullOrWhiteSpace(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
            OptionChecks.DistinctColumns(
                (FeatureColumnName, nameof(FeatureColumnName)), (ScoreColumnName, nameof(ScoreColumnName)), (PredictedLabelColumnName, nameof(PredictedLabelColumnName)));
            (FineTuning ?? throw new ArgumentNullException(nameof(FineTuning))).Validate();
            OptionChecks.Require(ScoringBatchSize > 0, nameof(ScoringBatchSize), ScoringBatchSize, "ScoringBatchSize must be positive.");
        }
    }

    /// <summary>The trainer's settings.</summary>
    public Options TrainerOptions { get; }

    /// <summary>Fine-tunes on the labeled rows of <paramref name="input"/> and returns the transformer.</summary>
    /// <param name="input">Labeled rows: a key-typed label and the feature column.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type or size; the message names it.</exception>
    /// <exception cref="ArgumentException">The labeled rows hold one class only.</exception>
    /// <exception cref="InvalidRowException">A missing label or a NaN/∞ feature (column and row named).</exception>
    public AutoencoderClassifierTransformer Fit(IDataView input) => Fit(input, TrainerOptions.CancellationToken);

    /// <summary>As <see cref="Fit(IDataView)"/>, cancellable before every step.</summary>
    public AutoencoderClassifierTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        var classifier = Train(input, cancellationToken);
        var options = TrainerOptions;
        return new AutoencoderClassifierTransformer(
            classifier, options.FeatureColumnName, options.ScoreColumnName, options.PredictedLabelColumnName, options.ScoringBatchSize, ownsClassifier: true);
    }

    /// <summary>Fine-tunes and returns the trained classifier itself (for saving or exporting without a pipeline).</summary>
    /// <param name="input">Labeled rows.</param>
    /// <param name="cancellationToken">Checked before every step; none given uses <see cref="Options.CancellationToken"/>.</param>
    public AutoencoderClassifier Train(IDataView input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = TrainerOptions;
        if (!cancellationToken.CanBeCanceled)
        {
            cancellationToken = options.CancellationToken;
        }

        options.Validate();
        var fine = options.FineTuning.Clone();
        var host = environment.Register("Autoencoders.ML");
        int seed = options.Seed ?? host.Rand.Next();
        var classes = ClassLabels.FromLabelColumn(input.Schema, options.LabelColumnName);
        int width = options.Pretrained is { } given
            ? FeatureColumn.GetVectorSize(input.Schema, options.FeatureColumnName, "feature", given.InputSize, "the pretrained model's input size", nameof(input))
            : FeatureColumn.GetVectorSize(input.Schema, options.FeatureColumnName, "feature");

        if (options.UnlabeledData != null)
        {
            int unlabeledWidth = FeatureColumn.GetVectorSize(options.UnlabeledData.Schema, options.FeatureColumnName, "unlabeled feature");
            if (unlabeledWidth != width)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(input),
                    $"Unlabeled column '{options.FeatureColumnName}' has vectors of size {unlabeledWidth}, but the labeled data has size {width}.");
            }
        }

        var labeled = LabeledRows.Read(input, options.LabelColumnName, options.FeatureColumnName);
        var pretrained = options.Pretrained ?? Pretrain(options, input, seed, cancellationToken);
        try
        {
            return FineTune(pretrained, labeled, options, fine, seed, host, cancellationToken);
        }
        finally
        {
            if (options.Pretrained == null)
            {
                pretrained.Dispose();
            }
        }
    }

    /// <summary>Checks the label and feature columns and returns the shape with <c>Score</c> and <c>PredictedLabel</c> added.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var options = TrainerOptions;
        var label = inputSchema.FirstOrDefault(c => c.Name == options.LabelColumnName);
        if (label.Name == null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find label column '{options.LabelColumnName}'.");
        }

        if (!label.IsKey)
        {
            throw new ArgumentOutOfRangeException(
                nameof(inputSchema),
                $"Schema mismatch for label column '{options.LabelColumnName}': expected Key, got {label.ItemType}. Map it with MapValueToKey first.");
        }

        Transforms.SchemaShapes.CheckVectorOfSingle(inputSchema, options.FeatureColumnName, "feature");
        // A shape records kinds, not sizes: the number of classes is known after Fit.
        return Transforms.SchemaShapes.Append(inputSchema, new (string, DataViewType)[]
        {
            (options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, 2)),
            (options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), 2)),
        });
    }

    private AutoencoderModel Pretrain(Options options, IDataView labeled, int seed, CancellationToken cancellationToken)
    {
        var (model, training) = options.Pretraining ?? (new AutoencoderOptions(), new TrainingOptions { Seed = seed });
        var trainer = new AutoencoderTrainer(new MLContext(seed), model, training) { Environment = environment };
        var progress = options.Progress == null ? null : new PhaseProgress(options.Progress, TrainingPhases.Pretraining);
        return trainer.Fit(options.UnlabeledData ?? labeled, options.FeatureColumnName, progress: progress, cancellationToken: cancellationToken);
    }

    private static AutoencoderClassifier FineTune(
        AutoencoderModel pretrained, LabeledRows labeled, Options options, FineTuningOptions fine, int seed, IHost host, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureInitialized();
        if (fine.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        using var channel = host.Start("FineTune");
        var image = fine.ImageShape ?? pretrained.Spec.Image;
        if (image != null && image.Size != pretrained.InputSize)
        {
            throw new ArgumentException($"ImageShape {image} has {image.Size} values but rows have {pretrained.InputSize}; set it to the shape of the rows.", nameof(options));
        }

        var shift = (fine.MaxShift > 0 || fine.MaxRotation > 0) && image != null ? new ImageAugmentation(image, fine.MaxShift, fine.MaxRotation) : null;
        if (fine.Ladder != null && LadderNetwork.UnsupportedReason(pretrained.Network) is string reason)
        {
            throw new ArgumentException(reason, nameof(options));
        }

        using var unlabeled = options.UnlabeledData == null || (fine.ReconstructionWeight == 0 && fine.PseudoLabelWeight == 0 && fine.Ladder == null)
            ? null
            : TrainingData.Load(
                options.UnlabeledData, new[] { new RowColumn(options.FeatureColumnName, "unlabeled feature", pretrained.InputSize, ValueRange.Finite) },
                null, ValidationSplit.None, seed, pretrained.Training.MaxInMemoryBytes, pretrained.Training.StreamingShuffleWindow);
        torch.manual_seed(seed);
        var autoencoder = ModelKinds.CreateNetwork(pretrained.Spec, pretrained.Options);
        if (!options.FromScratch)
        {
            EarlyStopping.Restore(autoencoder, pretrained.Network.state_dict());
        }

        var network = new ClassifierNetwork(autoencoder, labeled.Classes.Count, fine.Dropout);
        try
        {
            channel.Info(
                MessageSensitivity.None,
                $"Fine-tuning {pretrained.Spec} with a head of {labeled.Classes.Count} classes on {labeled.Count:N0} labeled rows" +
                $" ({unlabeled?.Training.RowCount ?? 0:N0} unlabeled rows for the regulariser): " +
                (fine.Ladder != null ? $"{fine.Steps} steps of the Ladder objective" : $"{fine.HeadSteps} head steps, then {fine.Steps} steps of every layer") +
                (shift != null ? $", shifts of up to {fine.MaxShift} pixels and turns of up to {fine.MaxRotation:G3} degrees." : "."));
            var run = new FineTuningRun(network, fine, pretrained.Loss, pretrained.Scaling, shift, seed);
            double loss = run.Run(labeled, unlabeled?.Training, channel, options.Progress, cancellationToken);
            return new AutoencoderClassifier(network, labeled.Classes, pretrained, fine, loss);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Stamps the autoencoder's reports (phase <c>training</c>) as another phase before passing them on.</summary>
    private sealed class PhaseProgress(IProgress<EpochReport> inner, string phase) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => inner.Report(value.Phase == TrainingPhases.Training ? value with { Phase = phase } : value);
    }
}
