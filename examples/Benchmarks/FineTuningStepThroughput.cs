using System;
using System.Linq;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

namespace Autoencoders.ML.Examples;

/// <summary>
/// The cost of a fine-tuning step with each objective on the same pretrained 784-512-128-32 encoder, 100 labeled and
/// 10,000 unlabeled MNIST rows, batch 64 + 128: the classifier objective with pseudo-labels, the Ladder without and with
/// them. Each is a whole <c>Train</c> of <c>steps</c> steps (setup included, no head phase), taken in turn.
/// </summary>
internal static class FineTuningStepThroughput
{
    /// <summary>Milliseconds per step of each objective (best of the repeats).</summary>
    public sealed record Result(int Steps, double ClassifierMs, double LadderMs, double LadderPseudoMs);

    public static Result Run(MLContext ml, IDataView train, int steps, int repeats)
    {
        using var pretrained = new AutoencoderTrainer(
            ml, new AutoencoderOptions(), new TrainingOptions { Epochs = 1, Seed = 0, ValidationFraction = 0, CompareWithPca = false })
            .Fit(ml.Data.TakeRows(train, 10_000));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.TakeRows(train, 100));
        var labeled = keys.Transform(ml.Data.TakeRows(train, 100));
        var unlabeled = ml.Data.TakeRows(ml.Data.SkipRows(train, 10_000), 10_000);

        Action Fit(Action<FineTuningOptions> set) => () =>
        {
            var fine = new FineTuningOptions { HeadSteps = 0, Steps = steps };
            set(fine);
            using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
            {
                Pretrained = pretrained, UnlabeledData = unlabeled, FineTuning = fine, Seed = 0,
            }).Train(labeled);
        };

        var stepsPerSecond = InTurn.Best(
            repeats,
            steps,
            Fit(_ => { }),
            Fit(o => (o.Ladder, o.PseudoLabelWeight) = (new FineTuningOptions.LadderOptions(), 0)),
            Fit(o => o.Ladder = new FineTuningOptions.LadderOptions()));
        var ms = stepsPerSecond.Select(s => 1000 / s).ToArray();
        Console.WriteLine($"  fine-tuning, ms per step: classifier + pseudo-labels {ms[0]:F2}, Ladder {ms[1]:F2}, Ladder + pseudo-labels {ms[2]:F2}");
        return new Result(steps, ms[0], ms[1], ms[2]);
    }
}
