using System.Diagnostics;
using System.Threading;
using Autoencoders.ML.Training.Optimizers;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Training;

/// <summary>
/// One training run of a network on checked data: epochs of optimizer steps (zero_grad → forward → loss → backward →
/// step), a validation pass after each epoch, the learning-rate schedule, early stopping and progress reports.
/// </summary>
internal sealed class TrainingRun
{
    private readonly AutoencoderModule network;
    private readonly ReconstructionLoss loss;
    private readonly TrainingOptions options;
    private readonly TrainingData data;
    private readonly FeatureScaling? scaling;
    private readonly TrainingPlan plan;
    private readonly bool continuing;
    private long batchSteps;
    private readonly Device device;

    /// <summary>Prepares a run; nothing is trained until <see cref="Run"/>.</summary>
    /// <param name="network">The network, already initialised (or holding the weights to continue from).</param>
    /// <param name="loss">The reconstruction loss.</param>
    /// <param name="options">The training options (validated).</param>
    /// <param name="data">The checked training and validation rows.</param>
    /// <param name="scaling">The input scaling, or null.</param>
    /// <param name="continuing">A continued run is past its warm-ups (KL weight at full strength).</param>
    public TrainingRun(
        AutoencoderModule network, ReconstructionLoss loss, TrainingOptions options, TrainingData data, FeatureScaling? scaling, bool continuing)
    {
        this.network = network;
        this.loss = loss;
        this.options = options;
        this.data = data;
        this.scaling = scaling;
        this.continuing = continuing;
        plan = TrainingPlan.For(options, data.Training.RowCount);
        device = network.parameters().First().device; // the trainer has put the network on TrainingOptions.Device
    }

    /// <summary>Which of <see cref="TrainingOptions.Runs"/> this is (1-based) and how many there are; stamped on every report.</summary>
    public (int Run, int Runs) Attempt { get; init; } = (1, 1);

    /// <summary>
    /// After <see cref="Run"/>: the monitored loss of the weights the network holds — the best epoch's when early stopping
    /// restored them, else the last epoch's. What chooses among <see cref="TrainingOptions.Runs"/>.
    /// </summary>
    public double KeptLoss { get; private set; } = double.NaN;

    /// <summary>The run's length (epochs, or the automatic budget's cap).</summary>
    public TrainingPlan Plan => plan;

    /// <summary>Which loss chooses the best epoch: <c>validation</c> or <c>training</c>.</summary>
    public string Monitored => data.Validation != null ? "validation" : "training";

    /// <summary>Trains every epoch of the plan (or until early stopping) and returns the history; the best weights are kept when early stopping is on.</summary>
    public TrainingHistory Run(IChannel channel, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        using var optimizer = CreateOptimizer();
        var schedule = options.Schedule;
        var scheduler = schedule?.Create(optimizer, plan);
        using var stopping = new EarlyStopping(network, options.Patience);
        using var noise = new torch.Generator((ulong)options.Seed + 0x5EED);
        var shuffle = new ReplayableRandom(options.Seed);
        var reports = new List<EpochReport>();
        var state = new TrainingState(network, optimizer, scheduler, schedule, stopping, noise, shuffle, reports);
        int resumed = options.ResumeFrom == null ? 0 : Resume(state, channel);
        network.TrainingAugmentation = options.Augmentation; // cleared when the run ends; a failed run's network is disposed
        var clock = Stopwatch.StartNew();
        var before = reports.LastOrDefault()?.Elapsed ?? TimeSpan.Zero;
        bool stoppedEarly = resumed > 0 && stopping.ShouldStop(resumed) && resumed < plan.Epochs;
        for (int epoch = resumed + 1; epoch <= plan.Epochs && !stoppedEarly; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var trained = TrainEpoch(epoch, optimizer, schedule?.StepsEveryBatch == true ? scheduler : null, shuffle, noise, cancellationToken);
            double? validation = data.Validation == null ? null : Validate(data.Validation);
            double monitored = validation ?? trained.Loss;
            var report = new EpochReport(
                epoch, plan.Epochs, trained.Loss, trained.Parts, validation, trained.LearningRate, before + clock.Elapsed,
                trained.Rows / epochClock.Elapsed.TotalSeconds, stopping.Record(epoch, monitored))
            {
                Run = Attempt.Run,
                Runs = Attempt.Runs,
            };
            reports.Add(report);
            channel.Info(MessageSensitivity.None, report.ToString());
            progress?.Report(report);
            if (schedule?.StepsEveryBatch == false)
            {
                StepPerEpoch(scheduler!, optimizer, monitored, channel);
            }

            stoppedEarly = stopping.ShouldStop(epoch) && epoch < plan.Epochs;
            if (stoppedEarly)
            {
                channel.Info(MessageSensitivity.None, $"Early stopping at epoch {epoch}: no {Monitored} improvement since epoch {stopping.BestEpoch}.");
            }

            if (options.CheckpointEvery is int every && epoch % every == 0)
            {
                TrainingCheckpoint.Write(options.CheckpointPath!, epoch, batchSteps, Identity(), state);
                channel.Info(MessageSensitivity.None, $"Checkpoint after epoch {epoch} written to {options.CheckpointPath}.");
            }
        }

        network.TrainingAugmentation = null;
        stopping.RestoreBest();
        network.eval();
        KeptLoss = stopping.BestWeights != null ? stopping.Best : reports.Count > 0 ? reports[^1].ValidationLoss ?? reports[^1].TrainingLoss : double.NaN;
        return new TrainingHistory(reports, stopping.BestEpoch, stoppedEarly, Monitored);
    }

