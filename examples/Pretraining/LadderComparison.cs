// The Ladder objective against the same network without it, on a small set (few labels per class):
//   dotnet run --project examples/Pretraining -c Release -- ladder --csv ../shared/datasets/digits/digits.csv [--per-class 10] [--seeds 1,2,3]
//   dotnet run --project examples/Pretraining -c Release -- ladder --csv ../shared/datasets/anomaly/spambase.csv --standardize
//   dotnet run --project examples/Pretraining -c Release -- ladder --mnist --per-class 10 --pretrain-epochs 5 --steps 1000 --seeds 1 --variants ladder-pseudo
//   dotnet run --project examples/Pretraining -c Release -- ladder --mnist --per-class 10 --image --seeds 1,2,3 \
//       --variants ladder-pseudo,ladder,ladder-no-decoder-pseudo,ladder-no-decoder,classifier-labels,classifier-unlabeled     (the 2×2, docs/classification.md)
// A CSV's last column is the class. The rows are split once (seed 0): 30% test, the rest the pool; each seed draws
// --per-class labeled rows of every class from the pool, the rest of the pool is unlabeled. The autoencoder is pretrained
// once on the pool's features (library defaults). --held-out scores on the pool's unlabeled rows instead of the test
// rows (for choosing settings: no test label is read); with --mnist it takes training rows 0-49,999 as the pool and
// scores on training rows 50,000-59,999 (the test images are not read), and prints the labeled rows' indices (for
// ladder_reference.py --labeled-file). --image shifts and turns the labeled rows (and the pseudo-labels' perturbed copies)
// as square one-channel images, as finetune does for IDX images; without it the run is permutation-invariant.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

internal static class LadderComparison
{
    /// <summary>The variants, by name: objective, unlabeled rows, pseudo-labels, denoising costs.</summary>
    private static readonly (string Name, string Description, bool Unlabeled, Action<FineTuningOptions> Set)[] Variants =
    {
        ("classifier-labels", "classifier objective, labels alone", false, _ => { }),
        ("classifier-unlabeled", "classifier objective + unlabeled rows (pseudo-labels)", true, _ => { }),
        ("ladder-labels", "Ladder, labels alone", false, o => o.Ladder = new FineTuningOptions.LadderOptions()),
        ("ladder-no-decoder", "Ladder with λ = 0 + unlabeled rows, no pseudo-labels", true, o => (o.Ladder, o.PseudoLabelWeight) = (new FineTuningOptions.LadderOptions { DenoisingCosts = new[] { 0.0 } }, 0)),
        ("ladder-no-decoder-pseudo", "Ladder with λ = 0 + unlabeled rows + pseudo-labels", true, o => o.Ladder = new FineTuningOptions.LadderOptions { DenoisingCosts = new[] { 0.0 } }),
        ("ladder", "Ladder + unlabeled rows, no pseudo-labels", true, o => (o.Ladder, o.PseudoLabelWeight) = (new FineTuningOptions.LadderOptions(), 0)),
        ("ladder-pseudo", "Ladder + unlabeled rows + pseudo-labels (finetune --objective ladder)", true, o => o.Ladder = new FineTuningOptions.LadderOptions()),
    };

    /// <summary>Variants that start from random weights (<see cref="AutoencoderClassifierTrainer.Options.FromScratch"/>): a variant's name + "-scratch".</summary>
    private const string ScratchSuffix = "-scratch";

