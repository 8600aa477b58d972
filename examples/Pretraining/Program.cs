// Pretraining for a classifier with few labels, in two forms (the lecture's "Pretraining" slide):
//   the short variant: an autoencoder learns a 32-d code from the training images and ML.NET's L-BFGS classifier learns
//   digits from the frozen code (the README's 10-line example; --labeled rows, all 60,000 by default);
//   the fine-tuning story: an autoencoder learns from the 60,000 training images without their labels, then
//   AutoencoderClassifier puts a head on its encoder and trains the whole network on 1,000 labeled images, with the
//   other 59,000 images as unlabeled rows (pseudo-labels).
//   dotnet run --project examples/Pretraining -c Release -- [--out DIR] [--labeled N] [--fine-tune-labels N]
//   dotnet run --project examples/Pretraining -c Release -- benchmark   (the (a)-(e) table and accuracy-vs-labels.png)
//   dotnet run --project examples/Pretraining -c Release -- ladder --csv FILE   (the Ladder objective on few labels, LadderComparison.cs)
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Data;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<DirectoryInfo>("--out") { DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "pretraining")) };
var labeledOption = new Option<int>("--labeled") { Description = "Labeled rows the frozen-code classifier (short variant) sees.", DefaultValueFactory = _ => 60_000 };
var fineTuneLabelsOption = new Option<int>("--fine-tune-labels") { Description = "Labeled rows for the fine-tuning story (a multiple of 10; 0 skips it).", DefaultValueFactory = _ => 1000 };
var root = new RootCommand("Pretraining for a classifier: frozen autoencoder codes for ML.NET's L-BFGS, then an encoder fine-tuned on 1,000 labels.")
{
    outOption, labeledOption, fineTuneLabelsOption, FineTuningBenchmark.Command(), LadderComparison.Command(),
};
root.SetAction(parse => PretrainingStory.Run(parse.GetValue(outOption)!, parse.GetValue(labeledOption), parse.GetValue(fineTuneLabelsOption)));
return root.Parse(args).Invoke();

internal static class PretrainingStory
{
    public static int Run(DirectoryInfo output, int labeled, int fineTuneLabels)
    {
        Directory.CreateDirectory(output.FullName);
        string data = BundledMnist.Folder;

        // --- the README snippet (short variant: a linear classifier on the frozen code) ---
        var ml = new MLContext(seed: 0);
        IDataView train = ml.Data.LoadFromIdx(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: labeled);
        var pipeline = ml.Transforms.Autoencoder("Latent", "Features", latentSize: 32, hiddenSizes: new[] { 512, 128 }, epochs: 20,
                                                 reconstructionErrorColumnName: "AnomalyScore")
            .Append(ml.Transforms.NormalizeMeanVariance("Latent"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Latent"));
        var model = pipeline.Fit(train);                                     // trains the autoencoder, then the classifier on its code
        ml.Model.Save(model, train.Schema, Path.Combine(output.FullName, "model.zip"));
        var autoencoder = model.OfType<AutoencoderTransformer>().Single();
        autoencoder.Model.ExportOnnx(Path.Combine(output.FullName, "encoder.onnx"), OnnxGraphKind.Encoder);
        // --- end of snippet ---

        IDataView test = BundledMnist.Test(ml);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var scores = scored.GetColumn<float>("AnomalyScore").ToArray();
        Console.WriteLine($"short variant, L-BFGS on the frozen 32-d code: test accuracy {metrics.MicroAccuracy:P2} ({labeled:N0} labeled training rows)");
        Console.WriteLine($"anomaly score (reconstruction MSE) on the test set: median {Median(scores):F4}, max {scores.Max():F4}");
        Console.WriteLine($"wrote {output.FullName}/model.zip and encoder.onnx");
        autoencoder.Dispose();
        return fineTuneLabels > 0 ? FineTune(output, fineTuneLabels) : 0;
    }

    /// <summary>
    /// The fine-tuning story: pretrain on the 60,000 training images without labels, fine-tune on
    /// <paramref name="count"/> of them with labels, save the pipeline and classifier.onnx, evaluate on the test images.
    /// </summary>
    private static int FineTune(DirectoryInfo output, int count)
    {
        var ml = new MLContext(seed: 0);
        var all = BundledMnist.Train(ml);
        var images = all.GetColumn<float[]>("Features").ToArray();
        var draw = new FewLabels(all.GetColumn<float>("Label").ToArray());
        var labeled = FewLabels.Rows(ml, draw.Labeled(count), images, draw.Labels);
        var unlabeled = FewLabels.Rows(ml, draw.Unlabeled(count), images, draw.Labels);
        var clock = Stopwatch.StartNew();

        // 1. Pretraining sees every training image and no label.
        using var pretrained = FineTuningBenchmark.Pretrain(ml, all);
        Console.WriteLine($"pretrained {pretrained.Spec} on 60,000 images without labels in {clock.Elapsed.TotalSeconds:F0} s");

        // 2. Fine-tuning: the head and the encoder, on the labeled rows, with the unlabeled rows beside them.
        clock.Restart();
        var fineTuning = new FineTuningOptions { ImageShape = new ImageShape(1, 28, 28) };   // a dense model: the shape lets it shift images
        var classifierPipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierTrainer.Options
            {
                Pretrained = pretrained, UnlabeledData = unlabeled, FineTuning = fineTuning, Seed = 0,
            }));
        var classifier = classifierPipeline.Fit(labeled);
        var metrics = ml.MulticlassClassification.Evaluate(classifier.Transform(BundledMnist.Test(ml)));
        Console.WriteLine($"fine-tuned on {count:N0} labeled images (+{draw.Labels.Length - count:N0} unlabeled) in {clock.Elapsed.TotalSeconds:F0} s: " +
            $"test accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}");
        ml.Model.Save(classifier, labeled.Schema, Path.Combine(output.FullName, "classifier.zip"));
        classifier.OfType<AutoencoderClassifierTransformer>().Single().Classifier.ExportOnnx(Path.Combine(output.FullName, "classifier.onnx"));
        Console.WriteLine($"wrote {output.FullName}/classifier.zip and classifier.onnx (features -> probabilities)");
        (classifier as IDisposable)?.Dispose();
        return 0;
    }

    private static float Median(float[] values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }
}
