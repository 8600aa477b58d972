using System.Threading;
using Autoencoders.ML.Training.Optimizers;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The fine-tuning schedule of a <see cref="ClassifierNetwork"/>: <see cref="FineTuningOptions.HeadSteps"/> steps of the
/// head alone on the frozen encoder, then <see cref="FineTuningOptions.Steps"/> steps of every layer — the head at the
/// full rate and the autoencoder at <see cref="FineTuningOptions.EncoderLearningRateRatio"/> of it, each with its own
/// fused Adam and cosine annealing — minimising cross-entropy on labeled rows (shifted and turned at random for images)
/// plus, on a batch of unlabeled rows, <see cref="FineTuningOptions.PseudoLabelWeight"/> × FixMatch's pseudo-label loss
/// and <see cref="FineTuningOptions.ReconstructionWeight"/> × the autoencoder's own loss.
/// </summary>
internal sealed class FineTuningRun
{
    private const int ReportEvery = 100;

    private readonly ClassifierNetwork network;
    private readonly FineTuningOptions options;
    private readonly ReconstructionLoss reconstructionLoss;
    private readonly FeatureScaling? scaling;
    private readonly ImageAugmentation? shift;
    private readonly int seed;

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
    /// <param name="cancellationToken">Checked before every step.</param>
    public double Run(LabeledRows labeled, RowSource? unlabeled, IChannel channel, CancellationToken cancellationToken)
    {
        bool pseudoLabels = unlabeled != null && options.PseudoLabelWeight > 0;
        using var features = tensor(labeled.Features, new long[] { labeled.Count, labeled.Width });
        using var labels = tensor(labeled.Labels, new long[] { labeled.Count });
        using var fallback = unlabeled == null ? new InMemoryRows(features.alias(), Enumerable.Range(0, labeled.Count).Select(i => (long)i).ToArray(), ownsData: true) : null;
        var regulariserRows = unlabeled ?? fallback!;
        using var generator = new Generator((ulong)seed + 0xF1E);
        var order = new Random(seed);
        var batches = new LabeledBatches(labeled.Count, Math.Min(options.BatchSize, labeled.Count), order);
        using var unlabeledBatches = new EndlessBatches(regulariserRows, options.UnlabeledBatchSize, new Random(seed + 1));
        var recent = new Queue<double>();
        var confident = new Queue<double>();

        if (options.HeadSteps > 0)
        {
            using var headOptimizer = new FusedAdam(network.Head.parameters(), options.LearningRate);
            for (int step = 1; step <= options.HeadSteps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                network.train();
                using var scope = NewDisposeScope();
                var (x, y) = Batch(features, labels, batches.Next(), generator);
                headOptimizer.zero_grad();
                var loss = nn.functional.cross_entropy(network.Logits(x, trainEncoder: false), y);
                Check(loss, "head", step, options.LearningRate);
                loss.backward();
                headOptimizer.step();
                Record(recent, loss.ToDouble(), channel, "head", step, options.HeadSteps);
            }
        }

        if (options.Steps > 0)
        {
            bool trainEncoder = options.EncoderLearningRateRatio > 0;
            using var headOptimizer = new FusedAdam(network.Head.parameters(), options.LearningRate);
            using var encoderOptimizer = trainEncoder ? new FusedAdam(network.Autoencoder.parameters(), options.LearningRate * options.EncoderLearningRateRatio) : null;
            var schedules = new List<optim.lr_scheduler.LRScheduler> { optim.lr_scheduler.CosineAnnealingLR(headOptimizer, options.Steps) };
            if (encoderOptimizer != null)
            {
                schedules.Add(optim.lr_scheduler.CosineAnnealingLR(encoderOptimizer, options.Steps));
            }

            for (int step = 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                network.train();
                using var scope = NewDisposeScope();
                var (x, y) = Batch(features, labels, batches.Next(), generator);
                headOptimizer.zero_grad();
                encoderOptimizer?.zero_grad();
                var classification = nn.functional.cross_entropy(network.Logits(x, trainEncoder), y);
                var total = classification;
                bool reconstruct = trainEncoder && options.ReconstructionWeight > 0;
                var rows = reconstruct || pseudoLabels ? unlabeledBatches.Next() : null;
                if (pseudoLabels)
                {
                    var (pseudo, share) = PseudoLabelLoss(rows!, trainEncoder, generator);
                    total = total + (pseudo * options.PseudoLabelWeight);
                    confident.Enqueue(share);
                    if (confident.Count > ReportEvery)
                    {
                        confident.Dequeue();
                    }
                }

                if (reconstruct)
                {
                    var target = scaling == null ? rows! : scaling.ScaleTarget(rows!);
                    var full = new TrainingProgress(1, 1, 1.0);
                    total = total + (network.Autoencoder.Loss(Scale(rows!), target, reconstructionLoss, full).Total * options.ReconstructionWeight);
                }

                Check(total, "fine-tuning", step, headOptimizer.ParamGroups.First().LearningRate);
                total.backward();
                headOptimizer.step();
                encoderOptimizer?.step();
                foreach (var schedule in schedules)
                {
                    schedule.step();
                }

                Record(recent, classification.ToDouble(), channel, "fine-tuning", step, options.Steps);
                if (pseudoLabels && (step % ReportEvery == 0 || step == options.Steps))
                {
                    channel.Info(MessageSensitivity.None, $"Fine-tuning, step {step}/{options.Steps}: {confident.Average():P1} of unlabeled rows above the pseudo-label threshold {options.PseudoLabelThreshold:G3}.");
                }
            }
        }

        network.eval();
        return recent.Count == 0 ? double.NaN : recent.Average();
    }

