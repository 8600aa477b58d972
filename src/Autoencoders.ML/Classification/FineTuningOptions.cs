namespace Autoencoders.ML.Classification;

/// <summary>
/// How <see cref="AutoencoderClassifierTrainer"/> fine-tunes: first the head alone on the frozen encoder, then every
/// layer, with pseudo-labels on confident unlabeled rows (FixMatch), the reconstruction loss on unlabeled rows kept as a
/// regulariser, dropout on the code and small random shifts of image rows. The defaults were chosen on a held-out fifth
/// of 1,000 labeled MNIST rows (examples/Pretraining, <c>benchmark --held-out-only</c> and <c>--choose</c>); see
/// docs/benchmarks.md, "Fine-tuning a pretrained encoder", for the figures.
/// </summary>
public sealed partial class FineTuningOptions
{
    /// <summary>Defaults, written once.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="HeadSteps"/>.</summary>
        public const int HeadSteps = 200;

        /// <summary>Default <see cref="Steps"/>.</summary>
        public const int Steps = 6000;

        /// <summary>Default <see cref="BatchSize"/>.</summary>
        public const int BatchSize = 64;

        /// <summary>Default <see cref="UnlabeledBatchSize"/>.</summary>
        public const int UnlabeledBatchSize = 128;

        /// <summary>Default <see cref="LearningRate"/>.</summary>
        public const double LearningRate = 1e-3;

        /// <summary>Default <see cref="EncoderLearningRateRatio"/>.</summary>
        public const double EncoderLearningRateRatio = 1.0;

        /// <summary>Default <see cref="ReconstructionWeight"/>.</summary>
        public const double ReconstructionWeight = 0.0;

        /// <summary>Default <see cref="Dropout"/>.</summary>
        public const float Dropout = 0.2f;

        /// <summary>Default <see cref="MaxShift"/>.</summary>
        public const int MaxShift = 2;

        /// <summary>Default <see cref="MaxRotation"/>.</summary>
        public const double MaxRotation = 15;

        /// <summary>Default <see cref="PseudoLabelWeight"/>.</summary>
        public const double PseudoLabelWeight = 1.0;

        /// <summary>Default <see cref="PseudoLabelThreshold"/>.</summary>
        public const double PseudoLabelThreshold = 0.95;

