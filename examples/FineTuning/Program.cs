// Fine-tuning a pretrained encoder with few labels: MNIST, 100 and 1,000 labeled training images (drawn once, seed 0,
// class-balanced), the other training images unlabeled, the 10,000 test images only for the final figures.
//   dotnet run --project examples/FineTuning -c Release -- [--pretrained DIR] [--steps N] [--out DIR]
// (a) L-BFGS on raw pixels, (b) on PCA-32, (c) on the frozen autoencoder's codes, (d) the same network trained from
// scratch on the labeled rows only, (e) the pretrained network fine-tuned. The schedule of (e) is chosen on a held-out
// fifth of the 1,000 labeled rows; no test label takes part in any choice.
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

var pretrainedOption = new Option<DirectoryInfo>("--pretrained")
{
    Description = "Cached pretrained model folder; trained (convolutional, 4 epochs on the 60,000 training images without labels) and saved there if missing.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "finetuning", "pretrained")),
};
var stepsOption = new Option<int>("--steps") { Description = "Fine-tuning steps of every layer.", DefaultValueFactory = _ => 600 };
var labelsOption = new Option<string>("--labels") { Description = "Comma-separated numbers of labeled rows (multiples of 10, at most 1,000).", DefaultValueFactory = _ => "100,1000" };
var chooseOption = new Option<bool>("--choose") { Description = "Compare the candidate schedules on a held-out fifth of the 1,000 labeled rows first (otherwise the default schedule is used)." };
var outOption = new Option<DirectoryInfo>("--out") { DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "finetuning")) };
var root = new RootCommand("Fine-tune a pretrained autoencoder's encoder on 100 and 1,000 MNIST labels.") { pretrainedOption, stepsOption, labelsOption, chooseOption, outOption };
root.SetAction(parse => FineTuningBenchmark.Run(
    parse.GetValue(pretrainedOption)!, parse.GetValue(stepsOption), parse.GetValue(labelsOption)!.Split(',').Select(int.Parse).ToArray(), parse.GetValue(chooseOption), parse.GetValue(outOption)!));
return root.Parse(args).Invoke();