    /// <summary>
    /// FixMatch's unlabeled term on <paramref name="rows"/> (data units): targets from the rows as they are (eval mode,
    /// no gradient), the loss on a shifted and masked copy, counted where the confidence reaches the threshold and
    /// averaged over all rows. Returns the loss and the share of confident rows.
    /// </summary>
    private (Tensor Loss, double Share) PseudoLabelLoss(Tensor rows, bool trainEncoder, Generator generator)
    {
        Tensor targets, mask;
        network.eval();
        using (no_grad())
        {
            var probabilities = nn.functional.softmax(network.Logits(Scale(rows), trainEncoder: false), 1);
            var (best, classes) = probabilities.max(1);
            targets = classes;
            mask = best.ge(options.PseudoLabelThreshold).to_type(ScalarType.Float32);
        }

        network.train();
        var perturbed = shift == null ? rows : shift.Apply(rows, generator);
        if (options.PseudoLabelMasking > 0)
        {
            perturbed = perturbed * rand(perturbed.shape, generator: generator).ge(options.PseudoLabelMasking).to_type(perturbed.dtype);
        }

        var perRow = nn.functional.cross_entropy(network.Logits(Scale(perturbed), trainEncoder), targets, reduction: nn.Reduction.None);
        return ((perRow * mask).mean(), mask.mean().ToDouble());
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

    private static void Check(Tensor loss, string phase, int step, double learningRate)
    {
        double value = loss.ToDouble();
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException(
                $"The {phase} loss became {value} at step {step} (learning rate {learningRate:G3}). Try a lower LearningRate (for example 10x smaller) or a smaller EncoderLearningRateRatio.");
        }
    }

    private static void Record(Queue<double> recent, double loss, IChannel channel, string phase, int step, int steps)
    {
        recent.Enqueue(loss);
        if (recent.Count > ReportEvery)
        {
            recent.Dequeue();
        }

        if (step % ReportEvery == 0 || step == steps)
        {
            channel.Info(MessageSensitivity.None, $"Fine-tuning, {phase} step {step}/{steps}: cross-entropy {recent.Average():F4} (mean of the last {recent.Count} steps).");
        }
    }

    /// <summary>Labeled row indices in reshuffled passes (a pass is reshuffled when it runs out).</summary>
    private sealed class LabeledBatches
    {
        private readonly int count;
        private readonly int batchSize;
        private readonly Random random;
        private long[] order = Array.Empty<long>();
        private int position;

        public LabeledBatches(int count, int batchSize, Random random)
        {
            this.count = count;
            this.batchSize = batchSize;
            this.random = random;
        }

        public long[] Next()
        {
            if (position + batchSize > order.Length)
            {
                order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
                random.Shuffle(order);
                position = 0;
            }

            var batch = order.AsSpan(position, batchSize).ToArray();
            position += batchSize;
            return batch;
        }
    }

    /// <summary>Batches of a <see cref="RowSource"/>, reshuffled pass after pass, without end.</summary>
    private sealed class EndlessBatches : IDisposable
    {
        private readonly RowSource rows;
        private readonly int batchSize;
        private readonly Random random;
        private IEnumerator<Tensor>? current;
        private Tensor? last;

        public EndlessBatches(RowSource rows, int batchSize, Random random)
        {
            this.rows = rows;
            this.batchSize = batchSize;
            this.random = random;
        }

        /// <summary>The next batch; it stays valid until the next call.</summary>
        public Tensor Next()
        {
            last?.Dispose();
            if (current == null || !current.MoveNext())
            {
                current?.Dispose();
                current = rows.Batches(batchSize, random).GetEnumerator();
                if (!current.MoveNext())
                {
                    throw new InvalidOperationException("The unlabeled data has no rows.");
                }
            }

            last = current.Current;
            last.MoveToOuterDisposeScope();
            return last;
        }

        public void Dispose()
        {
            last?.Dispose();
            current?.Dispose();
        }
    }
}