    /// <summary>The <c>ladder</c> subcommand.</summary>
    public static Command Command()
    {
        var csvOption = new Option<FileInfo?>("--csv") { Description = "CSV with a header; numeric features, the class in the last column." };
        var mnistOption = new Option<bool>("--mnist") { Description = "The bundled MNIST training images (pool) and test images instead of a CSV." };
        var standardizeOption = new Option<bool>("--standardize") { Description = "Standardise the features inside the pretrained model (tables)." };
        var perClassOption = new Option<int>("--per-class") { Description = "Labeled rows per class.", DefaultValueFactory = _ => 10 };
        var seedsOption = new Option<string>("--seeds") { Description = "Comma-separated label draws (also the fine-tuning seeds).", DefaultValueFactory = _ => "1,2,3" };
        var stepsOption = new Option<int>("--steps") { Description = "FineTuningOptions.Steps.", DefaultValueFactory = _ => FineTuningOptions.Defaults.Steps };
        var rateOption = new Option<double>("--learning-rate") { Description = "FineTuningOptions.LearningRate.", DefaultValueFactory = _ => FineTuningOptions.Defaults.LearningRate };
        var variantsOption = new Option<string>("--variants") { Description = "Comma-separated variants: " + string.Join(", ", Variants.Select(v => v.Name)) + ".", DefaultValueFactory = _ => string.Join(",", Variants.Select(v => v.Name)) };
        var epochsOption = new Option<int?>("--pretrain-epochs") { Description = "Epochs of the pretraining (default: the library's automatic budget)." };
        var heldOutOption = new Option<bool>("--held-out") { Description = "Score on the pool's unlabeled rows (their labels) instead of the test rows; with --mnist: pool = training rows 0-49,999, scored on rows 50,000-59,999." };
        var batchOption = new Option<int>("--batch") { Description = "FineTuningOptions.BatchSize (labeled rows per step).", DefaultValueFactory = _ => FineTuningOptions.Defaults.BatchSize };
        var unlabeledBatchOption = new Option<int>("--unlabeled-batch") { Description = "FineTuningOptions.UnlabeledBatchSize.", DefaultValueFactory = _ => FineTuningOptions.Defaults.UnlabeledBatchSize };
        var imageOption = new Option<bool>("--image") { Description = "Treat the rows as square one-channel images (FineTuningOptions.ImageShape), so the labeled rows are shifted and turned as the CLI does for IDX images." };
        var hiddenOption = new Option<string?>("--hidden") { Description = "Pretrained encoder widths below the code, then the code, e.g. 1000,500,250,250,250 (default: the library's 512,128 and 32)." };
        var command = new Command("ladder", "The Ladder objective against the same network without it, few labels per class, on a CSV or MNIST.")
        {
            csvOption, mnistOption, standardizeOption, perClassOption, seedsOption, stepsOption, rateOption, variantsOption, epochsOption, heldOutOption,
            batchOption, unlabeledBatchOption, hiddenOption, imageOption,
        };
        command.SetAction(parse => Run(
            parse.GetValue(csvOption), parse.GetValue(mnistOption), parse.GetValue(standardizeOption), parse.GetValue(perClassOption),
            parse.GetValue(seedsOption)!.Split(',').Select(int.Parse).ToArray(), parse.GetValue(stepsOption), parse.GetValue(rateOption),
            parse.GetValue(variantsOption)!.Split(','), parse.GetValue(epochsOption), parse.GetValue(heldOutOption),
            parse.GetValue(batchOption), parse.GetValue(unlabeledBatchOption), parse.GetValue(hiddenOption), parse.GetValue(imageOption)));
        return command;
    }

