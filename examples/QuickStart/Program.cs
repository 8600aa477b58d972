// QuickStart — the README's main job.
// Trains a dense autoencoder with a 32-d code on the bundled MNIST training set (pixels /255) through the ML.NET
// estimator, scores the 10,000 test images through the ML.NET transform, compares with PCA-32, and writes to --out:
//   encoder.onnx, decoder.onnx, autoencoder.onnx   the deployable graphs (features → latent → reconstruction)
//   model.zip                                      an ML.NET pipeline: Features float[784] → Latent float[32], Reconstruction float[784]
//   metrics.json                                   test_mse (per pixel over the test set) and the run's figures
//   README.md                                      a model card with the measured numbers
using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "quickstart")) };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 20 };
var root = new RootCommand("Trains a 32-d dense autoencoder on MNIST, scores the test set through ML.NET, exports ONNX.") { outOption, epochsOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(epochsOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs)
{
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);

    // 1. Data: 60,000 training and 10,000 test images, 784 pixels scaled to [0, 1].
    IDataView train = BundledMnist.Train(ml);
    IDataView test = BundledMnist.Test(ml);

    // 2. The estimator: a 784-512-128-32 encoder, a mirrored decoder, Adam, 1/12 of the rows held out for validation.
    var estimator = ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
    {
        Columns = new AutoencoderColumns { InputColumnName = "Features", LatentColumnName = "Latent", ReconstructionColumnName = "Reconstruction" },
        Model = new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 },
        Training = new TrainingOptions { Epochs = epochs, BatchSize = 256, LearningRate = 1e-3, ValidationFraction = 1.0 / 12, Seed = 0 },
        OnEpoch = r => Console.WriteLine("  " + r),
    });
    Console.WriteLine($"Training a dense autoencoder (784-512-128-32) on 60,000 MNIST images for {epochs} epochs...");
    using var transformer = estimator.Fit(train);
    var trainSeconds = clock.Elapsed.TotalSeconds;

    // 3. Score the test set through the ML.NET transform (batched ONNX Runtime) and measure the error per pixel.
    var scoring = Stopwatch.StartNew();
    var scored = transformer.Transform(test);
    double squared = 0;
    long values = 0;
    foreach (var (pixels, reconstruction) in scored.GetColumn<float[]>("Features").Zip(scored.GetColumn<float[]>("Reconstruction")))
    {
        for (int i = 0; i < pixels.Length; i++)
        {
            double d = reconstruction[i] - pixels[i];
            squared += d * d;
        }

        values += pixels.Length;
    }

    double testMse = squared / values;
    double scoreSeconds = scoring.Elapsed.TotalSeconds;

    // 4. The baseline: PCA with as many components as the code has numbers.
    var pca = PrincipalComponents.Fit(train, 32);
    double pcaMse = pca.MeanSquaredError(test);

    // 5. Write the deployable artifacts.
    Directory.CreateDirectory(output.FullName);
    var model = transformer.Model;
    model.ExportOnnx(Path.Combine(output.FullName, "encoder.onnx"), OnnxGraphKind.Encoder);
    model.ExportOnnx(Path.Combine(output.FullName, "decoder.onnx"), OnnxGraphKind.Decoder);
    model.ExportOnnx(Path.Combine(output.FullName, "autoencoder.onnx"), OnnxGraphKind.Autoencoder);
    ml.Model.Save(transformer, train.Schema, Path.Combine(output.FullName, "model.zip"));

    // 6. What a service does: load the saved pipeline. With this library it is the trained transform again, model included.
    using (var reloaded = (AutoencoderTransformer)ml.Model.LoadAutoencoderPipeline(Path.Combine(output.FullName, "model.zip"), out _))
    {
        var sample = ml.Data.TakeRows(test, 100);
        bool same = reloaded.Transform(sample).GetColumn<float[]>("Latent").SelectMany(v => v)
            .SequenceEqual(transformer.Transform(sample).GetColumn<float[]>("Latent").SelectMany(v => v));
        Console.WriteLine($"reloaded model.zip: {reloaded.GetType().Name} on {reloaded.Model.Spec}, {(same ? "the same codes" : "DIFFERENT codes")} for 100 test images");
        if (!same)
        {
            return 1;
        }
    }
    var metrics = new
    {
        test_mse = testMse,
        pca_test_mse = pcaMse,
        test_rows = values / 784,
        epochs = model.History.Epochs.Count,
        best_epoch = model.History.BestEpoch,
        final_training_loss = model.History.Epochs[^1].TrainingLoss,
        final_validation_loss = model.History.Epochs[^1].ValidationLoss,
        train_seconds = Math.Round(trainSeconds, 1),
        test_scoring_rows_per_second = Math.Round(values / 784 / scoreSeconds),
        architecture = model.Spec.ToString(),
        parameters = model.Spec.ParameterCount,
    };
    File.WriteAllText(Path.Combine(output.FullName, "metrics.json"), JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
    File.WriteAllText(Path.Combine(output.FullName, "README.md"), ModelCard(model, testMse, pcaMse, trainSeconds));

    Console.WriteLine();
    Console.WriteLine($"architecture      {model.Spec} ({model.Spec.ParameterCount:N0} parameters)");
    Console.WriteLine($"test MSE / pixel  {testMse:F5}   PCA-32: {pcaMse:F5} ({pcaMse / testMse:F2}x the autoencoder's error)");
    Console.WriteLine($"scoring           10,000 test images through the ML.NET transform in {scoreSeconds:F2} s");
    Console.WriteLine($"outputs           {output.FullName}: encoder.onnx decoder.onnx autoencoder.onnx model.zip metrics.json README.md");
    Console.WriteLine($"total time        {clock.Elapsed.TotalSeconds:F0} s");
    if (testMse >= pcaMse)
    {
        Console.Error.WriteLine("The autoencoder did not beat PCA-32: train for more epochs (--epochs).");
        return 1;
    }

    return 0;
}

