using System.Diagnostics;
using System.Threading;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training.Optimizers;
using TorchSharp.Modules;

namespace Autoencoders.ML.Training;

/// <summary>
/// The one training loop of the library (the shape of ML.NET's <c>TorchSharpBaseTrainer</c>): epochs of optimizer
/// steps forward and loss (<see cref="TrainingHooks{TBatch}.Loss"/>) → divergence check → zero_grad and backward (unless
/// the loss wrote the gradients itself) → gradient clipping → step → per-batch schedule, then validation (<see cref="TrainingHooks{TBatch}.Validate"/>), early
/// stopping and the best weights, the per-epoch schedule, a report to the log and to the progress callback, and
/// checkpoints. Cancellation is checked before every step. The autoencoder runs, the classifier's fine-tuning and the
/// mixture kind's pretraining all train through it, with their own hooks.
/// </summary>
/// <typeparam name="TBatch">What one step trains on; disposed after the step when it is disposable.</typeparam>
internal sealed class TrainingLoop<TBatch>
{
    private readonly nn.Module network;
    private readonly TrainingHooks<TBatch> hooks;
    private readonly LoopSettings settings;
    private long batchSteps;

    /// <summary>Prepares a loop; nothing is trained until <see cref="Run"/>.</summary>
    /// <param name="network">The module trained: early stopping keeps its best weights, checkpoints save it.</param>
    /// <param name="hooks">What this training computes.</param>
    /// <param name="settings">Optimizer, schedule, budget and execution settings of the run.</param>
    public TrainingLoop(nn.Module network, TrainingHooks<TBatch> hooks, LoopSettings settings)
    {
        this.network = network;
        this.hooks = hooks;
        this.settings = settings;
    }

    /// <summary>
    /// After <see cref="Run"/>: the monitored loss of the weights the network holds — the best epoch's when early stopping
    /// restored them, else the last epoch's.
    /// </summary>
    public double KeptLoss { get; private set; } = double.NaN;