    private static int Run(
        FileInfo? csv, bool mnist, bool standardize, int perClass, int[] seeds, int steps, double learningRate, string[] variantNames, int? epochs, bool heldOut,
        int batch, int unlabeledBatch, string? hidden, bool image)
    {
        var ml = new MLContext(seed: 0);
        var (pool, poolLabels, test, testLabels, source) = mnist ? Mnist(ml, heldOut) : Csv(csv ?? throw new ArgumentException("Give --csv FILE or --mnist."));
        var variants = variantNames.Select(name =>
        {
            bool scratch = name.EndsWith(ScratchSuffix, StringComparison.Ordinal);
            var variant = Variants.FirstOrDefault(v => v.Name == (scratch ? name[..^ScratchSuffix.Length] : name));
            return (Name: variant.Name == null ? null : name, Description: variant.Description + (scratch ? ", from random weights" : ""), variant.Unlabeled, variant.Set, Scratch: scratch);
        }).ToArray();
        if (variants.Any(v => v.Name == null))
        {
            throw new ArgumentException($"Unknown variant in '{string.Join(",", variantNames)}'; choose among {string.Join(", ", Variants.Select(v => v.Name))}, each optionally with '{ScratchSuffix}'.");
        }

        Console.WriteLine($"{source}: pool {pool.Length:N0} rows, test {test.Length:N0} rows, {poolLabels.Distinct().Count()} classes, {pool[0].Length} features; " +
            $"{perClass} labels per class, steps {steps:N0}, learning rate {learningRate:G3}, seeds {string.Join(",", seeds)}{(heldOut ? mnist ? ", scored on the held-out rows" : ", scored on the pool's unlabeled rows" : ", scored on the test rows")}, " +
            $"batch {batch} labeled + {unlabeledBatch} unlabeled{(image ? ", labeled rows shifted and turned as images" : "")}");
        var clock = Stopwatch.StartNew();
        var training = new TrainingOptions { Seed = 0, Epochs = epochs };
        var model = new AutoencoderOptions();
        if (hidden != null)
        {
            var widths = hidden.Split(',').Select(int.Parse).ToArray();
            model.HiddenSizes = widths[..^1];
            model.LatentSize = widths[^1];
        }

        if (standardize)
        {
            training.Scaling = ScalingKind.Standard;
        }

        using var pretrained = new AutoencoderTrainer(ml, model, training).Fit(FewLabels.View(ml, pool.Select(r => new FewLabels.Row { Features = r }).ToList(), "Features", pool[0].Length));
        Console.WriteLine($"pretrained {pretrained.Spec} on the pool in {clock.Elapsed.TotalSeconds:F0} s");

        var accuracies = variants.Select(_ => new double[seeds.Length]).ToArray();
        for (int s = 0; s < seeds.Length; s++)
        {
            var random = new Random(seeds[s]);
            var labeled = poolLabels.Select((label, i) => (label, i)).GroupBy(p => p.label)
                .SelectMany(g => g.Select(p => p.i).OrderBy(_ => random.Next()).Take(perClass)).Order().ToArray();
            var labeledSet = labeled.ToHashSet();
            var unlabeled = Enumerable.Range(0, pool.Length).Where(i => !labeledSet.Contains(i)).ToArray();
            var scoreRows = heldOut && !mnist ? unlabeled.Select(i => pool[i]).ToArray() : test;
            var scoreLabels = heldOut && !mnist ? unlabeled.Select(i => poolLabels[i]).ToArray() : testLabels;
            if (heldOut && mnist)
            {
                Console.WriteLine($"seed {seeds[s]}, labeled pool rows: {string.Join(",", labeled)}");
            }

            var train = FewLabels.View(ml, labeled.Select(i => new FewLabels.Row { Features = pool[i], Label = poolLabels[i] }).ToList(), "Features", pool[0].Length);
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
            var unlabeledView = FewLabels.View(ml, unlabeled.Select(i => new FewLabels.Row { Features = pool[i] }).ToList(), "Features", pool[0].Length);
            for (int v = 0; v < variants.Length; v++)
            {
                var fine = new FineTuningOptions { Steps = steps, LearningRate = learningRate, BatchSize = batch, UnlabeledBatchSize = unlabeledBatch };
                if (image)
                {
                    int side = (int)Math.Round(Math.Sqrt(pool[0].Length));
                    fine.ImageShape = new ImageShape(1, side, side);
                }

                variants[v].Set(fine);
                var timer = Stopwatch.StartNew();
                using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
                {
                    Pretrained = pretrained, UnlabeledData = variants[v].Unlabeled ? unlabeledView : null, FineTuning = fine, Seed = seeds[s], FromScratch = variants[v].Scratch,
                }).Train(keyed);
                var classes = classifier.ClassNames.Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                var probabilities = classifier.PredictProbabilities(scoreRows);
                int correct = probabilities.Where((p, i) => classes[Array.IndexOf(p, p.Max())] == scoreLabels[i]).Count();
                accuracies[v][s] = (double)correct / scoreRows.Length;
                Console.WriteLine($"seed {seeds[s]}, {variants[v].Name}: {accuracies[v][s]:P2} ({timer.Elapsed.TotalSeconds:F0} s)");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| variant | accuracy, mean ± sd over {seeds.Length} draws |");
        Console.WriteLine("|---|---:|");
        for (int v = 0; v < variants.Length; v++)
        {
            double mean = accuracies[v].Average();
            double sd = seeds.Length > 1 ? Math.Sqrt(accuracies[v].Sum(a => (a - mean) * (a - mean)) / (seeds.Length - 1)) : 0;
            Console.WriteLine($"| {variants[v].Description} | {mean:P2} ± {sd * 100:F2} |");
        }

        Console.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>A CSV's rows split once (seed 0) into a pool (70%) and a test part (30%).</summary>
    private static (float[][] Pool, float[] PoolLabels, float[][] Test, float[] TestLabels, string Source) Csv(FileInfo file)
    {
        var rows = File.ReadLines(file.FullName).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var random = new Random(0);
        var order = Enumerable.Range(0, rows.Length).OrderBy(_ => random.Next()).ToArray();
        int testCount = rows.Length * 3 / 10;
        float[][] Features(int[] indices) => indices.Select(i => rows[i][..^1]).ToArray();
        float[] Labels(int[] indices) => indices.Select(i => rows[i][^1]).ToArray();
        var test = order[..testCount];
        var pool = order[testCount..];
        return (Features(pool), Labels(pool), Features(test), Labels(test), file.Name);
    }

    /// <summary>
    /// MNIST: the 60,000 training images as the pool, the 10,000 test images as the test part; with
    /// <paramref name="heldOut"/>, training rows 0-49,999 as the pool and rows 50,000-59,999 as the scored part.
    /// </summary>
    private static (float[][] Pool, float[] PoolLabels, float[][] Test, float[] TestLabels, string Source) Mnist(MLContext ml, bool heldOut)
    {
        var train = BundledMnist.Train(ml);
        var images = train.GetColumn<float[]>("Features").ToArray();
        var labels = train.GetColumn<float>("Label").ToArray();
        if (heldOut)
        {
            return (images[..50_000], labels[..50_000], images[50_000..], labels[50_000..], "MNIST training rows 0-49,999 (pool) and 50,000-59,999 (held out)");
        }

        var test = BundledMnist.Test(ml);
        return (images, labels, test.GetColumn<float[]>("Features").ToArray(), test.GetColumn<float>("Label").ToArray(), "MNIST");
    }
}
