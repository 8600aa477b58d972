using System.Threading;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Training;

/// <summary>
/// One training run of an autoencoder on checked data, in <see cref="TrainingLoop{TBatch}"/>: the batches of the training
/// rows (augmented, corrupted, scaled, on the device), the network's loss, the validation loss on clean rows, and what a
/// checkpoint records of the run.
/// </summary>
internal sealed class TrainingRun : TrainingHooks<Tensor>
{
    private readonly AutoencoderModule network;
    private readonly ReconstructionLoss loss;
    private readonly TrainingOptions options;
    private readonly TrainingData data;
    private readonly FeatureScaling? scaling;
    private readonly TrainingPlan plan;
    private readonly bool continuing;
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

    /// <inheritdoc/>
    public override string Monitored => data.Validation != null ? "validation" : "training";

    /// <summary>Trains every epoch of the plan (or until early stopping) and returns the history; the best weights are kept when early stopping is on.</summary>
    public TrainingHistory Run(IChannel channel, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var loop = new TrainingLoop<Tensor>(
            network, this, LoopSettings.From(options, plan, new[] { new ParameterGroup(network.parameters().ToArray()) }) with { Attempt = Attempt });
        network.TrainingAugmentation = options.Augmentation; // cleared when the run ends; a failed run's network is disposed
        var history = loop.Run(line => channel.Info(MessageSensitivity.None, line), progress, cancellationToken);
        network.TrainingAugmentation = null;
        KeptLoss = loop.KeptLoss;
        return history;
    }

    /// <inheritdoc/>
    public override RunIdentity Identity() => new(
        network.Spec.ToJson(), loss.ToString(), TrainingCheckpoint.Fingerprint(options), continuing,
        data.Training.RowCount, data.Validation?.RowCount ?? 0, data.Columns.Select(c => c.Width).ToArray())
    {
        Notes = options.PrecisionChoice is string choice
            ? new Dictionary<string, string> { ["precision"] = $"{choice} Give the checkpoint's precision explicitly to resume it" }
            : null,
    };

    /// <inheritdoc/>
    /// <remarks>Batches are prepared on a background thread while the previous step runs (same order, same numbers).</remarks>
    public override IEnumerable<Tensor> Batches(int epoch, Random shuffle) =>
        data.Training.TrainingBatches(options.BatchSize, shuffle);

    /// <inheritdoc/>
    public override (LossBreakdown Loss, long Rows) Loss(Tensor batch, BatchPosition position, torch.Generator noise)
    {
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
        // The run owns the gradients and its loss is this one term, so a network that can may write them itself.
        var breakdown = network.LossWithGradients(input, target, loss)
            ?? network.Loss(input, target, loss, plan.Progress(position.Epoch, position.Batch, continuing));
        return (breakdown, batch.shape[0]);
    }

    /// <summary>Mean loss over the validation rows in evaluation mode, on clean input, with the full loss weights.</summary>
    public override double? Validate()
    {
        if (data.Validation is not { } rows)
        {
            return null;
        }

        network.eval();
        using var noGrad = torch.no_grad();
        var full = new TrainingProgress(plan.Epochs, plan.Epochs, 1.0);
        double sum = 0;
        long count = 0;
        foreach (var batch in rows.TrainingBatches(options.BatchSize, shuffle: null))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            var (input, target) = OnDevice(Scale(Split(batch)));
            sum += network.Loss(input, target, loss, full).Total.ToDouble() * batch.shape[0];
            count += batch.shape[0];
        }

        return sum / count;
    }

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
}
