// The few-label benchmark: MNIST, 100, 300, 1,000 and 3,000 labeled training images (drawn once, seed 0,
// class-balanced, see FewLabels), the other training images unlabeled, the 10,000 test images only for the final figures.
//   dotnet run --project examples/Pretraining -c Release -- benchmark [--pretrained DIR] [--labels 100,1000] [--choose] [--out DIR]
// (a) L-BFGS on raw pixels, (b) on PCA-32, (c) on the frozen autoencoder's codes, (d) the same network trained from
// scratch on the labeled rows only, (e) the pretrained network fine-tuned. Every setting of (e) is chosen on a held-out
// fifth of the 1,000 labeled rows (--held-out-only, --choose); no test label takes part in any choice.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Data;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

internal static class FineTuningBenchmark
{
    /// <summary>The <c>benchmark</c> subcommand.</summary>
    public static Command Command()
    {
        var pretrainedOption = new Option<DirectoryInfo>("--pretrained")
        {
            Description = "Cached pretrained model folder; trained (convolutional, 4 epochs on the 60,000 training images without labels) and saved there if missing.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "pretraining", "pretrained")),
        };
        var architectureOption = new Option<string>("--architecture") { Description = "Pretrained network when none is cached: dense (784-512-256-64) or conv (16,32 filters, 256, 64).", DefaultValueFactory = _ => "dense" };
        var stepsOption = new Option<int>("--steps") { Description = "Fine-tuning steps of every layer.", DefaultValueFactory = _ => FineTuningOptions.Defaults.Steps };
        var pseudoOption = new Option<double>("--pseudo-weight") { Description = "FineTuningOptions.PseudoLabelWeight of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.PseudoLabelWeight };
        var thresholdOption = new Option<double>("--threshold") { Description = "FineTuningOptions.PseudoLabelThreshold of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.PseudoLabelThreshold };
        var maskingOption = new Option<float>("--masking") { Description = "FineTuningOptions.PseudoLabelMasking of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.PseudoLabelMasking };
        var reconstructionOption = new Option<double>("--reconstruction") { Description = "FineTuningOptions.ReconstructionWeight of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.ReconstructionWeight };
        var ratioOption = new Option<double>("--encoder-ratio") { Description = "FineTuningOptions.EncoderLearningRateRatio of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.EncoderLearningRateRatio };
        var unlabeledBatchOption = new Option<int>("--unlabeled-batch") { Description = "FineTuningOptions.UnlabeledBatchSize of (e).", DefaultValueFactory = _ => FineTuningOptions.Defaults.UnlabeledBatchSize };
        var rotationOption = new Option<double>("--rotation") { Description = "FineTuningOptions.MaxRotation of (d) and (e), degrees.", DefaultValueFactory = _ => FineTuningOptions.Defaults.MaxRotation };
        var heldOutOption = new Option<bool>("--held-out-only") { Description = "Only train (e) on four fifths of the 1,000 labeled rows and print its accuracy on the other fifth (for choosing settings; no test image is read)." };
        var labelsOption = new Option<string>("--labels") { Description = "Comma-separated numbers of labeled rows (multiples of 10).", DefaultValueFactory = _ => "100,300,1000,3000" };
        var chooseOption = new Option<bool>("--choose") { Description = "Compare the candidate schedules on a held-out fifth of the 1,000 labeled rows first (otherwise the default schedule is used)." };
        var outOption = new Option<DirectoryInfo>("--out") { DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "pretraining")) };
        var command = new Command("benchmark", "The (a)-(e) table on 100 to 3,000 MNIST labels and accuracy-vs-labels.png.")
        {
            pretrainedOption, architectureOption, stepsOption, pseudoOption, thresholdOption, maskingOption, reconstructionOption, ratioOption, unlabeledBatchOption, rotationOption, heldOutOption, labelsOption, chooseOption, outOption,
        };
        command.SetAction(parse => Run(
            parse.GetValue(pretrainedOption)!,
            parse.GetValue(architectureOption)!,
            new FineTuningOptions
            {
                Steps = parse.GetValue(stepsOption), PseudoLabelWeight = parse.GetValue(pseudoOption), PseudoLabelThreshold = parse.GetValue(thresholdOption),
                PseudoLabelMasking = parse.GetValue(maskingOption), ReconstructionWeight = parse.GetValue(reconstructionOption), EncoderLearningRateRatio = parse.GetValue(ratioOption),
                UnlabeledBatchSize = parse.GetValue(unlabeledBatchOption), MaxRotation = parse.GetValue(rotationOption), ImageShape = new ImageShape(1, 28, 28),
            },
            parse.GetValue(labelsOption)!.Split(',').Select(int.Parse).ToArray(),
            parse.GetValue(chooseOption),
            parse.GetValue(heldOutOption),
            parse.GetValue(outOption)!));
        return command;
    }

    /// <summary>Runs the benchmark (see the file header).</summary>
    public static int Run(DirectoryInfo pretrainedFolder, string architecture, FineTuningOptions schedule, int[] labelCounts, bool choose, bool heldOutOnly, DirectoryInfo output)
    {
        Directory.CreateDirectory(output.FullName);
        var ml = new MLContext(seed: 0);
        string data = BundledMnist.Folder;
        var trainView = ml.Data.LoadFromIdx(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"), scale: 1f / 255);
        var testView = ml.Data.LoadFromIdx(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), scale: 1f / 255);
        var images = trainView.GetColumn<float[]>("Features").ToArray();
        var labels = trainView.GetColumn<float>("Label").ToArray();

        var draw = new FewLabels(labels);
        IDataView Unlabeled(int n) => FewLabels.Rows(ml, draw.Unlabeled(n), images, labels);
        var unlabeled = Unlabeled(1000);

        var clock = Stopwatch.StartNew();
        using var pretrained = Pretrained(ml, pretrainedFolder, architecture, trainView);
        Console.WriteLine($"pretrained model: {pretrained.Spec} ({pretrained.Kind}), loaded or trained in {clock.Elapsed.TotalSeconds:F0} s");
        var pca = PrincipalComponents.Fit(trainView, 32);

        // The schedule of (e): candidates compared on a held-out fifth of the 1,000 labeled rows (trained on the others).
        var schedules = new (string Name, FineTuningOptions Options)[]
        {
            ("the given schedule", schedule),
            ("without pseudo-labels", With(schedule, o => o.PseudoLabelWeight = 0)),
            schedule.ReconstructionWeight > 0
                ? ("without the reconstruction regulariser", With(schedule, o => o.ReconstructionWeight = 0))
                : ("with the reconstruction regulariser (weight 1)", With(schedule, o => o.ReconstructionWeight = 1)),
        };
        var fit = draw.Labeled(1000).Where((_, i) => i % 5 != 0).ToArray();
        var held = draw.Labeled(1000).Where((_, i) => i % 5 == 0).ToArray();
        double bestHeld = -1;
        var chosen = schedules[0];
        foreach (var candidate in choose || heldOutOnly ? schedules.Take(heldOutOnly ? 1 : schedules.Length) : Array.Empty<(string Name, FineTuningOptions Options)>())
        {
            var timer = Stopwatch.StartNew();
            var metrics = Evaluated(ml, pretrained, FewLabels.Rows(ml, fit, images, labels), unlabeled, FewLabels.Rows(ml, held, images, labels), candidate.Options, fromScratch: false);
            Console.WriteLine($"held-out: {candidate.Name} ({Describe(candidate.Options)}): {metrics.MicroAccuracy:P2}, log-loss {metrics.LogLoss:F4} on {held.Length} held-out labeled rows ({timer.Elapsed.TotalSeconds:F0} s)");
            // Accuracy first; the log-loss breaks ties (200 rows give accuracy in steps of 0.5%).
            double score = metrics.MicroAccuracy - (metrics.LogLoss * 1e-3);
            if (score > bestHeld)
            {
                bestHeld = score;
                chosen = candidate;
            }
        }

        if (heldOutOnly)
        {
            return 0;
        }

        Console.WriteLine(choose ? $"chosen on held-out labeled rows: {chosen.Name} ({Describe(chosen.Options)})" : $"schedule (not compared in this run; --choose compares): {Describe(chosen.Options)}");
        Console.WriteLine();
        Console.WriteLine("| labels | (a) L-BFGS, raw pixels | (b) L-BFGS, PCA-32 | (c) L-BFGS, frozen AE codes | (d) same network from scratch | (e) fine-tuned pretrained network | (e) − (d) | (f) from scratch with (e)'s pseudo-labels | (e) − (f) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var counts = labelCounts.Distinct().Order().ToArray();
        var curves = new[] { "(a) L-BFGS, raw pixels", "(b) L-BFGS, PCA-32", "(c) L-BFGS, frozen AE codes", "(d) same network from scratch", "(e) fine-tuned pretrained network", "(f) from scratch with pseudo-labels" }
            .Select(name => (Method: name, Accuracy: new double[counts.Length])).ToArray();
        foreach (int n in counts)
        {
            var few = FewLabels.Rows(ml, draw.Labeled(n), images, labels);
            var a = Timed(() => Lbfgs(ml, few, testView, "Features"));
            var b = Timed(() => Lbfgs(ml, Project(ml, pca, few), Project(ml, pca, testView), "Code"));
            var c = Timed(() =>
            {
                using var encode = ml.Transforms.ApplyAutoencoder(pretrained, new AutoencoderColumns { LatentColumnName = "Code" }).Fit(few);
                return Lbfgs(ml, ml.Data.Cache(encode.Transform(few)), encode.Transform(testView), "Code");
            });
            // (d): the labeled rows alone, every layer at one rate from the first step; (f): the same plus (e)'s pseudo-labels
            // on the unlabeled rows, so that (e) − (f) is what the pretrained weights alone are worth.
            var scratch = With(chosen.Options, o => (o.ReconstructionWeight, o.PseudoLabelWeight, o.HeadSteps, o.EncoderLearningRateRatio) = (0, 0, 0, 1));
            var d = Timed(() => FineTuned(ml, pretrained, few, null, testView, scratch, fromScratch: true));
            var e = Timed(() => FineTuned(ml, pretrained, few, Unlabeled(n), testView, chosen.Options, fromScratch: false));
            var f = Timed(() => FineTuned(ml, pretrained, few, Unlabeled(n), testView, With(scratch, o => o.PseudoLabelWeight = chosen.Options.PseudoLabelWeight), fromScratch: true));
            int point = Array.IndexOf(counts, n);
            foreach (var (curve, result) in curves.Zip(new[] { a, b, c, d, e, f }))
            {
                curve.Accuracy[point] = result.Accuracy;
            }

            Console.WriteLine(
                $"| {n:N0} | {a.Accuracy:P2} ({a.Seconds:F0} s) | {b.Accuracy:P2} ({b.Seconds:F0} s) | {c.Accuracy:P2} ({c.Seconds:F0} s) | " +
                $"{d.Accuracy:P2} ({d.Seconds:F0} s) | {e.Accuracy:P2} ({e.Seconds:F0} s) | {(e.Accuracy - d.Accuracy) * 100:+0.00;-0.00} points | " +
                $"{f.Accuracy:P2} ({f.Seconds:F0} s) | {(e.Accuracy - f.Accuracy) * 100:+0.00;-0.00} points |");
        }

        if (counts.Length > 0)
        {
            string picture = Path.Combine(output.FullName, "accuracy-vs-labels.png");
            AccuracyPlot.Save(picture, counts, curves);
            Console.WriteLine($"wrote {picture}");
        }

        return 0;
    }

    private static FineTuningOptions With(FineTuningOptions options, Action<FineTuningOptions> change)
    {
        var copy = options.Clone();
        change(copy);
        return copy;
    }

    private static string Describe(FineTuningOptions o) =>
        $"{o.HeadSteps} head steps + {o.Steps} steps, encoder rate ×{o.EncoderLearningRateRatio}, reconstruction ×{o.ReconstructionWeight}, " +
        $"pseudo-labels ×{o.PseudoLabelWeight} at ≥ {o.PseudoLabelThreshold} with {o.PseudoLabelMasking:P0} masking, dropout {o.Dropout}, shifts ±{o.MaxShift}, turns ±{o.MaxRotation}°, batch {o.BatchSize}+{o.UnlabeledBatchSize}";

    /// <summary>Trains (d) or (e) on <paramref name="labeled"/> and returns the accuracy on <paramref name="evaluation"/>.</summary>
    private static double FineTuned(MLContext ml, AutoencoderModel pretrained, IDataView labeled, IDataView? unlabeled, IDataView evaluation, FineTuningOptions schedule, bool fromScratch) =>
        Evaluated(ml, pretrained, labeled, unlabeled, evaluation, schedule, fromScratch).MicroAccuracy;

    /// <summary>Trains (d) or (e) on <paramref name="labeled"/> and returns ML.NET's metrics on <paramref name="evaluation"/>.</summary>
    private static MulticlassClassificationMetrics Evaluated(MLContext ml, AutoencoderModel pretrained, IDataView labeled, IDataView? unlabeled, IDataView evaluation, FineTuningOptions schedule, bool fromScratch)
    {
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(labeled);
        using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            Pretrained = pretrained, UnlabeledData = unlabeled, FineTuning = schedule, FromScratch = fromScratch, Seed = 0,
        }).Fit(keys.Transform(labeled));
        return ml.MulticlassClassification.Evaluate(classifier.Transform(keys.Transform(evaluation)));
    }

    private static AutoencoderModel Pretrained(MLContext ml, DirectoryInfo folder, string architecture, IDataView images)
    {
        if (File.Exists(Path.Combine(folder.FullName, "model.json")))
        {
            return AutoencoderModel.Load(folder.FullName);
        }

        var model = Pretrain(ml, images, architecture);
        model.Save(folder.FullName);
        return model;
    }

    /// <summary>The pretrained network of the benchmark, trained on <paramref name="images"/> without their labels (dense by default).</summary>
    public static AutoencoderModel Pretrain(MLContext ml, IDataView images, string architecture = "dense")
    {
        var (options, epochs) = architecture switch
        {
            "dense" => (new AutoencoderOptions { LatentSize = 64, HiddenSizes = new[] { 512, 256 } }, 20),
            "conv" => (new AutoencoderOptions
            {
                LatentSize = 64, HiddenSizes = new[] { 256 },
                Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 16, 32 } },
            }, 4),
            _ => throw new ArgumentException($"--architecture must be dense or conv; got '{architecture}'."),
        };
        return new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = epochs, ValidationFraction = 0, Seed = 0 }).Fit(images);
    }

    private static (double Accuracy, double Seconds) Timed(Func<double> run)
    {
        var clock = Stopwatch.StartNew();
        double accuracy = run();
        return (accuracy, clock.Elapsed.TotalSeconds);
    }

    /// <summary>ML.NET's L-BFGS logistic regression on standardised inputs, as in the frozen-code pipeline.</summary>
    private static double Lbfgs(MLContext ml, IDataView train, IDataView test, string features)
    {
        var pipeline = ml.Transforms.NormalizeMeanVariance("Input", features)
            .Append(ml.Transforms.Conversion.MapValueToKey("Key", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Key", "Input"));
        var model = pipeline.Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(test), "Key").MicroAccuracy;
    }

    private static IDataView Project(MLContext ml, PrincipalComponents pca, IDataView data) =>
        FewLabels.View(ml, data.GetColumn<float[]>("Features").Zip(data.GetColumn<float>("Label"), (f, l) => new FewLabels.Row { Features = pca.Project(f), Label = l }).ToList(), "Code", pca.ComponentCount);
}
