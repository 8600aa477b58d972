using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The fine-tuned classifier on MNIST slices: ML.NET evaluation, classifier.onnx parity, saved pipelines, errors.</summary>
public sealed class AutoencoderClassifierTests
{
    private static IDataView Labeled(MLContext ml, int rows, int skip = 0)
    {
        var all = ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: rows + skip);
        return skip == 0 ? all : ml.Data.SkipRows(all, skip);
    }

    private static AutoencoderModel Pretrain(MLContext ml, AutoencoderOptions options, int rows = 1000) =>
        new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 5, BatchSize = 64, Seed = 1, ValidationFraction = 0, CompareWithPca = false })
            .Fit(Labeled(ml, rows, skip: 2000));

    private static FineTuningOptions Quick => new() { HeadSteps = 20, Steps = 100, BatchSize = 32, UnlabeledBatchSize = 32, LearningRate = 3e-3, EncoderLearningRateRatio = 1, ReconstructionWeight = 1 };

    [Fact]
    public void DenseClassifierIsEvaluatedByMlNetAndBeatsChance()
    {
        var ml = new MLContext(seed: 0);
        using var pretrained = Pretrain(ml, new AutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 16 }, rows: 500);
        var train = Labeled(ml, 300);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
            {
                Pretrained = pretrained, UnlabeledData = Labeled(ml, 500, skip: 2000), FineTuning = Quick, Seed = 3,
            }));
        var model = pipeline.Fit(train);
        var scored = model.Transform(Labeled(ml, 300, skip: 500));
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.6, $"accuracy {metrics.MicroAccuracy}");

        var labelType = scored.Schema["Label"].Type;
        var predictedType = scored.Schema["PredictedLabel"].Type;
        Assert.True(labelType.Equals(predictedType), $"label {labelType}, predicted {predictedType}");
        // Same classes in the same order, as the label column's key values.
        Assert.Equal(KeyValuesAsText(scored.Schema["Label"]).Split(": ")[1], KeyValuesAsText(scored.Schema["PredictedLabel"]).Split(": ")[1]);
        Assert.Equal(10, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        var scores = scored.GetColumn<float[]>("Score").Take(20).ToArray();
        Assert.All(scores, s => Assert.InRange(s.Sum(), 0.999f, 1.001f));
        var predicted = scored.GetColumn<uint>("PredictedLabel").Take(20).ToArray();
        Assert.Equal(scores.Select(s => (uint)(Array.IndexOf(s, s.Max()) + 1)), predicted);
        (model as IDisposable)?.Dispose();
    }

    [Fact]
    public void ProgressReportsEveryPhaseAndOptionsTokenCancels()
    {
        var ml = new MLContext(seed: 0);
        var reports = new System.Collections.Generic.List<EpochReport>();
        var options = new AutoencoderClassifierTrainer.Options
        {
            Pretraining = (new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8 }, new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = 1, ValidationFraction = 0, CompareWithPca = false }),
            FineTuning = new FineTuningOptions { HeadSteps = 20, Steps = 120, BatchSize = 32 },
            Seed = 5,
            Progress = new Collect(reports),
        };
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Labeled(ml, 200)).Transform(Labeled(ml, 200));
        using (ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Train(train))
        {
        }

        // The pretraining's 2 epochs, then the head's and the fine-tuning's blocks of steps, each counted from 1, in order.
        Assert.Equal(new[] { "pretraining", "head", "fine-tuning" }, reports.Select(r => r.Phase).Distinct().ToArray());
        Assert.Equal(2, reports.Count(r => r.Phase == "pretraining"));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.TrainingLoss), r.ToString()));
        Assert.Equal(1, reports.First(r => r.Phase == "fine-tuning").Epoch);
        Assert.StartsWith("fine-tuning  epoch 1/", reports.First(r => r.Phase == "fine-tuning").ToString());

        // A cancelled token in the options stops Fit before the first step.
        using var cancelled = new System.Threading.CancellationTokenSource();
        cancelled.Cancel();
        using var pretrained = Pretrain(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8 }, rows: 200);
        var stopped = new AutoencoderClassifierTrainer.Options { Pretrained = pretrained, FineTuning = Quick, Seed = 5, CancellationToken = cancelled.Token };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(stopped).Fit(train));
    }

    [Fact]
    public void InterruptedFineTuningResumedFromItsCheckpointEqualsTheUninterruptedRun()
    {
        var ml = new MLContext(seed: 0);
        using var pretrained = Pretrain(ml, new AutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 16 }, rows: 300);
        var unlabeled = Labeled(ml, 200, skip: 2000); // 200 rows in batches of 64: passes end mid-checkpoint, so replay is tested
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Labeled(ml, 150)).Transform(Labeled(ml, 150));
        var test = Labeled(ml, 100, skip: 500);
        string folder = Path.Combine(Path.GetTempPath(), "ae-finetune-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            FineTuningOptions Fine() => new()
            {
                HeadSteps = 30, Steps = 400, BatchSize = 32, UnlabeledBatchSize = 64, ReconstructionWeight = 1, EncoderLearningRateRatio = 0.5,
            };
            AutoencoderClassifierTrainer.Options Options(FineTuningOptions fine) => new()
            {
                Pretrained = pretrained, UnlabeledData = unlabeled, FineTuning = fine, Seed = 11,
            };

            using var whole = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(Fine())).Train(train);

            string checkpoint = Path.Combine(folder, "fine.checkpoint.zip");
            var interrupted = Fine();
            interrupted.CheckpointEvery = 200;
            interrupted.CheckpointPath = checkpoint;
            using var stop = new System.Threading.CancellationTokenSource();
            var first = Options(interrupted);
            first.Progress = new CancelAtReport(stop, 3, "fine-tuning"); // the checkpoint after step 200 is written; step 301 is cancelled
            first.CancellationToken = stop.Token;
            Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(first).Train(train));
            Assert.True(File.Exists(checkpoint));

            var resumed = Fine();
            resumed.ResumeFrom = checkpoint;
            using var again = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(resumed)).Train(train);
            var rows = test.GetColumn<float[]>("Features").ToArray();
            Assert.Equal(whole.PredictProbabilities(rows).SelectMany(r => r), again.PredictProbabilities(rows).SelectMany(r => r));
            Assert.Equal(whole.TrainingLoss, again.TrainingLoss);

            // A checkpoint of another run (another seed) is refused, naming what differs.
            var other = Options(resumed);
            other.Seed = 12;
            var error = Assert.Throws<InvalidDataException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(other).Train(train));
            Assert.Contains("seed", error.Message, StringComparison.OrdinalIgnoreCase);

            // A step count that is not a multiple of the report block is refused before training.
            var odd = Fine();
            odd.CheckpointEvery = 150;
            odd.CheckpointPath = checkpoint;
            Assert.Throws<ArgumentOutOfRangeException>(() => odd.Validate());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Cancels after the fine-tuning phase's <c>after</c>-th report.</summary>
    private sealed class Collect(System.Collections.Generic.List<EpochReport> reports) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => reports.Add(value);
    }

    [Fact]
    public void PseudoLabelsOnUnlabeledRowsRaiseAccuracyWithFewLabels()
    {
        // 100 labeled images, 3,000 unlabeled: the same fine-tuning with and without FixMatch's pseudo-label term.
        var ml = new MLContext(seed: 0);
        using var pretrained = Pretrain(ml, new AutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = 32 }, rows: 3000);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Labeled(ml, 100));
        var train = keys.Transform(Labeled(ml, 100));
        var test = keys.Transform(Labeled(ml, 1000, skip: 5000));
        double Accuracy(double pseudoLabelWeight)
        {
            var fine = Quick;
            fine.Steps = 600;
            fine.PseudoLabelThreshold = 0.9;
            fine.UnlabeledBatchSize = 128;
            fine.ImageShape = new ImageShape(1, 28, 28);
            fine.PseudoLabelWeight = pseudoLabelWeight;
            using var transformer = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
            {
                Pretrained = pretrained, UnlabeledData = Labeled(ml, 3000, skip: 2000), FineTuning = fine, Seed = 4,
            }).Fit(train);
            return ml.MulticlassClassification.Evaluate(transformer.Transform(test)).MicroAccuracy;
        }

        double without = Accuracy(0), with = Accuracy(1);
        Assert.True(with > without + 0.02, $"accuracy with pseudo-labels {with:P2}, without {without:P2}");
    }

    [Fact]
    public void ConvolutionalClassifierOnnxMatchesTorchAndSavedPipelineLoadsBack()
    {
        var ml = new MLContext(seed: 0);
        var options = new AutoencoderOptions
        {
            LatentSize = 16, HiddenSizes = Array.Empty<int>(),
            Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 4, 8 } },
        };
        using var pretrained = Pretrain(ml, options, rows: 300);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Labeled(ml, 300));
        var train = keyed.Transform(Labeled(ml, 300));
        var trainer = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            Pretrained = pretrained, FineTuning = new FineTuningOptions { HeadSteps = 5, Steps = 20, BatchSize = 32, UnlabeledBatchSize = 16 }, Seed = 2,
        });
        using var transformer = trainer.Fit(train);
        var classifier = transformer.Classifier;

        // classifier.onnx: features -> probabilities, labels metadata, same values as TorchSharp.
        string dir = Path.Combine(Path.GetTempPath(), "aeml-classifier-" + Guid.NewGuid().ToString("N"));
        try
        {
            classifier.Save(dir);
            string onnx = Path.Combine(dir, ClassifierOnnx.FileName);
            using var session = new InferenceSession(onnx);
            Assert.Equal(new[] { "features" }, session.InputMetadata.Keys);
            Assert.Equal(new[] { "probabilities" }, session.OutputMetadata.Keys);
            VBuffer<float> keyValues = default;
            train.Schema["Label"].GetKeyValues(ref keyValues);
            Assert.Equal(string.Join(",", keyValues.DenseValues()), session.ModelMetadata.CustomMetadataMap["labels"]);
            var rows = Mnist.Test(64);
            var fromOnnx = OnnxCheck.Run(session, "features", rows)["probabilities"];
            var fromTorch = classifier.PredictProbabilities(rows);
            Assert.True(OnnxCheck.MaxAbsDifference(fromTorch, fromOnnx) < 1e-5);
            Assert.True(File.Exists(Path.Combine(dir, "model.json")));

            // The pipeline saves with mlContext.Model.Save and loads back with the same scores and predicted labels.
            var test = keyed.Transform(Labeled(ml, 100, skip: 1000));
            var chain = keyed.Append(transformer);
            string zip = Path.Combine(dir, "pipeline.zip");
            ml.Model.Save(chain, Labeled(ml, 1).Schema, zip);
            var loaded = ml.Model.Load(zip, out _);
            var before = chain.Transform(Labeled(ml, 100, skip: 1000));
            var after = loaded.Transform(Labeled(ml, 100, skip: 1000));
            var scoresBefore = before.GetColumn<float[]>("Score").ToArray();
            var scoresAfter = after.GetColumn<float[]>("Score").ToArray();
            Assert.True(OnnxCheck.MaxAbsDifference(scoresBefore, scoresAfter.SelectMany(s => s).ToArray()) < 1e-5);
            var metricsBefore = ml.MulticlassClassification.Evaluate(before);
            var metricsAfter = ml.MulticlassClassification.Evaluate(after);
            Assert.Equal(metricsBefore.MicroAccuracy, metricsAfter.MicroAccuracy);
            Assert.NotNull(test);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The key values of a key column as text, whatever their type.</summary>
    private static string KeyValuesAsText(DataViewSchema.Column column)
    {
        var type = ((VectorDataViewType)column.Annotations.Schema["KeyValues"].Type).ItemType.RawType;
        var method = typeof(AutoencoderClassifierTests).GetMethod(nameof(Read), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type);
        return $"{type.Name}: {method.Invoke(null, new object[] { column })}";
    }

    private static string Read<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return string.Join(",", values.DenseValues());
    }

    [Fact]
    public void BadLabelsFailBeforeTrainingWithClearErrors()
    {
        var ml = new MLContext(seed: 0);
        using var pretrained = Pretrain(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8 }, rows: 200);
        var options = new AutoencoderClassifierTrainer.Options { Pretrained = pretrained, FineTuning = Quick };

        // A label that is not a key.
        var raw = ml.MulticlassClassification.Trainers.AutoencoderClassifier(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => raw.Fit(Labeled(ml, 50)));
        Assert.True(error.Message.Contains("MapValueToKey", StringComparison.Ordinal), error.Message);

        // A missing label column.
        options.LabelColumnName = "Digit";
        error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(Labeled(ml, 50)));
        Assert.Contains("Could not find label column 'Digit'", error.Message);

        // One class only.
        options.LabelColumnName = "Label";
        var ones = ml.Data.FilterRowsByColumn(Labeled(ml, 300), "Label", 1, 2);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ones).Transform(ones);
        var single = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(keyed));
        Assert.Contains("one class only ('1')", single.Message);
    }
}