    /// <summary>Takes up the checkpoint in <see cref="TrainingOptions.ResumeFrom"/>; returns its epoch.</summary>
    private int Resume(TrainingState state, IChannel channel)
    {
        (int epoch, batchSteps) = TrainingCheckpoint.Resume(options.ResumeFrom!, Identity(), state);
        channel.Info(MessageSensitivity.None, $"Resuming from {options.ResumeFrom} after epoch {epoch} of {plan.Epochs}.");
        return epoch;
    }

    /// <summary>What this run is, as a checkpoint records it.</summary>
    private RunIdentity Identity() => new(
        network.Spec.ToJson(), loss.ToString(), TrainingCheckpoint.Fingerprint(options), continuing,
        data.Training.RowCount, data.Validation?.RowCount ?? 0, data.Columns.Select(c => c.Width).ToArray());

    /// <summary>One pass over the shuffled training rows; returns the epoch's mean losses.</summary>
    private EpochLoss TrainEpoch(
        int epoch, optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler? perBatch, Random shuffle, torch.Generator noise,
        CancellationToken cancellationToken)
    {
        network.train();
        var sums = new EpochLoss();
        int batchIndex = 0;
        // Batches are prepared on a background thread while the previous step runs (same order, same numbers).
        foreach (var batch in BatchPrefetcher.Ahead(data.Training.Batches(options.BatchSize, shuffle)))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            cancellationToken.ThrowIfCancellationRequested();
            batchIndex++;
            var (input, target) = Split(batch);
            if (options.Augmentation != null)
            {
                // More data, not a corruption: the moved image is the input and the target (no target column here).
                input = target = options.Augmentation.Apply(input, noise);
            }

            if (options.Corruption != null)
            {
                // Noise and clipping are in the data's units, before scaling.
                input = options.Corruption.Apply(input, noise);
            }

            (input, target) = OnDevice(Scale(input, target));
            sums.LearningRate = optimizer.ParamGroups.First().LearningRate;
            var batchLoss = Step(optimizer, input, target, plan.Progress(epoch, batchIndex, continuing), epoch, batchIndex);
            sums.Add(batchLoss, batch.shape[0]);
            perBatch?.step();
            batchSteps++;
        }

