using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Runtime;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Autoencoders.ML.Training;

/// <summary>
/// Trains an autoencoder on a column of an <see cref="IDataView"/> with TorchSharp: checks everything first, then runs
/// the loop zero_grad → forward → loss → backward → step with seeded shuffling, validation, early stopping,
/// reduce-on-plateau, progress reports and cancellation.
/// </summary>
public sealed class AutoencoderTrainer
{
    private readonly MLContext mlContext;

    /// <summary>Creates a trainer; the options are validated here and again when training starts.</summary>
    /// <param name="mlContext">The ML.NET context; training progress goes to its log.</param>
    /// <param name="model">Architecture hyperparameters (default: one hidden layer of 256, 32-d code).</param>
    /// <param name="training">Training hyperparameters (default: Adam, 10 epochs, batch 256).</param>
    public AutoencoderTrainer(MLContext mlContext, AutoencoderOptions? model = null, TrainingOptions? training = null)
    {
        this.mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        ModelOptions = model ?? new AutoencoderOptions();
        TrainingOptions = training ?? new TrainingOptions();
        ModelOptions.Validate();
        TrainingOptions.Validate();
        CheckScaling(ModelOptions, TrainingOptions);
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
    /// <exception cref="InvalidOperationException">Empty data, a NaN/∞ value or a value out of the loss's range (the row is named).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public AutoencoderModel Fit(
        IDataView data,
        string featureColumnName = IdxDataLoader.DefaultFeatureColumn,
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
        var spec = ModelOptions.BuildSpec(width, targetWidth);
        return FitCore(ModelOptions, spec, null, data, featureColumnName, targetColumnName, validationData, progress, cancellationToken);
    }

    /// <summary>
    /// Continues training <paramref name="model"/> (for example one loaded with <see cref="AutoencoderModel.Load"/>) with
    /// this trainer's <see cref="TrainingOptions"/>; the architecture and loss are the model's own. Returns a new model
    /// and leaves <paramref name="model"/> unchanged. The optimizer starts afresh (its state is not saved); a VAE
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
        string featureColumnName = IdxDataLoader.DefaultFeatureColumn,
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

    private static void CheckSize(IDataView data, string column, string role, int expected)
    {
        int width = FeatureColumn.GetVectorSize(data.Schema, column, role);
        if (width != expected)
        {
            throw new ArgumentOutOfRangeException(
                nameof(data),
                $"Schema mismatch for {role} column '{column}': expected vector of Single of size {expected} (the model's size), got size {width}.");
        }
    }

