using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The one training loop (<see cref="TrainingLoop{TBatch}"/>) that every training of the library runs in, and
/// <see cref="TrainingOptions"/> in named groups with the flat names of earlier versions still working.
/// </summary>
public sealed class TrainingLoopTests
{
    [Fact]
    public void ALossThatBecomesNaNStopsTheLoopNamingTheEpochAndBatch()
    {
        using var network = Linear();
        var hooks = new LinearHooks(network) { NaNAt = new BatchPosition(2, 3) };
        var e = Assert.Throws<TrainingDivergedException>(() => Loop(network, hooks, Settings(network)).Run(_ => { }, null, CancellationToken.None));
        Assert.Equal(2, e.Epoch);
        Assert.Equal(3, e.Batch);
        Assert.True(double.IsNaN(e.Loss));
    }

    [Fact]
    public void GradientsAreClippedBeforeEveryStep()
    {
        // SGD at rate 1 without momentum moves the weights by exactly the (clipped) gradient.
        using var network = Linear();
        var before = Weights(network);
        var settings = Settings(network) with { Optimizer = OptimizerKind.Sgd, LearningRate = 1, Momentum = 0, GradientClipNorm = 1e-3, Plan = new TrainingPlan(1, 1, 1, false) };
        Loop(network, new LinearHooks(network) { BatchesPerEpoch = 1 }, settings).Run(_ => { }, null, CancellationToken.None);
        double moved = Math.Sqrt(before.Zip(Weights(network), (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.InRange(moved, 0.5e-3, 1e-3 + 1e-7);
    }

    [Fact]
    public void CancellingStopsBeforeTheNextStep()
    {
        using var network = Linear();
        using var cancel = new CancellationTokenSource();
        var hooks = new LinearHooks(network) { OnStep = position => { if (position.Batch == 2) { cancel.Cancel(); } } };
        Assert.Throws<OperationCanceledException>(() => Loop(network, hooks, Settings(network)).Run(_ => { }, null, cancel.Token));
        Assert.Equal(2, hooks.Steps);
    }

    [Fact]
    public void EachParameterGroupMovesAtItsShareOfTheRate()
    {
        using var network = new SplitModule();
        var frozenBefore = network.B.weight!.data<float>().ToArray();
        var movedBefore = network.A.weight!.data<float>().ToArray();
        var settings = Settings(network) with
        {
            Groups = new[] { new ParameterGroup(network.A.parameters().ToArray()), new ParameterGroup(network.B.parameters().ToArray(), RateFactor: 0) },
        };
        Loop(network, new LinearHooks(network), settings).Run(_ => { }, null, CancellationToken.None);
        Assert.Equal(frozenBefore, network.B.weight!.data<float>().ToArray());
        Assert.NotEqual(movedBefore, network.A.weight!.data<float>().ToArray());
    }

    [Fact]
    public void EveryEpochIsReportedToTheLogAndTheProgressAndTheSameSeedGivesTheSameWeights()
    {
        float[] Train(List<string> lines, List<EpochReport> reports)
        {
            torch.manual_seed(3);
            using var network = Linear();
            var history = Loop(network, new LinearHooks(network), Settings(network)).Run(lines.Add, new Progress(reports), CancellationToken.None);
            Assert.Equal(3, history.Epochs.Count);
            return Weights(network);
        }

        var (lines, reports) = (new List<string>(), new List<EpochReport>());
        var first = Train(lines, reports);
        Assert.Equal(3, lines.Count(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.Equal(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch));
        Assert.Equal(first, Train(new List<string>(), new List<EpochReport>()));
    }

    [Fact]
    public void TheMixturePretrainingIsCheckedForDivergenceInTheLoop()
    {
        // Rows of 1e30: the squared error overflows at the first step of the pretraining, which used to run on unchecked.
        var ml = new Microsoft.ML.MLContext(seed: 0);
        var rows = Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 8).Select(j => (i + j) % 2 == 0 ? 1e30f : -1e30f).ToArray()).ToArray();
        var options = new Autoencoders.ML.Kinds.Mixture.MixtureAutoencoderOptions { Clusters = 2, HiddenSizes = new[] { 8 }, LatentSize = 2, PretrainEpochs = 2 };
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 2, BatchSize = 16, CompareWithPca = false }).Fit(Vectors.ToDataView(ml, rows)));
        Assert.Equal((1, 1), (e.Epoch, e.Batch));
        Assert.Contains("MixtureInitialization", e.StackTrace);
    }

    [Fact]
    public void AnOldFlatModelJsonLoadsIntoTheGroups()
    {
        // Fixtures/format1/dense/model.json was written before the groups, with the flat names.
        using var model = AutoencoderModel.Load(Path.Combine(ModelFolderReliabilityTests.Fixtures(), "dense"));
        var training = model.Training;
        Assert.Equal(2, training.Budget.Epochs);
        Assert.Equal(0.2, training.Budget.ValidationFraction);
        Assert.Equal(256, training.DataPipeline.BatchSize);
        Assert.Equal(ScalingKind.MinMax, training.DataPipeline.Scaling);
        Assert.Equal(OptimizerKind.Adam, training.Optimization.Optimizer);
        Assert.Equal(1e-3, training.Optimization.LearningRate);
        Assert.Equal(0.9, training.Optimization.Momentum);
        Assert.Null(training.Optimization.Schedule);
        Assert.Equal(2147483648L, training.Execution.MaxInMemoryBytes);
        Assert.Equal(16_384, training.DataPipeline.StreamingShuffleWindow);
    }

    [Fact]
    public void TheFlatNamesAndTheModelFileFormatAreThoseOfEarlierVersions()
    {
        var options = new TrainingOptions
        {
            Epochs = 4, LearningRate = 3e-3, BatchSize = 64, Threads = 2, ReduceOnPlateau = new PlateauSchedule { Factor = 0.25 },
            Augmentation = new ImageAugmentation(new ImageShape(1, 4, 4), 1, 0),
        };
        Assert.Equal(4, options.Budget.Epochs);
        Assert.Equal(3e-3, options.Optimization.LearningRate);
        Assert.Equal(64, options.DataPipeline.BatchSize);
        Assert.Equal(2, options.Execution.Threads);
        Assert.IsType<PlateauSchedule>(options.Optimization.Schedule);
        Assert.Same(options.Augmentation, options.DataPipeline.Augmentation);

        string json = JsonSerializer.Serialize(options, AutoencoderSpec.JsonOptions);
        Assert.Contains("\"learningRate\": 0.003", json);
        Assert.Contains("\"reduceOnPlateau\": {", json);
        Assert.DoesNotContain("\"optimization\"", json);
        var read = JsonSerializer.Deserialize<TrainingOptions>(json, AutoencoderSpec.JsonOptions)!;
        Assert.Equal(0.25, Assert.IsType<PlateauSchedule>(read.Optimization.Schedule).Factor);
        Assert.Equal(4, read.Budget.Epochs);
        Assert.Equal(json, JsonSerializer.Serialize(read, AutoencoderSpec.JsonOptions));
    }

    [Fact]
    public void ACloneHasItsOwnGroups()
    {
        var options = new TrainingOptions { Optimization = { LearningRate = 2e-3 }, Budget = { Epochs = 3 } };
        var copy = options.Clone();
        copy.Optimization.LearningRate = 5e-3;
        copy.Budget.Epochs = 7;
        copy.DataPipeline.BatchSize = 8;
        copy.Execution.Threads = 1;
        Assert.Equal(2e-3, options.LearningRate);
        Assert.Equal(3, options.Epochs);
        Assert.Equal(TrainingOptions.Defaults.BatchSize, options.BatchSize);
        Assert.Null(options.Threads);
    }

    [Fact]
    public void TheOneScheduleIsCheckedAsTheOldPropertiesWere()
    {
        var cosine = Assert.Throws<ArgumentException>(() => new TrainingOptions { Optimization = { Schedule = new CosineSchedule() } }.Validate());
        Assert.Equal("CosineAnnealing", cosine.ParamName);
        var both = Assert.Throws<ArgumentException>(() => new TrainingOptions { Epochs = 2, ReduceOnPlateau = new PlateauSchedule(), CosineAnnealing = new CosineSchedule() }.Validate());
        Assert.Equal("CosineAnnealing", both.ParamName);
        new TrainingOptions { Epochs = 2, Optimization = { Schedule = new CosineSchedule() }, ReduceOnPlateau = null }.Validate();
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Optimization = { LearningRate = 20 } }.Validate());
        Assert.Equal("LearningRate", rate.ParamName);
    }

    [Fact]
    public void FineTuningSharesTheOptimizationGroup()
    {
        var fine = new FineTuningOptions { LearningRate = 2e-3 };
        Assert.Equal(2e-3, fine.Optimization.LearningRate);
        Assert.Equal(FineTuningOptions.Defaults.LearningRate, new FineTuningOptions().Optimization.LearningRate);
        var copy = fine.Clone();
        copy.Optimization.LearningRate = 1e-4;
        Assert.Equal(2e-3, fine.LearningRate);
        var schedule = Assert.Throws<ArgumentException>(() => new FineTuningOptions { Optimization = { Schedule = new PlateauSchedule() } }.Validate());
        Assert.Equal("Optimization", schedule.ParamName);
    }

    private static nn.Module<Tensor, Tensor> Linear() => nn.Linear(4, 1);

    private static float[] Weights(nn.Module network) => network.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    private static LoopSettings Settings(nn.Module network) => new()
    {
        Groups = new[] { new ParameterGroup(network.parameters().ToArray()) },
        Plan = new TrainingPlan(3, 4, 1e-2, false),
        LearningRate = 1e-2,
    };

    private static TrainingLoop<int> Loop(nn.Module network, TrainingHooks<int> hooks, LoopSettings settings) => new(network, hooks, settings);

    private sealed class Progress(List<EpochReport> reports) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => reports.Add(value);
    }

    private sealed class SplitModule : nn.Module<Tensor, Tensor>
    {
        public SplitModule()
            : base(nameof(SplitModule))
        {
            A = nn.Linear(4, 1);
            B = nn.Linear(4, 1);
            RegisterComponents();
        }

        public TorchSharp.Modules.Linear A { get; }

        public TorchSharp.Modules.Linear B { get; }

        public override Tensor forward(Tensor input) => A.forward(input) + B.forward(input);
    }

    /// <summary>Fits y = sum(x) on fixed random rows; a batch is a step number.</summary>
    private sealed class LinearHooks(nn.Module<Tensor, Tensor> network) : TrainingHooks<int>
    {
        public int BatchesPerEpoch { get; init; } = 4;

        public BatchPosition? NaNAt { get; init; }

        public Action<BatchPosition>? OnStep { get; init; }

        public int Steps { get; private set; }

        public override IEnumerable<int> Batches(int epoch, Random shuffle) => Enumerable.Range(1, BatchesPerEpoch);

        public override (LossBreakdown Loss, long Rows) Loss(int batch, BatchPosition position, Generator noise)
        {
            Steps++;
            OnStep?.Invoke(position);
            var x = torch.linspace(-1, 1, 32).reshape(8, 4) * batch;
            var loss = (network.forward(x).squeeze(1) - x.sum(1)).square().mean();
            if (position == NaNAt)
            {
                loss = loss * float.NaN;
            }

            return (new LossBreakdown(loss, new Dictionary<string, Tensor>()), 8);
        }
    }
}