    /// <summary>Trains every epoch of the plan (or until early stopping) and returns the history.</summary>
    /// <param name="log">Where the loop's lines go (the user's ML.NET log).</param>
    /// <param name="progress">Receives one report per epoch, or null.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public TrainingHistory Run(Action<string> log, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var plan = settings.Plan;
        var optimizers = CreateOptimizers();
        var schedulers = new List<optim.lr_scheduler.LRScheduler>();
        try
        {
            var schedule = settings.Schedule;
            if (schedule != null)
            {
                schedulers.AddRange(optimizers.Select(o => schedule.Create(o, plan)));
            }

            using var stopping = new EarlyStopping(network, settings.Patience);
            using var noise = new torch.Generator(settings.NoiseSeed);
            var shuffle = new ReplayableRandom(settings.Seed);
            var reports = new List<EpochReport>();
            var identity = settings.CheckpointEvery != null || settings.ResumeFrom != null ? hooks.Identity() : null;
            var state = new TrainingState(network, optimizers, schedulers, schedule, stopping, noise, shuffle, reports, hooks.CheckpointState);
            int resumed = settings.ResumeFrom == null ? 0 : Resume(state, identity, log);
            string monitored = hooks.Monitored;
            var clock = Stopwatch.StartNew();
            var before = reports.LastOrDefault()?.Elapsed ?? TimeSpan.Zero;
            bool stoppedEarly = resumed > 0 && stopping.ShouldStop(resumed) && resumed < plan.Epochs;
            for (int epoch = resumed + 1; epoch <= plan.Epochs && !stoppedEarly; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                var perBatch = schedule?.StepsEveryBatch == true ? schedulers : null;
                var trained = TrainEpoch(epoch, optimizers, perBatch, shuffle, noise, cancellationToken);
                double? validation = hooks.Validate();
                double monitoredLoss = validation ?? trained.Loss;
                var report = new EpochReport(
                    epoch, plan.Epochs, trained.Loss, trained.Parts, validation, trained.LearningRate, before + clock.Elapsed,
                    trained.Rows / epochClock.Elapsed.TotalSeconds, stopping.Record(epoch, monitoredLoss))
                {
                    Run = settings.Attempt.Run,
                    Runs = settings.Attempt.Runs,
                    Phase = settings.Phase,
                };
                reports.Add(report);
                foreach (var line in hooks.Describe(report))
                {
                    log(line);
                }

                progress?.Report(report);
                if (schedule?.StepsEveryBatch == false)
                {
                    StepPerEpoch(schedulers, optimizers[0], monitoredLoss, log);
                }

                stoppedEarly = stopping.ShouldStop(epoch) && epoch < plan.Epochs;
                if (stoppedEarly)
                {
                    log($"Early stopping at epoch {epoch}: no {monitored} improvement since epoch {stopping.BestEpoch}.");
                }

                if (settings.CheckpointEvery is int every && epoch % every == 0)
                {
                    TrainingCheckpoint.Write(settings.CheckpointPath!, epoch, batchSteps, identity!, state);
                    log($"Checkpoint after epoch {epoch} written to {settings.CheckpointPath}.");
                }
            }

            stopping.RestoreBest();
            network.eval();
            KeptLoss = stopping.BestWeights != null ? stopping.Best : reports.Count > 0 ? reports[^1].ValidationLoss ?? reports[^1].TrainingLoss : double.NaN;
            return new TrainingHistory(reports, stopping.BestEpoch, stoppedEarly, monitored);
        }
        finally
        {
            schedulers.ForEach(s => (s as IDisposable)?.Dispose());
            optimizers.ForEach(o => o.Dispose());
        }
    }

    /// <summary>Takes up the checkpoint in <see cref="LoopSettings.ResumeFrom"/>; returns its epoch.</summary>
    private int Resume(TrainingState state, RunIdentity? identity, Action<string> log)
    {
        (int epoch, batchSteps) = TrainingCheckpoint.Resume(settings.ResumeFrom!, Checkpointable(identity), state);
        log($"Resuming from {settings.ResumeFrom} after epoch {epoch} of {settings.Plan.Epochs}.");
        return epoch;
    }

    private RunIdentity Checkpointable(RunIdentity? identity) => identity ?? throw new NotSupportedException(
        "This training does not write or resume checkpoints; leave CheckpointEvery and ResumeFrom unset.");

    /// <summary>One pass over the epoch's batches; returns the epoch's mean losses.</summary>
    private EpochLoss TrainEpoch(
        int epoch, List<optim.Optimizer> optimizers, List<optim.lr_scheduler.LRScheduler>? perBatch, Random shuffle, torch.Generator noise,
        CancellationToken cancellationToken)
    {
        network.train();
        var sums = new EpochLoss();
        int batchIndex = 0;
        foreach (var batch in hooks.Batches(epoch, shuffle))
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                cancellationToken.ThrowIfCancellationRequested();
                batchIndex++;
                sums.LearningRate = optimizers[0].ParamGroups.First().LearningRate;
                var (loss, rows) = Step(optimizers, batch, epoch, batchIndex, noise);
                sums.Add(loss, rows);
                hooks.AfterStep(loss, epoch, batchIndex);
                perBatch?.ForEach(s => s.step());
                batchSteps++;
            }
            finally
            {
                (batch as IDisposable)?.Dispose();
            }
        }

        NativeMemory.Trim();
        return sums;
    }

    /// <summary>
    /// One optimizer step: forward → loss → (diverged?) → zero_grad → backward → (clip) → step. A loss that wrote the
    /// gradients itself (<see cref="LossBreakdown.GradientsWritten"/>, a step without autograd) skips zero_grad and backward.
    /// </summary>
    private (LossBreakdown Loss, long Rows) Step(List<optim.Optimizer> optimizers, TBatch batch, int epoch, int batchIndex, torch.Generator noise)
    {
        (LossBreakdown Loss, long Rows) result;
        using (MatmulPrecision.Use(settings.Precision))
        {
            // bfloat16 products when asked; autograd runs the backward products in the same type.
            result = hooks.Loss(batch, new BatchPosition(epoch, batchIndex), noise);
        }

        double value = result.Loss.Total.ToDouble();
        if (!double.IsFinite(value))
        {
            throw hooks.Diverged(epoch, batchIndex, value, optimizers[0].ParamGroups.First().LearningRate);
        }

        if (!result.Loss.GradientsWritten)
        {
            // Autograd adds into the gradients at backward, so zeroing them here, after the forward pass, is the same.
            optimizers.ForEach(o => o.zero_grad());
            result.Loss.Total.backward();
        }

        if (settings.GradientClipNorm is double clip)
        {
            nn.utils.clip_grad_norm_(settings.Groups.SelectMany(g => g.Parameters), clip);
        }

        optimizers.ForEach(o => o.step());
        return result;
    }

    private static void StepPerEpoch(List<optim.lr_scheduler.LRScheduler> schedulers, optim.Optimizer optimizer, double monitored, Action<string> log)
    {
        double before = optimizer.ParamGroups.First().LearningRate;
        schedulers.ForEach(s => s.step(monitored));
        double after = optimizer.ParamGroups.First().LearningRate;
        if (after != before)
        {
            log($"Learning rate changed by the schedule from {before:G3} to {after:G3}.");
        }
    }

    // Fused: every parameter and gradient lives in one flat buffer, and a step is a handful of whole-buffer operations
    // (the same arithmetic as TorchSharp's Adam, AdamW and SGD, tested equal to 1e-6 over 100 steps). One optimizer per
    // parameter group, each at its share of the learning rate.
    private List<optim.Optimizer> CreateOptimizers()
    {
        var optimizers = new List<optim.Optimizer>();
        try
        {
            foreach (var group in settings.Groups)
            {
                optimizers.Add(CreateOptimizer(group.Parameters, settings.LearningRate * group.RateFactor));
            }

            return optimizers;
        }
        catch
        {
            optimizers.ForEach(o => o.Dispose());
            throw;
        }
    }

    private optim.Optimizer CreateOptimizer(IEnumerable<Parameter> parameters, double learningRate) => settings.Optimizer switch
    {
        OptimizerKind.Adam => new FusedAdam(parameters, learningRate, settings.WeightDecay),
        OptimizerKind.AdamW => new FusedAdam(parameters, learningRate, settings.WeightDecay, decoupled: true),
        OptimizerKind.Sgd => new FusedSgd(parameters, learningRate, settings.Momentum, settings.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Optimizer, "Unknown optimizer."),
    };

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