        NativeMemory.Trim();
        return sums;
    }

    /// <summary>One optimizer step: zero_grad → forward → loss → backward → (clip) → step.</summary>
    private LossBreakdown Step(optim.Optimizer optimizer, Tensor input, Tensor target, TrainingProgress progress, int epoch, int batch)
    {
        optimizer.zero_grad();
        LossBreakdown batchLoss;
        using (MatmulPrecision.Use(options.Precision))
        {
            // bfloat16 products when asked; autograd runs the backward products in the same type.
            batchLoss = network.Loss(input, target, loss, progress);
        }

        double value = batchLoss.Total.ToDouble();
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException(epoch, batch, value, optimizer.ParamGroups.First().LearningRate);
        }

        batchLoss.Total.backward();
        if (options.GradientClipNorm is double clip)
        {
            nn.utils.clip_grad_norm_(network.parameters(), clip);
        }

        optimizer.step();
        return batchLoss;
    }

    /// <summary>Mean loss over <paramref name="rows"/> in evaluation mode, on clean input, with the full loss weights.</summary>
    private double Validate(RowSource rows)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        var full = new TrainingProgress(plan.Epochs, plan.Epochs, 1.0);
        double sum = 0;
        long count = 0;
        foreach (var batch in BatchPrefetcher.Ahead(rows.Batches(options.BatchSize, shuffle: null)))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            var (input, target) = OnDevice(Scale(Split(batch)));
            sum += network.Loss(input, target, loss, full).Total.ToDouble() * batch.shape[0];
            count += batch.shape[0];
        }

        return sum / count;
    }

    private static void StepPerEpoch(optim.lr_scheduler.LRScheduler scheduler, optim.Optimizer optimizer, double monitored, IChannel channel)
    {
        double before = optimizer.ParamGroups.First().LearningRate;
        scheduler.step(monitored);
        double after = optimizer.ParamGroups.First().LearningRate;
        if (after != before)
        {
            channel.Info(MessageSensitivity.None, $"Learning rate changed by the schedule from {before:G3} to {after:G3}.");
        }
    }

    // Fused: every parameter and gradient lives in one flat buffer, and a step is a handful of whole-buffer operations
    // (the same arithmetic as TorchSharp's Adam, AdamW and SGD, tested equal to 1e-6 over 100 steps).
    private optim.Optimizer CreateOptimizer() => options.Optimizer switch
    {
        OptimizerKind.Adam => new FusedAdam(network.parameters(), options.LearningRate, options.WeightDecay),
        OptimizerKind.AdamW => new FusedAdam(network.parameters(), options.LearningRate, options.WeightDecay, decoupled: true),
        OptimizerKind.Sgd => new FusedSgd(network.parameters(), options.LearningRate, options.Momentum, options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    /// <summary>The input and the target of a batch whose row holds the input then, for paired training, the target.</summary>
    private (Tensor Input, Tensor Target) Split(Tensor batch) => data.Columns.Count == 1
        ? (batch, batch)
        : (batch.narrow(1, 0, data.Columns[0].Width), batch.narrow(1, data.Columns[0].Width, data.Columns[1].Width));

    private (Tensor Input, Tensor Target) Scale((Tensor Input, Tensor Target) pair) => Scale(pair.Input, pair.Target);

    /// <summary>The batch on the network's device (rows are read, corrupted and scaled on the CPU).</summary>
    private (Tensor Input, Tensor Target) OnDevice((Tensor Input, Tensor Target) pair)
    {
        if (device.type == DeviceType.CPU)
        {
            return pair;
        }

        var input = pair.Input.to(device);
        return (input, ReferenceEquals(pair.Input, pair.Target) ? input : pair.Target.to(device));
    }

    private (Tensor Input, Tensor Target) Scale(Tensor input, Tensor target) =>
        scaling == null ? (input, target) : (scaling.ScaleInput(input), scaling.ScaleTarget(target));

    /// <summary>Row-weighted sums of an epoch's batch losses.</summary>
    private sealed class EpochLoss
    {
        private readonly Dictionary<string, double> partSums = new();
        private double sum;

        public long Rows { get; private set; }

        /// <summary>The rate of the latest batch.</summary>
        public double LearningRate { get; set; }

        public double Loss => sum / Rows;

        public IReadOnlyDictionary<string, double> Parts => partSums.ToDictionary(p => p.Key, p => p.Value / Rows);

        public void Add(LossBreakdown batch, long rows)
        {
            sum += batch.Total.ToDouble() * rows;
            foreach (var (name, part) in batch.Parts)
            {
                partSums[name] = partSums.GetValueOrDefault(name) + (part.ToDouble() * rows);
            }

            Rows += rows;
        }
    }
}