static string ModelCard(AutoencoderModel model, double testMse, double pcaMse, double trainSeconds)
{
    var c = CultureInfo.InvariantCulture;
    var last = model.History.Epochs[^1];
    return string.Join('\n', new[]
    {
        "# QuickStart model card",
        string.Empty,
        "Written by `dotnet run --project examples/QuickStart -c Release` (the README's main job); every number below was measured by that run.",
        string.Empty,
        "| | |",
        "|---|---|",
        $"| architecture | dense autoencoder {model.Spec} ({model.Spec.ParameterCount.ToString("N0", c)} parameters), ReLU hidden layers, linear 32-d code, identity output |",
        $"| training | MNIST training set, 55,000 rows (5,000 held out for validation), pixels /255; Adam lr 1e-3, batch 256, {model.History.Epochs.Count} epochs, MSE loss, seed 0; {trainSeconds.ToString("F0", c)} s on the machine that ran it |",
        $"| losses | final training MSE {last.TrainingLoss.ToString("F5", c)}, validation MSE {last.ValidationLoss?.ToString("F5", c)} |",
        $"| test | MNIST test set, 10,000 images: **MSE per pixel {testMse.ToString("F5", c)}** (PCA with 32 components: {pcaMse.ToString("F5", c)}) |",
        string.Empty,
        "## Files and names",
        string.Empty,
        "| file | input | output |",
        "|---|---|---|",
        "| `encoder.onnx` | `features` float32 [batch, 784], pixels in [0, 1] | `latent` float32 [batch, 32] |",
        "| `decoder.onnx` | `latent` float32 [batch, 32] | `reconstruction` float32 [batch, 784] |",
        "| `autoencoder.onnx` | `features` float32 [batch, 784] | `reconstruction` [batch, 784], `latent` [batch, 32] |",
        "| `model.zip` | ML.NET column `Features`, Vector<Single, 784> | columns `Latent` Vector<Single, 32>, `Reconstruction` Vector<Single, 784> |",
        string.Empty,
        "`model.zip` loads with `mlContext.Model.Load` in any application that references Microsoft.ML.OnnxTransformer; it does not need Autoencoders.ML. " +
            "With Autoencoders.ML, `mlContext.Model.LoadAutoencoderPipeline` gives back the `AutoencoderTransformer` with the whole model (weights, options, history).",
        "The ONNX graphs are opset 17 with a symbolic batch dimension; their metadata_props give kind, sizes, loss, input scaling (`none`: scale pixels by 1/255 yourself) and the architecture.",
        string.Empty,
    });
}
