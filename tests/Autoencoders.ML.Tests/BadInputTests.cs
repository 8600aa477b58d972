using System;
using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Data;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Every bad input fails before training starts, with a message that names what is wrong.</summary>
public sealed class BadInputTests
{
    private readonly MLContext ml = new(seed: 0);

    private static AutoencoderOptions Small(ReconstructionLoss loss = ReconstructionLoss.MeanSquaredError) =>
        new() { HiddenSizes = new[] { 16 }, LatentSize = 4, Loss = loss };

    [Fact]
    public void ModelLevelApiRefusesNonFiniteRowsAsTheTransformsDo()
    {
        var rows = Mnist.Train(64);
        var quick = new TrainingOptions { Epochs = 1, BatchSize = 32, ValidationFraction = 0, CompareWithPca = false };
        using var plain = new AutoencoderTrainer(ml, Small(), quick).Fit(Vectors.ToDataView(ml, rows));
        using var variational = new AutoencoderTrainer(ml, new Kinds.Variational.VariationalAutoencoderOptions { HiddenSizes = new[] { 16 }, LatentSize = 4 }, quick)
            .Fit(Vectors.ToDataView(ml, rows));
        using var mixture = new AutoencoderTrainer(ml, new Kinds.Mixture.MixtureAutoencoderOptions { Clusters = 2, HiddenSizes = new[] { 16 }, LatentSize = 2, PretrainEpochs = 1 }, quick)
            .Fit(Vectors.ToDataView(ml, rows));
        var labeled = ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: 64);
        using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            Pretrained = plain, FineTuning = new FineTuningOptions { HeadSteps = 1, Steps = 1, BatchSize = 16, UnlabeledBatchSize = 16 }, Seed = 1,
        }).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(labeled).Transform(labeled));

        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var row = (float[])rows[0].Clone();
            row[123] = bad;
            var input = new[] { rows[1], row };
            var code = new float[4];
            code[2] = bad;
            var calls = new (string Name, Action Call)[]
            {
                ("Encode", () => plain.Encode(input)),
                ("Reconstruct", () => plain.Reconstruct(input)),
                ("Decode", () => plain.Decode(new[] { new float[4], code })),
                ("EncodeDistribution", () => variational.EncodeDistribution(input)),
                ("ClusterProbabilities", () => mixture.ClusterProbabilities(input)),
                ("PredictCluster", () => mixture.PredictCluster(input)),
                ("PredictProbabilities", () => classifier.Classifier.PredictProbabilities(input)),
            };
            foreach (var (name, call) in calls)
            {
                var e = Assert.Throws<ArgumentException>(call);
                Assert.True(e.Message.Contains("[1]' holds") && e.Message.Contains(name == "Decode" ? "index 2" : "index 123"), $"{name} with {bad}: {e.Message}");
            }
        }

        // Finite rows still work.
        Assert.Equal(2, mixture.PredictCluster(new[] { rows[0], rows[1] }).Length);
    }

    [Fact]
    public void MissingColumnIsNamedWithTheColumnsThatExist()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AutoencoderTrainer(ml, Small()).Fit(Mnist.TrainView(ml, 10), featureColumnName: "Pixels"));
        Assert.Contains("Could not find input column 'Pixels'", e.Message);
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void WrongTypeSaysWhatWasFoundAndWhatIsExpected()
    {
        var data = ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1f }, new ScalarRow { Features = 2f } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(ml, Small()).Fit(data));
        Assert.Contains("Schema mismatch for input column 'Features'", e.Message);
        Assert.Contains("expected known-size vector of Single, got Single", e.Message);

        var doubles = ml.Data.LoadFromEnumerable(new[] { new DoubleRow { Features = new double[] { 1, 2, 3 } } });
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(ml, Small()).Fit(doubles));
        Assert.Contains("got Vector<Double", e.Message);
    }

    [Fact]
    public void VariableLengthVectorsAreRejected()
    {
        var data = ml.Data.LoadFromEnumerable(new[] { new Vectors.Row { Features = new float[] { 1, 2, 3 } } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(ml, Small()).Fit(data));
        Assert.Contains("variable-length", e.Message);
    }

    [Fact]
    public void EmptyDataIsRejected()
    {
        var empty = Vectors.ToDataView(ml, Array.Empty<float[]>(), size: 784);
        var e = Assert.Throws<InvalidRowException>(() => new AutoencoderTrainer(ml, Small()).Fit(empty));
        Assert.Contains("no rows", e.Message);
        Assert.Equal("Features", e.Column);
        Assert.Null(e.Row);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteValueNamesTheRowAndNothingIsTrained(float bad)
    {
        float[][] rows = Mnist.Train(50);
        rows[37][100] = bad;
        var reports = new List<EpochReport>();
        var e = Assert.Throws<InvalidRowException>(() =>
            new AutoencoderTrainer(ml, Small()).Fit(Vectors.ToDataView(ml, rows), progress: new InlineProgress(reports.Add)));
        Assert.Contains("row 37", e.Message);
        Assert.Contains("value 100", e.Message);
        Assert.Contains("'Features'", e.Message);
        Assert.Empty(reports);
        Assert.Equal(("Features", 37L, 100), (e.Column, e.Row, e.ValueIndex));
        Assert.Equal("row 38", e.RowDescription);
        Assert.Equal("a finite number", e.Expected);
    }

    [Fact]
    public void BinaryCrossEntropyNeedsValuesInTheUnitInterval()
    {
        float[][] rows = Mnist.Train(20);
        rows[3][5] = 1.5f;
        var e = Assert.Throws<InvalidRowException>(() =>
            new AutoencoderTrainer(ml, Small(ReconstructionLoss.BinaryCrossEntropy)).Fit(Vectors.ToDataView(ml, rows)));
        Assert.Contains("row 3", e.Message);
        Assert.Contains("binary cross-entropy", e.Message);
        Assert.Contains("255", e.Message);
        Assert.Equal((3L, 5, "1.5"), (e.Row, e.ValueIndex, e.Actual));

        // The same data is fine for mean squared error.
        using var model = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 1 }).Fit(Vectors.ToDataView(ml, rows));
    }

    [Fact]
    public void LatentSizeMustBeSmallerThanTheInput()
    {
        var data = Vectors.ToDataView(ml, Enumerable.Range(0, 10).Select(i => new float[] { i, 1, 2, 3 }).ToArray());
        var e = Assert.Throws<ArgumentException>(() =>
            new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = Array.Empty<int>(), LatentSize = 4 }).Fit(data));
        Assert.Contains("LatentSize (4) must be smaller than the input size (4)", e.Message);
    }

    public static IEnumerable<object[]> NonPositiveOptions() => new[]
    {
        new object[] { "Epochs", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { Epochs = 0 })) },
        new object[] { "BatchSize", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { BatchSize = -1 })) },
        new object[] { "LearningRate", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { LearningRate = 0 })) },
        new object[] { "LearningRate", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { LearningRate = double.NaN })) },
        new object[] { "LatentSize", (Action)(() => new AutoencoderTrainer(new MLContext(), new AutoencoderOptions { LatentSize = 0 })) },
        new object[] { "HiddenSizes", (Action)(() => new AutoencoderTrainer(new MLContext(), new AutoencoderOptions { HiddenSizes = new[] { 128, 0 } })) },
        new object[] { "Dropout", (Action)(() => new AutoencoderTrainer(new MLContext(), new AutoencoderOptions { Dropout = 1f })) },
        new object[] { "ValidationFraction", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { ValidationFraction = 1 })) },
        new object[] { "EarlyStoppingPatience", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { EarlyStoppingPatience = 0 })) },
        new object[] { "Threads", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { Threads = 0 })) },
        new object[] { "LearningRate", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { LearningRate = 1e300 })) },
        new object[] { "LearningRate", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { LearningRate = 11 })) },
        new object[] { "WeightDecay", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { WeightDecay = 1e300 })) },
        new object[] { "GradientClipNorm", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { GradientClipNorm = double.PositiveInfinity })) },
        new object[] { "Epochs", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { Epochs = int.MaxValue })) },
        new object[] { "BatchSize", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { BatchSize = int.MaxValue })) },
        new object[] { "MaxEpochs", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { MaxEpochs = 0 })) },
        new object[] { "MaxSteps", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { MaxSteps = -5 })) },
        new object[] { "ValidationFraction", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { ValidationFraction = double.NaN })) },
        new object[] { "Factor", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { ReduceOnPlateau = new PlateauSchedule { Factor = 1 } })) },
        new object[] { "WarmupFraction", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { CosineAnnealing = new CosineSchedule { WarmupFraction = 1 } })) },
        new object[] { "MinLearningRate", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { CosineAnnealing = new CosineSchedule { MinLearningRate = 1 } })) },
        new object[] { "CosineAnnealing", (Action)(() => new AutoencoderTrainer(new MLContext(), null, new TrainingOptions { CosineAnnealing = new CosineSchedule(), ReduceOnPlateau = new PlateauSchedule() })) },
    };

    [Theory]
    [MemberData(nameof(NonPositiveOptions))]
    public void BadOptionsFailWhenTheTrainerIsCreated(string option, Action create)
    {
        var e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void ARowOfTheWrongSizeIsNamedWithBothSizes()
    {
        float[][] rows = Mnist.Train(20);
        rows[2] = rows[2][..400]; // a buggy IDataView: the schema says 784
        var e = Assert.Throws<InvalidRowException>(() =>
            new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 1 }).Fit(Vectors.ToDataView(ml, rows, size: 784)));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("400 values; expected 784", e.Message);
        Assert.Equal(("Features", 2L, "784 values", "400 values"), (e.Column, e.Row, e.Expected, e.Actual));
    }

    [Theory]
    [InlineData(0L)] // streamed
    [InlineData(TrainingOptions.Defaults.MaxInMemoryBytes)] // in memory
    public void ASplitThatLeavesOneSideEmptyFailsBeforeTrainingNamingTheOption(long maxInMemoryBytes)
    {
        var reports = new List<EpochReport>();
        foreach (var (rows, fraction) in new[] { (1, 0.9), (1, 0.1), (5, 0.01) })
        {
            var training = new TrainingOptions { Epochs = 1, ValidationFraction = fraction, MaxInMemoryBytes = maxInMemoryBytes };
            var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
                new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, rows), progress: new InlineProgress(reports.Add)));
            Assert.Equal("ValidationFraction", e.ParamName);
            Assert.Contains($"ValidationFraction = {fraction}", e.Message);
            Assert.Contains("both sides need at least one row", e.Message);
        }

        Assert.Empty(reports);
    }

    [Fact]
    public void StreamedSplitWithRowsOnBothSidesTrainsWithFiniteValidationLosses()
    {
        var training = new TrainingOptions { Epochs = 2, ValidationFraction = 0.5, MaxInMemoryBytes = 0 };
        using var model = new AutoencoderTrainer(ml, Small(), training).Fit(Mnist.TrainView(ml, 40));
        Assert.All(model.History.Epochs, r => Assert.True(double.IsFinite(r.ValidationLoss!.Value)));
    }

    [Fact]
    public void BinaryCrossEntropyWithIdentityOutputIsRejected()
    {
        var options = new AutoencoderOptions
        {
            Loss = ReconstructionLoss.BinaryCrossEntropy,
            OutputActivation = Architecture.OutputActivation.Identity,
        };
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(ml, options));
        Assert.Contains("OutputActivation.Sigmoid", e.Message);
    }

    [Fact]
    public void ValidationDataOfAnotherSizeIsRejected()
    {
        var validation = Vectors.ToDataView(ml, new[] { new float[10] });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AutoencoderTrainer(ml, Small()).Fit(Mnist.TrainView(ml, 10), validationData: validation));
        Assert.Contains("size 10", e.Message);
        Assert.Contains("size 784", e.Message);
    }

    private sealed class ScalarRow
    {
        public float Features { get; set; }
    }

    private sealed class DoubleRow
    {
        [VectorType(3)]
        public double[] Features { get; set; } = Array.Empty<double>();
    }

    private sealed class InlineProgress : IProgress<EpochReport>
    {
        private readonly Action<EpochReport> report;

        public InlineProgress(Action<EpochReport> report) => this.report = report;

        public void Report(EpochReport value) => report(value);
    }
}
