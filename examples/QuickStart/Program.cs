// QuickStart: train a dense autoencoder with a 32-d code on the bundled MNIST training set (pixels /255), report the
// test reconstruction error next to PCA with the same number of components.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "quickstart")) };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
var root = new RootCommand("Trains a 32-d dense autoencoder on MNIST and compares it with PCA-32.") { outOption, epochsOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(epochsOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs)
{
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);
    IDataView train = BundledMnist.Train(ml);
    IDataView test = BundledMnist.Test(ml);

    var trainer = new AutoencoderTrainer(
        ml,
        new DenseAutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 },
        new TrainingOptions { Epochs = epochs, BatchSize = 256, LearningRate = 1e-3, ValidationFraction = 1.0 / 12, Seed = 0 });
    Console.WriteLine($"Training {trainer.ModelOptions.HiddenSizes.Count}-hidden-layer autoencoder on 60,000 MNIST images for {epochs} epochs...");
    using var model = trainer.Fit(train, "Features", progress: new InlineProgress<EpochReport>(r => Console.WriteLine("  " + r)));

    var metrics = model.Evaluate(test);
    var pca = PrincipalComponents.Fit(train, model.LatentSize);
    double pcaMse = pca.MeanSquaredError(test);
    Console.WriteLine();
    Console.WriteLine($"architecture      {model.Spec} ({model.Spec.ParameterCount:N0} parameters)");
    Console.WriteLine($"test MSE / pixel  {metrics.MeanSquaredError:F5}  (PCA-{model.LatentSize}: {pcaMse:F5}, {pcaMse / metrics.MeanSquaredError:F2}x worse)");
    Console.WriteLine($"total time        {clock.Elapsed.TotalSeconds:F0} s");
    Directory.CreateDirectory(output.FullName);
    return metrics.MeanSquaredError < pcaMse ? 0 : 1;
}