/// <summary>Where a step stands: its epoch and its batch within the epoch (both 1-based).</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
internal readonly record struct BatchPosition(int Epoch, int Batch);

/// <summary>
/// What one kind of training computes inside <see cref="TrainingLoop{TBatch}"/>: its batches, the loss of a batch, its
/// validation loss, its log lines and what a checkpoint records of it. The loop does the rest.
/// </summary>
/// <typeparam name="TBatch">What one step trains on.</typeparam>
internal abstract class TrainingHooks<TBatch>
{
    /// <summary>Which loss chooses the best epoch, as the log names it (<c>validation</c> or <c>training</c>).</summary>
    public virtual string Monitored => "training";

    /// <summary>The batches of one epoch, in order.</summary>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="shuffle">The run's shuffling generator (seeded by the run's seed; a checkpoint records its position).</param>
    public abstract IEnumerable<TBatch> Batches(int epoch, Random shuffle);

    /// <summary>Forward pass and loss of one batch, in training mode; returns the loss and the rows it averages.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="position">Where the step stands.</param>
    /// <param name="noise">The run's noise generator (corruption, moves), recorded by checkpoints.</param>
    public abstract (LossBreakdown Loss, long Rows) Loss(TBatch batch, BatchPosition position, torch.Generator noise);

    /// <summary>Called after each optimizer step with the batch's loss (still alive).</summary>
    public virtual void AfterStep(LossBreakdown loss, int epoch, int batch)
    {
    }