        /// <summary>Default <see cref="PseudoLabelMasking"/>.</summary>
        public const float PseudoLabelMasking = 0.2f;
    }

    private TrainingOptions.OptimizationOptions optimization = new() { LearningRate = Defaults.LearningRate };

    /// <summary>Steps that train the head alone on the frozen encoder (Adam at <see cref="LearningRate"/>). Default 200.</summary>
    public int HeadSteps { get; set; } = Defaults.HeadSteps;

    /// <summary>Steps that train every layer afterwards (cosine-annealed to zero). Default 6,000.</summary>
    public int Steps { get; set; } = Defaults.Steps;

    /// <summary>Labeled rows per step (fewer if there are fewer rows). Default 64.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Unlabeled rows per step for pseudo-labels and the reconstruction regulariser. Default 128.</summary>
    public int UnlabeledBatchSize { get; set; } = Defaults.UnlabeledBatchSize;

    /// <summary>
    /// The optimizer of both phases — the same group as <see cref="Training.TrainingOptions.Optimization"/>: optimizer
    /// (default Adam), learning rate of the head (default 1e-3), weight decay and gradient clipping. Its
    /// <see cref="TrainingOptions.OptimizationOptions.Schedule"/> must stay null: the full phase anneals its rate to zero by a cosine of its own.
    /// </summary>
    public TrainingOptions.OptimizationOptions Optimization
    {
        get => optimization;
        set => optimization = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The head's rate, in <see cref="Optimization"/> (<see cref="TrainingOptions.OptimizationOptions.LearningRate"/>). Default 1e-3.</summary>
    public double LearningRate { get => optimization.LearningRate; set => optimization.LearningRate = value; }

    /// <summary>The encoder's (and decoder's) rate as a fraction of <see cref="LearningRate"/>; 0 keeps the encoder frozen. Default 1.</summary>
    public double EncoderLearningRateRatio { get; set; } = Defaults.EncoderLearningRateRatio;

    /// <summary>
    /// Weight of the autoencoder's own loss on a batch of unlabeled rows, added to the classification loss of every
    /// full step; 0 turns the regulariser off. Without unlabeled rows the labeled rows' features are used. Default 0: on
    /// held-out MNIST rows it tied with weight 1 on accuracy (97.5%) and gave a lower log-loss, at two thirds of the time.
    /// </summary>
    public double ReconstructionWeight { get; set; } = Defaults.ReconstructionWeight;

    /// <summary>Dropout on the code before the head, while training. Default 0.2.</summary>
    public float Dropout { get; set; } = Defaults.Dropout;

    /// <summary>
    /// Image rows only: each labeled row is moved by a random whole-pixel offset of up to this many pixels per axis at
    /// every step (0 = off). Needs the image shape: the model's own (convolutional) or <see cref="ImageShape"/>. Default 2.
    /// </summary>
    public int MaxShift { get; set; } = Defaults.MaxShift;

    /// <summary>
    /// Image rows only: each labeled row (and each perturbed unlabeled row) also turns by a random angle of up to this
    /// many degrees either way about the image centre, at every step (0 = off; bilinear resampling when on). Needs the
    /// image shape, as <see cref="MaxShift"/> does. Default 15.
    /// </summary>
    public double MaxRotation { get; set; } = Defaults.MaxRotation;

    /// <summary>
    /// Weight of the pseudo-label loss on unlabeled rows (FixMatch, Sohn et al. 2020), added to every full step: each
    /// unlabeled row of the step is classified as it is (no dropout, no gradient); where the largest probability
    /// reaches <see cref="PseudoLabelThreshold"/>, the class becomes the row's target for a perturbed copy of the row
    /// (shifted by up to <see cref="MaxShift"/> pixels for images, and with <see cref="PseudoLabelMasking"/> of its
    /// values set to zero), by cross-entropy averaged over the batch. Needs
    /// <see cref="AutoencoderClassifierTrainer.Options.UnlabeledData"/>; 0 turns it off. Default 1.
    /// </summary>
    public double PseudoLabelWeight { get; set; } = Defaults.PseudoLabelWeight;

    /// <summary>The confidence (largest class probability) an unlabeled row needs to get a pseudo-label, in (0, 1]. Default 0.95.</summary>
    public double PseudoLabelThreshold { get; set; } = Defaults.PseudoLabelThreshold;

    /// <summary>Fraction of the values of a pseudo-labeled row set to zero in its perturbed copy, in [0, 1). Default 0.2.</summary>
    public float PseudoLabelMasking { get; set; } = Defaults.PseudoLabelMasking;

    /// <summary>
    /// The Ladder objective (see <see cref="LadderOptions"/>): null (default) fine-tunes the plain classifier; set, the
    /// encoder and head train as a Ladder network whose denoising decoder is part of the objective, on the labeled and
    /// unlabeled rows of every step. Needs a dense plain autoencoder. With it the head phase (<see cref="HeadSteps"/>)
    /// is skipped, <see cref="Dropout"/> and <see cref="ReconstructionWeight"/> are not used (the noise and the
    /// denoising cost take their place), and pseudo-labels, when on, are taken from the clean path and learnt on the
    /// corrupted one. After training the normalisation is folded into the encoder's and head's weights: the classifier
    /// and <c>classifier.onnx</c> compute the clean path, and saving records these settings; the ladder's decoder is a
    /// training device and is not kept (<see cref="AutoencoderClassifier.Model"/> holds the folded encoder beside the
    /// pretrained decoder, so its reconstructions are not meaningful). The command-line tool's <c>finetune --objective
    /// ladder</c> sets it.
    /// </summary>
    public LadderOptions? Ladder { get; set; }

    /// <summary>The shape of an input row for <see cref="MaxShift"/> when the model is dense; null uses the model's (none for a dense model: no shifts).</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>Torch threads; null leaves torch's setting.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Write a checkpoint to <see cref="CheckpointPath"/> after every this many steps of the full phase (a multiple of
    /// 100): the weights, both optimizers, the schedule, every generator and the batch positions, so that
    /// <see cref="ResumeFrom"/> gives the model the uninterrupted run gives. Null (default): no checkpoints. Not saved
    /// with the classifier.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? CheckpointEvery { get; set; }

    /// <summary>The checkpoint file (a zip; its folder must exist) that <see cref="CheckpointEvery"/> writes. Not saved with the classifier.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// A checkpoint of an interrupted fine-tuning of the same pretrained model, rows, seed and options (only
    /// <see cref="Threads"/> and the checkpoint settings may differ): training goes on after it, the head phase is not
    /// repeated, and the result equals the uninterrupted run's. Null (default): start afresh. Not saved with the classifier.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? ResumeFrom { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        OptionChecks.NonNegative(HeadSteps, nameof(HeadSteps));
        OptionChecks.NonNegative(Steps, nameof(Steps));
        OptionChecks.Require(HeadSteps + Steps != 0, nameof(Steps), Steps, "HeadSteps + Steps must be positive: there is nothing to train.");

        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Positive(UnlabeledBatchSize, nameof(UnlabeledBatchSize));
        OptionChecks.Require(LearningRate > 0 && !double.IsInfinity(LearningRate), nameof(LearningRate), LearningRate, "LearningRate must be positive and finite (Adam's step size, e.g. 1e-3).");

        Optimization.Validate();
        if (Optimization.Schedule != null)
        {
            throw new ArgumentException(
                "FineTuningOptions.Optimization.Schedule must be null: the fine-tuning steps anneal the rate to zero by a cosine of their own. Remove the schedule.",
                nameof(Optimization));
        }

        OptionChecks.Require(EncoderLearningRateRatio >= 0 && !double.IsInfinity(EncoderLearningRateRatio), nameof(EncoderLearningRateRatio), EncoderLearningRateRatio, "EncoderLearningRateRatio must be ≥ 0 (0 freezes the encoder).");

        OptionChecks.Require(ReconstructionWeight >= 0 && !double.IsInfinity(ReconstructionWeight), nameof(ReconstructionWeight), ReconstructionWeight, "ReconstructionWeight must be ≥ 0 (0 turns the regulariser off).");

        OptionChecks.Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "Dropout must be in [0, 1).");

        OptionChecks.NonNegative(MaxShift, nameof(MaxShift));
        OptionChecks.Require(MaxRotation >= 0 && MaxRotation <= 180, nameof(MaxRotation), MaxRotation, "MaxRotation must be between 0 and 180 degrees (e.g. 10).");
        OptionChecks.Require(PseudoLabelWeight >= 0 && !double.IsInfinity(PseudoLabelWeight), nameof(PseudoLabelWeight), PseudoLabelWeight, "PseudoLabelWeight must be ≥ 0 (0 turns pseudo-labels off).");

        OptionChecks.Require(PseudoLabelThreshold > 0 && PseudoLabelThreshold <= 1, nameof(PseudoLabelThreshold), PseudoLabelThreshold, "PseudoLabelThreshold must be in (0, 1] (a class probability, e.g. 0.95).");

        OptionChecks.Require(PseudoLabelMasking >= 0 && PseudoLabelMasking < 1, nameof(PseudoLabelMasking), PseudoLabelMasking, "PseudoLabelMasking must be in [0, 1).");

        if (Ladder != null)
        {
            Ladder.Validate();
            OptionChecks.Require(Steps > 0, nameof(Steps), Steps, "Steps must be positive with the Ladder objective: it skips the head phase, so the full phase is all the training there is.");
        }

        ImageShape?.Validate(nameof(ImageShape));
        if (Threads is int threads)
        {
            OptionChecks.Positive(threads, nameof(Threads));
        }

        if (CheckpointEvery is int every)
        {
            OptionChecks.Require(every > 0 && every % CheckpointStepBlock == 0, nameof(CheckpointEvery), every, $"CheckpointEvery must be a positive multiple of {CheckpointStepBlock} steps (or null for no checkpoints).");
        }

        OptionChecks.CheckpointFiles(CheckpointEvery, CheckpointPath, ResumeFrom);
    }

    /// <summary>Steps per progress report, and the unit of <see cref="CheckpointEvery"/>.</summary>
    internal const int CheckpointStepBlock = 100;

    /// <summary>A copy (the trainer keeps its own).</summary>
    public FineTuningOptions Clone()
    {
        var copy = (FineTuningOptions)MemberwiseClone();
        copy.optimization = optimization.Clone();
        copy.Ladder = Ladder?.Clone();
        return copy;
    }
}
