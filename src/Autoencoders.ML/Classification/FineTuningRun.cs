using System.IO;
using System.Threading;
using Autoencoders.ML.Training;
using Microsoft.ML.Runtime;
using TorchSharp.Modules;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The fine-tuning schedule of a <see cref="ClassifierNetwork"/>: <see cref="FineTuningOptions.HeadSteps"/> steps of the
/// head alone on the frozen encoder, then <see cref="FineTuningOptions.Steps"/> steps of every layer — the head at the
/// full rate and the autoencoder at <see cref="FineTuningOptions.EncoderLearningRateRatio"/> of it, each with its own
/// fused Adam and cosine annealing — minimising cross-entropy on labeled rows (shifted and turned at random for images)
/// plus, on a batch of unlabeled rows, <see cref="FineTuningOptions.PseudoLabelWeight"/> × FixMatch's pseudo-label loss
/// and <see cref="FineTuningOptions.ReconstructionWeight"/> × the autoencoder's own loss. With
/// <see cref="FineTuningOptions.Ladder"/> the steps train a <see cref="LadderNetwork"/> instead (no head phase; the
/// ladder's own parameters at the head's rate): cross-entropy of the corrupted path on the labeled rows plus the
/// denoising cost on the unlabeled rows (on the labeled rows when there are none), and the pseudo-label term from the clean path; the
/// normalisation is folded into the weights at the end.
/// </summary>
internal sealed class FineTuningRun
{
    private const int ReportEvery = FineTuningOptions.CheckpointStepBlock;

    private readonly ClassifierNetwork network;
    private readonly FineTuningOptions options;
    private readonly ReconstructionLoss reconstructionLoss;
    private readonly FeatureScaling? scaling;
    private readonly ImageAugmentation? shift;
    private readonly int seed;
    private LadderNetwork? ladder;

    public FineTuningRun(ClassifierNetwork network, FineTuningOptions options, ReconstructionLoss reconstructionLoss, FeatureScaling? scaling, ImageAugmentation? shift, int seed)
    {
        this.network = network;
        this.options = options;
        this.reconstructionLoss = reconstructionLoss;
        this.scaling = scaling;
        this.shift = shift;
        this.seed = seed;
    }

    /// <summary>Trains the network in place and returns the mean classification loss of the last 100 steps.</summary>
    /// <param name="labeled">The labeled rows, in the data's units.</param>
    /// <param name="unlabeled">Unlabeled rows for pseudo-labels and the reconstruction regulariser (in the data's units), or null: no pseudo-labels, the labeled rows' features for the regulariser.</param>
    /// <param name="channel">Where progress lines go (ML.NET log).</param>
    /// <param name="progress">Receives one report per block of steps (phases <c>head</c> and <c>fine-tuning</c>), or null.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public double Run(LabeledRows labeled, RowSource? unlabeled, IChannel channel, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        using var features = tensor(labeled.Features, new long[] { labeled.Count, labeled.Width });
        using var labels = tensor(labeled.Labels, new long[] { labeled.Count });
        using var fallback = unlabeled == null ? new InMemoryRows(features.alias(), Enumerable.Range(0, labeled.Count).Select(i => (long)i).ToArray(), ownsData: true) : null;
        var regulariserRows = unlabeled ?? fallback!;
        using var generator = new Generator((ulong)seed + 0xF1E);
        var batches = new LabeledBatches(labeled.Count, Math.Min(options.BatchSize, labeled.Count), seed);
        using var unlabeledBatches = new EndlessBatches(regulariserRows, options.UnlabeledBatchSize, seed + 1);
        var hooks = new StepHooks(this, features, labels, batches, unlabeledBatches, generator, pseudoLabels: unlabeled != null && options.PseudoLabelWeight > 0)
        {
            HasUnlabeledRows = unlabeled != null,
            Description = new RunIdentity(
                network.Autoencoder.Spec.ToJson(), reconstructionLoss.ToString(), Fingerprint(labeled.Classes.Count), Continuing: false,
                labeled.Count, regulariserRows.RowCount, new[] { labeled.Width }),
        };
        void Log(string line) => channel.Info(MessageSensitivity.None, line);
        ladder = options.Ladder == null ? null : new LadderNetwork(network, options.Ladder);
        try
        {
            if (ladder != null)
            {
                Log($"Ladder objective: layers {string.Join("-", ladder.Widths)}, {ladder.InitialisedFromDecoder} of {ladder.Widths.Length - 1} decoder maps initialised from the pretrained decoder.");
            }

            Train(hooks, Log, progress, cancellationToken);
            if (ladder != null)
            {
                ladder.eval();
                ladder.Fold();
            }
        }
        finally
        {
            ladder?.DisposeOwnModules();
            ladder = null;
        }