    /// <summary>The validation loss after an epoch, or null when there are no validation rows.</summary>
    public virtual double? Validate() => null;

    /// <summary>The log lines of an epoch's report.</summary>
    public virtual IEnumerable<string> Describe(EpochReport report) => new[] { report.ToString() };

    /// <summary>The error thrown when the loss of a step is NaN or infinite.</summary>
    public virtual Exception Diverged(int epoch, int batch, double loss, double learningRate) =>
        new TrainingDivergedException(epoch, batch, loss, learningRate);

    /// <summary>What the run is, as a checkpoint records it; null when this training is not checkpointed.</summary>
    public virtual RunIdentity? Identity() => null;

    /// <summary>What the hooks keep between steps that a checkpoint must carry (their own generators and positions), or null.</summary>
    public virtual ICheckpointState? CheckpointState => null;
}

/// <summary>A set of parameters trained by one optimizer, at a share of the learning rate.</summary>
/// <param name="Parameters">The parameters.</param>
/// <param name="RateFactor">Multiplies <see cref="LoopSettings.LearningRate"/>.</param>
internal sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double RateFactor = 1.0);

/// <summary>The settings of one <see cref="TrainingLoop{TBatch}"/> run: optimization, budget and execution.</summary>
internal sealed record LoopSettings
{
    /// <summary>The parameters trained, in groups (one optimizer each).</summary>
    public required IReadOnlyList<ParameterGroup> Groups { get; init; }

    /// <summary>The run's length.</summary>
    public required TrainingPlan Plan { get; init; }

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>The base learning rate.</summary>
    public double LearningRate { get; init; } = TrainingOptions.Defaults.LearningRate;

    /// <summary>SGD's momentum.</summary>
    public double Momentum { get; init; } = TrainingOptions.OptimizationOptions.Defaults.Momentum;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Clip the global gradient norm to this before each step; null does not clip.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>The learning-rate schedule, or null for a constant rate.</summary>
    public ILearningRateSchedule? Schedule { get; init; }

    /// <summary>Early stopping's patience, or null: every epoch runs and the last weights are kept.</summary>
    public int? Patience { get; init; }

    /// <summary>The number type of the matrix products.</summary>
    public TrainingPrecision Precision { get; init; }

    /// <summary>Seed of the shuffling generator.</summary>
    public int Seed { get; init; }

    /// <summary>Seed of the noise generator.</summary>
    public ulong NoiseSeed { get; init; }

    /// <summary>Write a checkpoint after every this many epochs; null: none.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>The checkpoint file.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>The checkpoint to resume from, or null.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Which of several runs this is (1-based) and how many there are; stamped on every report.</summary>
    public (int Run, int Runs) Attempt { get; init; } = (1, 1);

    /// <summary>The phase stamped on every report (<see cref="EpochReport.Phase"/>).</summary>
    public string Phase { get; init; } = TrainingPhases.Training;

    /// <summary>
    /// The settings of <paramref name="options"/>: its optimization (optimizer, rate, schedule, clipping), its
    /// early-stopping patience, precision, checkpoints and seeds.
    /// </summary>
    public static LoopSettings From(TrainingOptions options, TrainingPlan plan, IReadOnlyList<ParameterGroup> groups) => new()
    {
        Groups = groups,
        Plan = plan,
        Optimizer = options.Optimizer,
        LearningRate = options.LearningRate,
        Momentum = options.Momentum,
        WeightDecay = options.WeightDecay,
        GradientClipNorm = options.GradientClipNorm,
        Schedule = options.Schedule,
        Patience = options.Patience,
        Precision = options.Precision,
        Seed = options.Seed,
        NoiseSeed = (ulong)options.Seed + 0x5EED,
        CheckpointEvery = options.CheckpointEvery,
        CheckpointPath = options.CheckpointPath,
        ResumeFrom = options.ResumeFrom,
    };
}