internal static class FineTuningBenchmark
{
    public static int Run(DirectoryInfo pretrainedFolder, int steps, int[] labelCounts, bool choose, DirectoryInfo output)
    {
        Directory.CreateDirectory(output.FullName);
        var ml = new MLContext(seed: 0);
        string data = BundledMnist.Folder;
        var trainView = ml.Data.LoadFromIdx(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"), scale: 1f / 255);
        var testView = ml.Data.LoadFromIdx(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), scale: 1f / 255);
        var images = trainView.GetColumn<float[]>("Features").ToArray();
        var labels = trainView.GetColumn<float>("Label").ToArray();

        // The labeled rows, drawn once: 100 per class in a seeded order; the 100-label set is the first 10 of each class.
        var random = new Random(0);
        var perClass = Enumerable.Range(0, 10)
            .Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).OrderBy(_ => random.Next()).Take(100).ToArray()).ToArray();
        var labeledSets = new[] { 100, 1000 }.ToDictionary(n => n, n => perClass.SelectMany(rows => rows.Take(n / 10)).OrderBy(i => i).ToArray());
        var labeledAll = labeledSets[1000].ToHashSet();
        var unlabeled = Rows(ml, Enumerable.Range(0, labels.Length).Where(i => !labeledAll.Contains(i)).ToArray(), images, labels);

        var clock = Stopwatch.StartNew();
        using var pretrained = Pretrained(ml, pretrainedFolder, trainView);
        Console.WriteLine($"pretrained model: {pretrained.Spec} ({pretrained.Kind}), loaded or trained in {clock.Elapsed.TotalSeconds:F0} s");
        var pca = PrincipalComponents.Fit(trainView, 32);

        // The schedule of (e): candidates compared on a held-out fifth of the 1,000 labeled rows (trained on the others).
        var schedules = new (string Name, FineTuningOptions Options)[]
        {
            ("head, then all layers at 0.3x rate, reconstruction regulariser, dropout 0.2, shifts ±2", Schedule(steps)),
            ("same without the reconstruction regulariser", Schedule(steps, reconstruction: 0)),
        };
        var fit = labeledSets[1000].Where((_, i) => i % 5 != 0).ToArray();
        var held = labeledSets[1000].Where((_, i) => i % 5 == 0).ToArray();
        double bestHeld = -1;
        var chosen = schedules[0];
        foreach (var candidate in choose ? schedules : Array.Empty<(string Name, FineTuningOptions Options)>())
        {
            var timer = Stopwatch.StartNew();
            double accuracy = FineTuned(ml, pretrained, Rows(ml, fit, images, labels), unlabeled, Rows(ml, held, images, labels), candidate.Options, fromScratch: false);
            Console.WriteLine($"held-out choice: {candidate.Name}: {accuracy:P2} on {held.Length} held-out labeled rows ({timer.Elapsed.TotalSeconds:F0} s)");
            if (accuracy > bestHeld)
            {
                bestHeld = accuracy;
                chosen = candidate;
            }
        }

        Console.WriteLine(choose ? $"chosen on held-out labeled rows: {chosen.Name}" : $"schedule (default, not compared in this run; --choose compares): {chosen.Name}");
        Console.WriteLine();
        Console.WriteLine("| labels | (a) L-BFGS, raw pixels | (b) L-BFGS, PCA-32 | (c) L-BFGS, frozen AE codes | (d) same network from scratch | (e) fine-tuned pretrained network | (e) − (d) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (n, rows) in labeledSets.Where(set => labelCounts.Contains(set.Key)))
        {
            var few = Rows(ml, rows, images, labels);
            var a = Timed(() => Lbfgs(ml, few, testView, "Features"));
            var b = Timed(() => Lbfgs(ml, Project(ml, pca, few), Project(ml, pca, testView), "Code"));
            var c = Timed(() =>
            {
                using var encode = ml.Transforms.ApplyAutoencoder(pretrained, new AutoencoderColumns { LatentColumnName = "Code" }).Fit(few);
                return Lbfgs(ml, ml.Data.Cache(encode.Transform(few)), encode.Transform(testView), "Code");
            });
            var d = Timed(() => FineTuned(ml, pretrained, few, null, testView, Schedule(steps, reconstruction: 0, headSteps: 0, encoderRatio: 1), fromScratch: true));
            var e = Timed(() => FineTuned(ml, pretrained, few, unlabeled, testView, chosen.Options, fromScratch: false));
            Console.WriteLine(
                $"| {n:N0} | {a.Accuracy:P2} ({a.Seconds:F0} s) | {b.Accuracy:P2} ({b.Seconds:F0} s) | {c.Accuracy:P2} ({c.Seconds:F0} s) | " +
                $"{d.Accuracy:P2} ({d.Seconds:F0} s) | {e.Accuracy:P2} ({e.Seconds:F0} s) | {(e.Accuracy - d.Accuracy) * 100:+0.00;-0.00} points |");
        }

        return 0;
    }

    private static FineTuningOptions Schedule(int steps, double reconstruction = 1, int headSteps = 200, double encoderRatio = 0.3) => new()
    {
        Steps = steps, HeadSteps = headSteps, ReconstructionWeight = reconstruction, EncoderLearningRateRatio = encoderRatio,
        BatchSize = 32, UnlabeledBatchSize = 32,
    };

    /// <summary>Trains (d) or (e) on <paramref name="labeled"/> and returns the accuracy on <paramref name="evaluation"/>.</summary>
    private static double FineTuned(MLContext ml, AutoencoderModel pretrained, IDataView labeled, IDataView? unlabeled, IDataView evaluation, FineTuningOptions schedule, bool fromScratch)
    {
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(labeled);
        using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
        {
            Pretrained = pretrained, UnlabeledData = unlabeled, FineTuning = schedule, FromScratch = fromScratch, Seed = 0,
        }).Fit(keys.Transform(labeled));
        return ml.MulticlassClassification.Evaluate(classifier.Transform(keys.Transform(evaluation))).MicroAccuracy;
    }

    private static AutoencoderModel Pretrained(MLContext ml, DirectoryInfo folder, IDataView images)
    {
        if (File.Exists(Path.Combine(folder.FullName, "model.json")))
        {
            return AutoencoderModel.Load(folder.FullName);
        }

        // No label is read: the autoencoder sees the 60,000 training images as unlabeled data.
        var options = new AutoencoderOptions
        {
            LatentSize = 64, HiddenSizes = new[] { 256 },
            Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 16, 32 } },
        };
        var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 4, ValidationFraction = 0, Seed = 0 }).Fit(images);
        model.Save(folder.FullName);
        return model;
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

    private static IDataView Rows(MLContext ml, int[] indices, float[][] images, float[] labels) =>
        View(ml, indices.Select(i => new Row { Features = images[i], Label = labels[i] }).ToList(), "Features", 784);

    private static IDataView Project(MLContext ml, PrincipalComponents pca, IDataView data) =>
        View(ml, data.GetColumn<float[]>("Features").Zip(data.GetColumn<float>("Label"), (f, l) => new Row { Features = pca.Project(f), Label = l }).ToList(), "Code", pca.ComponentCount);

    private static IDataView View(MLContext ml, System.Collections.Generic.List<Row> rows, string column, int size)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        schema[nameof(Row.Features)].ColumnName = column;
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        public float Label { get; set; }
    }
}
