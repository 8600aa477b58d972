// ConvolutionalAutoencoder — a convolutional autoencoder with a 32-d code on MNIST, against a dense one of about the
// same size trained the same way in the same run. Writes to --out:
//   autoencoder.onnx    the convolutional autoencoder: features float[784] (1×28×28, pixels /255) → reconstruction, latent
//   metrics.json        test_mse (convolutional) and dense_test_mse (dense), per pixel over the 10,000 test images
//   reconstructions.png test digits (top), convolutional reconstructions (middle), dense reconstructions (bottom)
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "convolutional")) };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs (both models).", DefaultValueFactory = _ => 10 };
var root = new RootCommand("Trains a convolutional and a dense autoencoder (32-d code) on MNIST and compares them.") { outOption, epochsOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(epochsOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs)
{
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);
    IDataView train = BundledMnist.Train(ml);
    IDataView test = BundledMnist.Test(ml);

    // Both models: 32-d linear code, ReLU, MSE, identical training settings and seed.
    var training = new TrainingOptions { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, ValidationFraction = 1.0 / 12, Seed = 0 };

    // Convolutional: 1×28×28 → conv 16 (14×14) → conv 32 (7×7) → flatten → 32, and back with transposed convolutions.
    var convolutional = new AutoencoderOptions
    {
        HiddenSizes = Array.Empty<int>(),
        LatentSize = 32,
        Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 16, 32 }, KernelSize = 3 },
    };

    // Dense: 784-68-32-68-784, chosen to have about as many parameters as the convolutional model.
    var dense = new AutoencoderOptions { HiddenSizes = new[] { 68 }, LatentSize = 32 };

    var (convModel, convSeconds) = Train(ml, "convolutional", convolutional, training, train);
    using var conv = convModel;
    var (denseModel, denseSeconds) = Train(ml, "dense", dense, training, train);
    using var denseAe = denseModel;

    double convMse = conv.Evaluate(test).MeanSquaredError;
    double denseMse = denseAe.Evaluate(test).MeanSquaredError;

    Directory.CreateDirectory(output.FullName);
    conv.ExportOnnx(Path.Combine(output.FullName, "autoencoder.onnx"), OnnxGraphKind.Autoencoder);
    float[][] digits = test.GetColumn<float[]>("Features").Take(12).ToArray();
    ImageGrid.Save(Path.Combine(output.FullName, "reconstructions.png"), new[] { digits, conv.Reconstruct(digits), denseAe.Reconstruct(digits) }, 28, 28, channels: 1, scale: 3);
    var metrics = new
    {
        test_mse = convMse,
        dense_test_mse = denseMse,
        test_rows = 10_000,
        epochs,
        parameters = conv.Spec.ParameterCount,
        dense_parameters = denseAe.Spec.ParameterCount,
        architecture = "1x28x28, conv 3x3/2 to 16x14x14, conv 3x3/2 to 32x7x7, dense 32; dense 1568, convT 3x3/2 to 16x14x14, convT 3x3/2 to 1x28x28",
        dense_architecture = denseAe.Spec.ToString(),
        train_seconds = Math.Round(convSeconds, 1),
        dense_train_seconds = Math.Round(denseSeconds, 1),
        total_seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
    };
    File.WriteAllText(Path.Combine(output.FullName, "metrics.json"), JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));

    Console.WriteLine();
    Console.WriteLine($"convolutional  test MSE / pixel {convMse:F5}  ({conv.Spec.ParameterCount:N0} parameters, trained in {convSeconds:F0} s)");
    Console.WriteLine($"dense          test MSE / pixel {denseMse:F5}  ({denseAe.Spec.ParameterCount:N0} parameters, trained in {denseSeconds:F0} s)");
    Console.WriteLine($"outputs        {output.FullName}: autoencoder.onnx metrics.json reconstructions.png");
    Console.WriteLine($"total time     {clock.Elapsed.TotalSeconds:F0} s");
    if (convMse >= denseMse)
    {
        Console.Error.WriteLine("The convolutional autoencoder did not beat the dense one: train for more epochs (--epochs).");
        return 1;
    }

    return 0;
}

static (AutoencoderModel Model, double Seconds) Train(MLContext ml, string name, AutoencoderOptions model, TrainingOptions training, IDataView train)
{
    var clock = Stopwatch.StartNew();
    Console.WriteLine($"Training the {name} autoencoder on 55,000 MNIST images (5,000 held out) for {training.Epochs} epochs...");
    var progress = new InlineProgress<EpochReport>(r => Console.WriteLine("  " + r));
    var result = new AutoencoderTrainer(ml, model, training).Fit(train, progress: progress);
    return (result, clock.Elapsed.TotalSeconds);
}