    private AutoencoderModel FitCore(
        AutoencoderOptions model, AutoencoderSpec spec, AutoencoderModule? initial, IDataView data, string featureColumnName,
        string? targetColumnName, IDataView? validationData, IProgress<EpochReport>? progress, CancellationToken cancellationToken,
        FeatureScaling? initialScaling = null)
    {
        var options = TrainingOptions.Clone();
        TorchRuntime.EnsureInitialized();
        if (options.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        CheckScaling(model, options);

        // The loss constrains the target (the input itself unless a target column is given); every value must be finite.
        // Min-max scaling brings the training targets into [0, 1] itself.
        var targetRange = model.Loss == ReconstructionLoss.BinaryCrossEntropy && options.Scaling == ScalingKind.None
            ? ValueRange.UnitInterval("binary cross-entropy")
            : ValueRange.Finite;
        var columns = new List<RowColumn> { new(featureColumnName, "input", spec.InputSize, targetColumnName == null ? targetRange : ValueRange.Finite) };
        if (targetColumnName != null)
        {
            columns.Add(new RowColumn(targetColumnName, "target", spec.OutputSize, targetRange));
        }

        var host = (Environment ?? mlContext).Register("Autoencoders.ML");
        using var channel = host.Start("Train");
        using var trainingData = TrainingData.Load(
            data, columns, validationData, options.ValidationFraction, options.Seed, options.MaxInMemoryBytes, options.StreamingShuffleWindow);
        // Continuing keeps the scaling the weights were trained with.
        var scaling = initialScaling ?? (options.Scaling == ScalingKind.None
            ? null
            : FeatureScaling.Fit(options.Scaling, trainingData.Training, spec.InputSize, spec.OutputSize, paired: targetColumnName != null));
        torch.manual_seed(options.Seed);
        var network = ModelKinds.CreateNetwork(spec, model);
        Log(
            channel,
            $"Training {spec} ({network.parameters().Sum(p => p.numel()):N0} parameters) on {trainingData.Training.RowCount:N0} rows " +
            $"({(trainingData.InMemory ? "in memory" : "streamed")}), validation rows: {trainingData.Validation?.RowCount ?? 0:N0}" +
            (options.Corruption != null ? ", corrupted input (denoising)" : string.Empty) +
            (targetColumnName != null ? $", target column '{targetColumnName}'" : string.Empty) +
            (initial != null ? ", starting from the given model's weights." : "."));
        try
        {
            if (initial != null)
            {
                Restore(network, initial.state_dict());
            }

            var history = Train(network, model, options, trainingData, scaling, channel, progress, cancellationToken, continuing: initial != null);
            return new AutoencoderModel(network, model, options, history, scaling);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static TrainingHistory Train(
        AutoencoderModule network, AutoencoderOptions model, TrainingOptions options, TrainingData data, FeatureScaling? scaling,
        IChannel channel, IProgress<EpochReport>? progress, CancellationToken cancellationToken, bool continuing)
    {
        using var optimizer = CreateOptimizer(network, options);
        using var noise = new torch.Generator((ulong)options.Seed + 0x5EED);
        var reports = new List<EpochReport>();
        var shuffle = new Random(options.Seed);
        string monitored = data.Validation != null ? "validation" : "training";
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        double plateauBest = double.PositiveInfinity;
        int plateauWait = 0;
        double learningRate = options.LearningRate;
        long batchesPerEpoch = Math.Max(1, (data.Training.RowCount + options.BatchSize - 1) / options.BatchSize);
        Dictionary<string, Tensor>? bestWeights = null;
        bool stoppedEarly = false;
        var clock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                network.train();
                var partSums = new Dictionary<string, double>();
                double lossSum = 0;
                long rows = 0;
                int batchIndex = 0;
                foreach (var batch in data.Training.Batches(options.BatchSize, shuffle))
                {
                    using var owned = batch;
                    using var scope = torch.NewDisposeScope();
                    cancellationToken.ThrowIfCancellationRequested();
                    batchIndex++;
                    var (input, target) = Split(batch, data.Columns);
                    if (options.Corruption != null)
                    {
                        // Noise and clipping are in the data's units, before scaling.
                        input = options.Corruption.Apply(input, noise);
                    }

                    (input, target) = Scale(scaling, input, target);

                    optimizer.zero_grad();
                    if (options.CosineAnnealing is CosineSchedule cosine)
                    {
                        // The rate for this batch: where the batch starts in the run.
                        learningRate = cosine.RateAt(options.LearningRate, ((epoch - 1) + ((double)(batchIndex - 1) / batchesPerEpoch)) / options.Epochs);
                        SetLearningRate(optimizer, learningRate);
                    }

                    // How far the run has gone, for the KL warm-up; a continued run is past its warm-up.
                    var fraction = continuing ? 1.0 : ((epoch - 1) + ((double)batchIndex / batchesPerEpoch)) / options.Epochs;
                    var loss = network.Loss(input, target, model.Loss, new TrainingProgress(epoch, options.Epochs, fraction));
                    double value = loss.Total.ToDouble();
                    if (!double.IsFinite(value))
                    {
                        throw new TrainingDivergedException(epoch, batchIndex, value, learningRate);
                    }

                    loss.Total.backward();
                    if (options.GradientClipNorm is double clip)
                    {
                        nn.utils.clip_grad_norm_(network.parameters(), clip);
                    }

                    optimizer.step();
                    long n = batch.shape[0];
                    lossSum += value * n;
                    foreach (var (name, part) in loss.Parts)
                    {
                        partSums[name] = partSums.GetValueOrDefault(name) + (part.ToDouble() * n);
                    }

                    rows += n;
                }

                NativeMemory.Trim();
                double trainingLoss = lossSum / rows;
                double? validationLoss = data.Validation == null ? null : Evaluate(network, model, data.Validation, data.Columns, options, scaling);
                double current = validationLoss ?? trainingLoss;
                bool isBest = current < best;
                if (isBest)
                {
                    best = current;
                    bestEpoch = epoch;
                    if (options.EarlyStoppingPatience != null)
                    {
                        Release(bestWeights);
                        bestWeights = Snapshot(network);
                    }
                }

                var report = new EpochReport(
                    epoch, options.Epochs, trainingLoss,
                    partSums.ToDictionary(p => p.Key, p => p.Value / rows),
                    validationLoss, learningRate, clock.Elapsed, rows / epochClock.Elapsed.TotalSeconds, isBest);
                reports.Add(report);
                Log(channel, report.ToString());
                progress?.Report(report);

                if (options.ReduceOnPlateau is PlateauSchedule plateau)
                {
                    if (current < plateauBest * (1 - plateau.Threshold))
                    {
                        plateauBest = current;
                        plateauWait = 0;
                    }
                    else if (++plateauWait > plateau.Patience && learningRate > plateau.MinLearningRate)
                    {
                        learningRate = Math.Max(plateau.MinLearningRate, learningRate * plateau.Factor);
                        SetLearningRate(optimizer, learningRate);
                        plateauWait = 0;
                        Log(channel, $"Loss has not improved for {plateau.Patience} epochs: learning rate reduced to {learningRate:G3}.");
                    }
                }

                if (options.EarlyStoppingPatience is int patience && epoch - bestEpoch >= patience && epoch < options.Epochs)
                {
                    stoppedEarly = true;
                    Log(channel, $"Early stopping at epoch {epoch}: no {monitored} improvement since epoch {bestEpoch}.");
                    break;
                }
            }

            if (bestWeights != null)
            {
                Restore(network, bestWeights);
            }
        }
        finally
        {
            Release(bestWeights);
        }

        network.eval();
        return new TrainingHistory(reports, bestEpoch, stoppedEarly, monitored);
    }

    private static (Tensor Input, Tensor Target) Scale(FeatureScaling? scaling, (Tensor Input, Tensor Target) pair) =>
        Scale(scaling, pair.Input, pair.Target);

    private static (Tensor Input, Tensor Target) Scale(FeatureScaling? scaling, Tensor input, Tensor target) =>
        scaling == null ? (input, target) : (scaling.ScaleInput(input), scaling.ScaleTarget(target));

    private static void CheckScaling(AutoencoderOptions model, TrainingOptions options)
    {
        if (options.Scaling == ScalingKind.Standard && model.Loss == ReconstructionLoss.BinaryCrossEntropy)
        {
            throw new ArgumentException(
                "Standard scaling gives values outside [0, 1], which binary cross-entropy cannot compare. Use ScalingKind.MinMax or ReconstructionLoss.MeanSquaredError.",
                nameof(options));
        }

        if (options.Scaling != ScalingKind.None && model is VariationalAutoencoderOptions)
        {
            throw new ArgumentException(
                "A variational autoencoder's likelihoods are defined on the data as given; scale the data yourself and use ScalingKind.None.",
                nameof(options));
        }
    }

    /// <summary>The input and the target of a batch whose row holds the input then, for paired training, the target.</summary>
    private static (Tensor Input, Tensor Target) Split(Tensor batch, IReadOnlyList<RowColumn> columns)
    {
        if (columns.Count == 1)
        {
            return (batch, batch);
        }

        return (batch.narrow(1, 0, columns[0].Width), batch.narrow(1, columns[0].Width, columns[1].Width));
    }

    /// <summary>Mean loss over <paramref name="rows"/> in evaluation mode, on clean input.</summary>
    private static double Evaluate(
        AutoencoderModule network, AutoencoderOptions model, RowSource rows, IReadOnlyList<RowColumn> columns, TrainingOptions options, FeatureScaling? scaling)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        double sum = 0;
        long count = 0;
        var progress = new TrainingProgress(options.Epochs, options.Epochs, 1.0);
        foreach (var batch in rows.Batches(options.BatchSize, shuffle: null))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            var (input, target) = Scale(scaling, Split(batch, columns));
            sum += network.Loss(input, target, model.Loss, progress).Total.ToDouble() * batch.shape[0];
            count += batch.shape[0];
        }

        return sum / count;
    }

    private static void Log(IChannel channel, string message) =>
        channel.Info(MessageSensitivity.None, message);

    private static optim.Optimizer CreateOptimizer(AutoencoderModule network, TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(network.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.AdamW => optim.AdamW(network.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(network.parameters(), options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };

    private static void SetLearningRate(optim.Optimizer optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module network)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var copy = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        foreach (var tensor in copy.Values)
        {
            // Survives this scope; Release disposes it.
            tensor.DetachFromDisposeScope();
        }

        return copy;
    }

    private static void Restore(nn.Module network, IDictionary<string, Tensor> weights)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, value) in network.state_dict())
        {
            value.copy_(weights[name]);
        }
    }

    private static void Release(Dictionary<string, Tensor>? weights)
    {
        if (weights == null)
        {
            return;
        }

        foreach (var tensor in weights.Values)
        {
            tensor.Dispose();
        }

        weights.Clear();
    }
}