        network.eval();
        return hooks.Recent.Count == 0 ? double.NaN : hooks.Recent.Average();
    }

    /// <summary>The head phase (not with the Ladder objective), then the full phase.</summary>
    private void Train(StepHooks hooks, Action<string> log, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        nn.Module trained = ladder ?? (nn.Module)network;
        // A checkpoint is written in the full phase only; resuming from one takes up the state after the head phase too.
        if (options.HeadSteps > 0 && options.ResumeFrom == null && ladder == null)
        {
            hooks.Phase = (Name: TrainingPhases.Head, Steps: options.HeadSteps, TrainEncoder: false);
            var head = new[] { new ParameterGroup(network.Head.parameters().ToArray()) };
            new TrainingLoop<int>(trained, hooks, Settings(options.HeadSteps, head, schedule: null) with { Phase = TrainingPhases.Head }).Run(log, progress, cancellationToken);
        }

        if (options.Steps > 0)
        {
            bool trainEncoder = options.EncoderLearningRateRatio > 0;
            hooks.Phase = (Name: TrainingPhases.FineTuning, Steps: options.Steps, TrainEncoder: trainEncoder);
            var groups = new List<ParameterGroup> { new(network.Head.parameters().Concat(ladder?.OwnParameters() ?? Enumerable.Empty<Parameter>()).ToArray()) };
            if (trainEncoder)
            {
                groups.Add(new ParameterGroup(network.Autoencoder.parameters().ToArray(), options.EncoderLearningRateRatio));
            }

            var settings = Settings(options.Steps, groups, new StepCosine(options.Steps)) with
            {
                Phase = TrainingPhases.FineTuning,
                CheckpointEvery = options.CheckpointEvery / ReportEvery,
                CheckpointPath = options.CheckpointPath,
                ResumeFrom = options.ResumeFrom,
            };
            new TrainingLoop<int>(trained, hooks, settings).Run(log, progress, cancellationToken);
        }
    }

    /// <summary>What a checkpoint's run must share with the run resuming it: every option but the execution ones, the seed and the classes.</summary>
    private System.Text.Json.Nodes.JsonObject Fingerprint(int classes)
    {
        var fingerprint = System.Text.Json.JsonSerializer.SerializeToNode(options, AutoencoderSpec.JsonOptions)!.AsObject();
        fingerprint.Remove("threads");
        fingerprint["seed"] = seed;
        fingerprint["classes"] = classes;
        fingerprint["precision"] = nameof(TrainingPrecision.Float32); // as the checkpoint reader fills in for runs without the option
        return fingerprint;
    }

    /// <summary>A phase of <paramref name="steps"/> steps in "epochs" of <see cref="ReportEvery"/> steps (one log line each).</summary>
    private LoopSettings Settings(int steps, IReadOnlyList<ParameterGroup> groups, ILearningRateSchedule? schedule) => new()
    {
        Groups = groups,
        Plan = new TrainingPlan((steps + ReportEvery - 1) / ReportEvery, ReportEvery, options.LearningRate, Automatic: false),
        Optimizer = options.Optimization.Optimizer,
        LearningRate = options.LearningRate,
        Momentum = options.Optimization.Momentum,
        WeightDecay = options.Optimization.WeightDecay,
        GradientClipNorm = options.Optimization.GradientClipNorm,
        Schedule = schedule,
        Seed = seed,
        NoiseSeed = (ulong)seed + 0xF1E,
    };

    /// <summary>
    /// FixMatch's unlabeled term on <paramref name="rows"/> (data units): targets from the rows as they are (eval mode,
    /// no gradient), the loss on a shifted and masked copy, counted where the confidence reaches the threshold and
    /// averaged over all rows. Returns the loss and the share of confident rows.
    /// </summary>
    private (Tensor Loss, double Share) PseudoLabelLoss(Tensor rows, bool trainEncoder, Generator generator)
    {
        Tensor teacher;
        network.eval();
        using (no_grad())
        {
            teacher = network.Logits(Scale(rows), trainEncoder: false);
        }

        network.train();
        return PseudoLabelTerm(teacher, () => network.Logits(Scale(Perturb(rows, generator)), trainEncoder));
    }

    /// <summary>
    /// FixMatch's term, shared by both objectives: the classes of <paramref name="teacherLogits"/> whose probability
    /// reaches <see cref="FineTuningOptions.PseudoLabelThreshold"/> are the targets of <paramref name="studentLogits"/>
    /// (computed after the targets, on the perturbed rows); returns the masked mean cross-entropy and the confident share.
    /// </summary>
    private (Tensor Loss, double Share) PseudoLabelTerm(Tensor teacherLogits, Func<Tensor> studentLogits)
    {
        Tensor targets, mask;
        using (no_grad())
        {
            var (best, classes) = nn.functional.softmax(teacherLogits.detach(), 1).max(1);
            targets = classes;
            mask = KeptScalars.With(options.PseudoLabelThreshold, threshold => best.ge(threshold)).to_type(ScalarType.Float32);
        }

        var perRow = nn.functional.cross_entropy(studentLogits(), targets, reduction: nn.Reduction.None);
        return ((perRow * mask).mean(), mask.mean().ToDouble());
    }

    /// <summary>
    /// One step of the Ladder objective: the labeled batch and the unlabeled <paramref name="rows"/> (if any) through the
    /// ladder, each part normalised on its own, cross-entropy of the corrupted path on the labeled part, the denoising
    /// cost on the unlabeled part (on the labeled part without unlabeled rows), and (when on)
    /// the pseudo-label term with targets from the clean path on the unlabeled part. Returns the parts and the share of
    /// confident rows (NaN without pseudo-labels).
    /// </summary>
    private (Tensor Total, Dictionary<string, Tensor> Parts, long Rows, double Share) LadderLoss(
        LadderNetwork ladder, Tensor x, Tensor y, Tensor? rows, bool pseudoLabels, Generator generator)
    {
        ladder.train();
        long labeledRows = x.shape[0];
        var (corrupted, clean, denoising) = ladder.Step(rows is null ? x : cat(new[] { x, Scale(rows) }, 0), labeledRows, generator);
        var classification = nn.functional.cross_entropy(corrupted.narrow(0, 0, labeledRows), y);
        var parts = new Dictionary<string, Tensor> { ["cross-entropy"] = classification, ["denoising"] = denoising };
        var total = classification.Plus(denoising);
        double share = double.NaN;
        if (pseudoLabels && rows is not null)
        {
            var (pseudo, confident) = PseudoLabelTerm(
                clean.narrow(0, labeledRows, rows.shape[0]), () => ladder.CorruptedLogits(Scale(Perturb(rows, generator)), generator));
            total = total.Plus(pseudo.Times(options.PseudoLabelWeight));
            parts["pseudo-label"] = pseudo;
            share = confident;
        }

        return (total, parts, labeledRows, share);
    }

    /// <summary>The pseudo-label term's perturbed copy of <paramref name="rows"/> (data units): shifted and turned (images), then masked.</summary>
    private Tensor Perturb(Tensor rows, Generator generator)
    {
        var perturbed = shift == null ? rows : shift.Apply(rows, generator);
        if (options.PseudoLabelMasking > 0)
        {
            perturbed = perturbed * KeptScalars.With(options.PseudoLabelMasking, fraction => rand(perturbed.shape, generator: generator).ge(fraction)).to_type(perturbed.dtype);
        }

        return perturbed;
    }

    /// <summary>A labeled batch: rows shifted (images), then scaled; labels as int64.</summary>
    private (Tensor X, Tensor Y) Batch(Tensor features, Tensor labels, long[] rows, Generator generator)
    {
        using var index = tensor(rows, ScalarType.Int64);
        var x = features.index_select(0, index);
        if (shift != null)
        {
            x = shift.Apply(x, generator);
        }

        return (Scale(x), labels.index_select(0, index));
    }

    private Tensor Scale(Tensor x) => scaling == null ? x : scaling.ScaleInput(x);

    /// <summary>The steps of a phase in <see cref="TrainingLoop{TBatch}"/>: a batch is a step number.</summary>
    private sealed class StepHooks : TrainingHooks<int>
    {
        private readonly FineTuningRun run;
        private readonly Tensor features;
        private readonly Tensor labels;
        private readonly LabeledBatches batches;
        private readonly EndlessBatches unlabeledBatches;
        private readonly Generator generator;
        private readonly bool pseudoLabels;
        private readonly Queue<double> confident = new();

        public StepHooks(
            FineTuningRun run, Tensor features, Tensor labels, LabeledBatches batches, EndlessBatches unlabeledBatches, Generator generator, bool pseudoLabels)
        {
            this.run = run;
            this.features = features;
            this.labels = labels;
            this.batches = batches;
            this.unlabeledBatches = unlabeledBatches;
            this.generator = generator;
            this.pseudoLabels = pseudoLabels;
        }

        /// <summary>The classification losses of the last <see cref="ReportEvery"/> steps, across phases.</summary>
        public Queue<double> Recent { get; } = new();

        /// <summary>The run a checkpoint belongs to.</summary>
        public required RunIdentity Description { get; init; }

        /// <summary>True when the run has unlabeled rows (the Ladder objective then steps on the labeled rows alone without them).</summary>
        public bool HasUnlabeledRows { get; init; }

        /// <summary>The batch positions, the generator and the recent losses.</summary>
        public override ICheckpointState CheckpointState => new HookState(this);

        public (string Name, int Steps, bool TrainEncoder) Phase { get; set; }

        private bool Full => Phase.Name != TrainingPhases.Head;

        public override IEnumerable<int> Batches(int epoch, Random shuffle)
        {
            int first = ((epoch - 1) * ReportEvery) + 1;
            return Enumerable.Range(first, Math.Min(ReportEvery, Phase.Steps - first + 1));
        }

        public override (LossBreakdown Loss, long Rows) Loss(int step, BatchPosition position, Generator noise)
        {
            var options = run.options;
            run.network.train();
            var (x, y) = run.Batch(features, labels, batches.Next(), generator);
            if (run.ladder is { } ladder)
            {
                var (ladderTotal, ladderParts, labeledRows, share) = run.LadderLoss(ladder, x, y, HasUnlabeledRows ? unlabeledBatches.Next() : null, pseudoLabels, generator);
                if (pseudoLabels)
                {
                    Keep(confident, share);
                }

                return (new LossBreakdown(ladderTotal, ladderParts), labeledRows);
            }

            var classification = nn.functional.cross_entropy(run.network.Logits(x, Phase.TrainEncoder), y);
            var parts = new Dictionary<string, Tensor> { ["cross-entropy"] = classification };
            if (!Full)
            {
                return (new LossBreakdown(classification, parts), y.shape[0]);
            }

            var total = classification;
            bool reconstruct = Phase.TrainEncoder && options.ReconstructionWeight > 0;
            var rows = reconstruct || pseudoLabels ? unlabeledBatches.Next() : null;
            if (pseudoLabels)
            {
                var (pseudo, share) = run.PseudoLabelLoss(rows!, Phase.TrainEncoder, generator);
                total = total.Plus(pseudo.Times(options.PseudoLabelWeight));
                parts["pseudo-label"] = pseudo;
                Keep(confident, share);
            }

            if (reconstruct)
            {
                var target = run.scaling == null ? rows! : run.scaling.ScaleTarget(rows!);
                var full = new TrainingProgress(1, 1, 1.0);
                var reconstruction = run.network.Autoencoder.Loss(run.Scale(rows!), target, run.reconstructionLoss, full).Total;
                total = total.Plus(reconstruction.Times(options.ReconstructionWeight));
                parts[LossBreakdown.Reconstruction] = reconstruction;
            }

            return (new LossBreakdown(total, parts), y.shape[0]);
        }

        public override void AfterStep(LossBreakdown loss, int epoch, int batch) => Keep(Recent, loss.Parts["cross-entropy"].ToDouble());

        public override IEnumerable<string> Describe(EpochReport report)
        {
            int step = Math.Min(report.Epoch * ReportEvery, Phase.Steps);
            yield return $"Fine-tuning, {Phase.Name} step {step}/{Phase.Steps}: cross-entropy {Recent.Average():F4} (mean of the last {Recent.Count} steps).";
            if (Full && pseudoLabels)
            {
                yield return $"Fine-tuning, step {step}/{Phase.Steps}: {confident.Average():P1} of unlabeled rows above the pseudo-label threshold {run.options.PseudoLabelThreshold:G3}.";
            }
        }

        public override RunIdentity Identity() => Description;

        public override Exception Diverged(int epoch, int batch, double loss, double learningRate) => new TrainingDivergedException(
            $"The {Phase.Name} loss became {loss} at step {((epoch - 1) * ReportEvery) + batch} (learning rate {learningRate:G3}). " +
            "Try a lower LearningRate (for example 10x smaller) or a smaller EncoderLearningRateRatio.");

        private static void Keep(Queue<double> recent, double value)
        {
            recent.Enqueue(value);
            if (recent.Count > ReportEvery)
            {
                recent.Dequeue();
            }
        }

        /// <summary>What the steps keep between them: both batch streams' positions, the generator, the recent losses.</summary>
        private sealed class HookState(StepHooks hooks) : ICheckpointState
        {
            public void Save(BinaryWriter writer)
            {
                hooks.batches.Save(writer);
                hooks.unlabeledBatches.Save(writer);
                using (var state = hooks.generator.get_state())
                {
                    state.Save(writer);
                }

                SaveQueue(writer, hooks.Recent);
                SaveQueue(writer, hooks.confident);
            }

            public void Load(BinaryReader reader)
            {
                hooks.batches.Load(reader);
                hooks.unlabeledBatches.Load(reader);
                using (var state = hooks.generator.get_state())
                {
                    state.Load(reader);
                    hooks.generator.set_state(state);
                }

                LoadQueue(reader, hooks.Recent);
                LoadQueue(reader, hooks.confident);
            }

            private static void SaveQueue(BinaryWriter writer, Queue<double> queue)
            {
                writer.Write(queue.Count);
                foreach (double value in queue)
                {
                    writer.Write(value);
                }
            }

            private static void LoadQueue(BinaryReader reader, Queue<double> queue)
            {
                int count = reader.ReadInt32();
                if (count < 0 || count > ReportEvery)
                {
                    throw new InvalidDataException($"a queue of {count} recent losses (at most {ReportEvery})");
                }

                queue.Clear();
                for (int i = 0; i < count; i++)
                {
                    queue.Enqueue(reader.ReadDouble());
                }
            }
        }
    }

    /// <summary>Cosine annealing to zero over a phase's steps, stepped after every step.</summary>
    private sealed class StepCosine : ILearningRateSchedule
    {
        private readonly int steps;

        public StepCosine(int steps) => this.steps = steps;

        public bool StepsEveryBatch => true;

        public optim.lr_scheduler.LRScheduler Create(optim.Optimizer optimizer, TrainingPlan plan) => optim.lr_scheduler.CosineAnnealingLR(optimizer, steps);
    }

    /// <summary>
    /// Labeled row indices in reshuffled passes (a pass is reshuffled when it runs out). Its state is where the pass
    /// stands and how many draws came before the pass's shuffle: a checkpoint replays that shuffle.
    /// </summary>
    private sealed class LabeledBatches
    {
        private readonly int count;
        private readonly int batchSize;
        private readonly int seed;
        private ReplayableRandom random;
        private long drawsBeforeShuffle;
        private long[] order = Array.Empty<long>();
        private int position;

        public LabeledBatches(int count, int batchSize, int seed)
        {
            this.count = count;
            this.batchSize = batchSize;
            this.seed = seed;
            random = new ReplayableRandom(seed);
        }

        public long[] Next()
        {
            if (position + batchSize > order.Length)
            {
                drawsBeforeShuffle = random.Draws;
                order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
                random.Shuffle(order);
                position = 0;
            }

            var batch = order.AsSpan(position, batchSize).ToArray();
            position += batchSize;
            return batch;
        }

        public void Save(BinaryWriter writer)
        {
            writer.Write(order.Length > 0);
            writer.Write(drawsBeforeShuffle);
            writer.Write(position);
        }

        public void Load(BinaryReader reader)
        {
            bool started = reader.ReadBoolean();
            long draws = reader.ReadInt64();
            int at = reader.ReadInt32();
            if (draws < 0 || at < 0 || at > count)
            {
                throw new InvalidDataException($"a labeled batch position of {at} after {draws} draws ({count} rows)");
            }

            random = new ReplayableRandom(seed);
            random.Skip(draws);
            order = Array.Empty<long>();
            position = 0;
            if (started)
            {
                Next();
                position = at;
            }
        }
    }

    /// <summary>
    /// Batches of a <see cref="RowSource"/>, reshuffled pass after pass, without end. Its state is the draws taken before
    /// the current pass and the batches taken from it: a checkpoint replays the pass up to there.
    /// </summary>
    private sealed class EndlessBatches : IDisposable
    {
        private readonly RowSource rows;
        private readonly int batchSize;
        private readonly int seed;
        private ReplayableRandom random;
        private long drawsBeforePass;
        private long taken;
        private IEnumerator<Tensor>? current;
        private Tensor? last;

        public EndlessBatches(RowSource rows, int batchSize, int seed)
        {
            this.rows = rows;
            this.batchSize = batchSize;
            this.seed = seed;
            random = new ReplayableRandom(seed);
        }

        /// <summary>The next batch; it stays valid until the next call.</summary>
        public Tensor Next()
        {
            last?.Dispose();
            last = null;
            if (current == null || !current.MoveNext())
            {
                current?.Dispose();
                drawsBeforePass = random.Draws;
                taken = 0;
                current = rows.Batches(batchSize, random).GetEnumerator();
                if (!current.MoveNext())
                {
                    throw new InvalidOperationException("The unlabeled data has no rows.");
                }
            }

            taken++;
            last = current.Current;
            last.MoveToOuterDisposeScope();
            return last;
        }

        public void Save(BinaryWriter writer)
        {
            writer.Write(current != null);
            writer.Write(drawsBeforePass);
            writer.Write(taken);
        }

        public void Load(BinaryReader reader)
        {
            bool started = reader.ReadBoolean();
            long draws = reader.ReadInt64();
            long batches = reader.ReadInt64();
            long most = (rows.RowCount + batchSize - 1) / batchSize;
            if (draws < 0 || batches < 0 || batches > most)
            {
                throw new InvalidDataException($"an unlabeled batch position of {batches} after {draws} draws (at most {most} batches a pass)");
            }

            last?.Dispose();
            last = null;
            current?.Dispose();
            current = null;
            random = new ReplayableRandom(seed);
            random.Skip(draws);
            if (started)
            {
                // The pass is drawn again from the same generator state and read up to where the run stood.
                for (long i = 0; i < batches; i++)
                {
                    Next().Dispose();
                    last = null;
                }
            }
        }

        public void Dispose()
        {
            last?.Dispose();
            current?.Dispose();
        }
    }
}
