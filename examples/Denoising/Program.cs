// Denoising and image-to-image repair on MNIST (pixels /255): one capability, "map a degraded input to a clean target".
//   dotnet run --project examples/Denoising -c Release -- [--out DIR] [--epochs N]
// Writes to DIR (default models/denoising):
//   autoencoder.onnx      the Gaussian denoiser (σ = 0.5, clipped to [0, 1]): `features` [N, 784] noisy → `reconstruction`
//   metrics.json          noisy_psnr / denoised_psnr on the 10,000 test images with fresh noise, and the other tasks' figures
//   denoising.png         rows: clean / noisy / denoised
//   superresolution.png   rows: 14×14 input (shown enlarged) / 28×28 output / ground truth
//   watermark.png         rows: watermarked / cleaned / ground truth
//   coloring.png          rows: grey input / coloured output / ground truth (colour = the digit's class)
using System;
using System.CommandLine;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
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

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "denoising")) };
var epochsOption = new Option<int>("--epochs") { Description = "Epochs per model.", DefaultValueFactory = _ => 15 };
var root = new RootCommand("Denoising, super-resolution, watermark removal and coloring with autoencoders on MNIST.") { outOption, epochsOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(epochsOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs)
{
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);
    Directory.CreateDirectory(output.FullName);
    var trainView = BundledMnist.Train(ml);
    var testView = BundledMnist.Test(ml);
    float[][] train = trainView.GetColumn<float[]>("Features").ToArray();
    float[][] test = testView.GetColumn<float[]>("Features").ToArray();
    int[] trainLabels = trainView.GetColumn<float>("Label").Select(l => (int)l).ToArray();
    int[] testLabels = testView.GetColumn<float>("Label").Select(l => (int)l).ToArray();
    var progress = new InlineProgress<EpochReport>(r => Console.WriteLine("    " + r));
    var show = Enumerable.Range(0, 12).ToArray();
    var metrics = new Dictionary<string, object>();

    // 1. Gaussian denoiser: corruption drawn afresh for every batch during training (seed 0).
    Console.WriteLine("1/4 denoising: Gaussian noise σ = 0.5, clipped to [0, 1]");
    var corruption = CorruptionOptions.GaussianClipped(0.5);
    using var denoiser = ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
    {
        Columns = new AutoencoderColumns { LatentColumnName = null, ReconstructionColumnName = "Denoised" },
        Model = new AutoencoderOptions { HiddenSizes = new[] { 512, 256 }, LatentSize = 64, Loss = ReconstructionLoss.BinaryCrossEntropy },
        Training = new TrainingOptions { Epochs = epochs, Corruption = corruption, Seed = 0 },
        Progress = progress,
    }).Fit(trainView);
    // Test noise comes from another seed: noise the model never saw.
    float[][] noisyTest = corruption.Apply(test, seed: 2026);
    var denoising = denoiser.Model.EvaluateDenoising(Pairs(ml, noisyTest, test), "Input", "Target");
    float[][] denoised = Transform(ml, denoiser, noisyTest, "Denoised");
    denoiser.Model.ExportOnnx(Path.Combine(output.FullName, "autoencoder.onnx"), OnnxGraphKind.Autoencoder);
    ImageGrid.Save(Path.Combine(output.FullName, "denoising.png"), Rows(show, test, noisyTest, denoised), 28, 28);
    metrics["noisy_psnr"] = denoising.NoisyPsnr;
    metrics["denoised_psnr"] = denoising.DenoisedPsnr;
    metrics["psnr_gain_db"] = denoising.PsnrGain;
    metrics["noisy_mse"] = denoising.NoisyMeanSquaredError;
    metrics["denoised_mse"] = denoising.DenoisedMeanSquaredError;
    Console.WriteLine($"    PSNR noisy {denoising.NoisyPsnr:F2} dB → denoised {denoising.DenoisedPsnr:F2} dB (gain {denoising.PsnrGain:F2} dB)");

    // 2. Super-resolution: a paired model 196 → 784.
    Console.WriteLine("2/4 super-resolution: 14×14 → 28×28");
    using var upscaler = Paired(ml, train.Select(ImageTasks.Downsample).ToArray(), train, epochs, latent: 128, progress);
    float[][] smallTest = test.Select(ImageTasks.Downsample).ToArray();
    float[][] upscaled = Transform(ml, upscaler, smallTest, "Output");
    float[][] nearest = smallTest.Select(ImageTasks.UpsampleNearest).ToArray();
    metrics["superresolution_mse"] = ImageTasks.MeanSquaredError(upscaled, test);
    metrics["superresolution_nearest_neighbour_mse"] = ImageTasks.MeanSquaredError(nearest, test);
    ImageGrid.Save(Path.Combine(output.FullName, "superresolution.png"), Rows(show, nearest, upscaled, test), 28, 28);
    Console.WriteLine($"    MSE {metrics["superresolution_mse"]:F5} (nearest-neighbour upscaling: {metrics["superresolution_nearest_neighbour_mse"]:F5})");

    // 3. Watermark removal: a stamp at a random place and opacity; train and test draw different placements.
    Console.WriteLine("3/4 watermark removal");
    var trainRandom = new Random(1);
    var testRandom = new Random(2);
    using var cleaner = Paired(ml, train.Select(x => ImageTasks.Watermark(x, trainRandom)).ToArray(), train, epochs, latent: 64, progress);
    float[][] markedTest = test.Select(x => ImageTasks.Watermark(x, testRandom)).ToArray();
    float[][] cleaned = Transform(ml, cleaner, markedTest, "Output");
    metrics["watermark_input_mse"] = ImageTasks.MeanSquaredError(markedTest, test);
    metrics["watermark_cleaned_mse"] = ImageTasks.MeanSquaredError(cleaned, test);
    ImageGrid.Save(Path.Combine(output.FullName, "watermark.png"), Rows(show, markedTest, cleaned, test), 28, 28);
    Console.WriteLine($"    MSE watermarked {metrics["watermark_input_mse"]:F5} → cleaned {metrics["watermark_cleaned_mse"]:F5}");

    // 4. Coloring: grey → RGB where the colour is the digit's class: learnable only by recognising the shape.
    Console.WriteLine("4/4 coloring: grey → RGB, colour by digit class");
    using var colorizer = Paired(ml, train, train.Select((x, i) => ImageTasks.Colorize(x, trainLabels[i])).ToArray(), epochs, latent: 64, progress);
    float[][] colored = Transform(ml, colorizer, test, "Output");
    float[][] colorTruth = test.Select((x, i) => ImageTasks.Colorize(x, testLabels[i])).ToArray();
    double colorAccuracy = Enumerable.Range(0, test.Length).Count(i => ImageTasks.DominantColor(colored[i], test[i]) == testLabels[i]) / (double)test.Length;
    metrics["coloring_mse"] = ImageTasks.MeanSquaredError(colored, colorTruth);
    metrics["coloring_class_colour_accuracy"] = colorAccuracy;
    float[][] greyAsRgb = test.Select(x => x.Concat(x).Concat(x).ToArray()).ToArray();
    ImageGrid.Save(Path.Combine(output.FullName, "coloring.png"), Rows(show, greyAsRgb, colored, colorTruth), 28, 28, channels: 3);
    Console.WriteLine($"    MSE {metrics["coloring_mse"]:F5}; the dominant colour is the right class colour for {colorAccuracy:P1} of test digits");

    metrics["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
    metrics["epochs_per_model"] = epochs;
    File.WriteAllText(Path.Combine(output.FullName, "metrics.json"), JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {output.FullName} in {clock.Elapsed.TotalSeconds:F0} s");
    return denoising.PsnrGain >= 6 ? 0 : 1;
}

// A paired model: input → target of any size, trained through the ML.NET catalog.
static AutoencoderTransformer Paired(MLContext ml, float[][] inputs, float[][] targets, int epochs, int latent, IProgress<EpochReport> progress) =>
    ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
    {
        Columns = new AutoencoderColumns { InputColumnName = "Input", LatentColumnName = null, ReconstructionColumnName = "Output" },
        TargetColumnName = "Target",
        Model = new AutoencoderOptions { HiddenSizes = new[] { 512 }, LatentSize = latent, Loss = ReconstructionLoss.BinaryCrossEntropy },
        Training = new TrainingOptions { Epochs = epochs, Seed = 0 },
        Progress = progress,
    }).Fit(Pairs(ml, inputs, targets));

static float[][] Transform(MLContext ml, AutoencoderTransformer transformer, float[][] inputs, string output)
{
    string input = transformer.Columns.InputColumnName;
    return transformer.Transform(Pairs(ml, inputs, null, input)).GetColumn<float[]>(output).ToArray();
}

static IDataView Pairs(MLContext ml, float[][] inputs, float[][]? targets, string inputName = "Input")
{
    var schema = SchemaDefinition.Create(typeof(Pair));
    var i = schema[nameof(Pair.Input)];
    var t = schema[nameof(Pair.Target)];
    i.ColumnType = new VectorDataViewType(NumberDataViewType.Single, inputs[0].Length);
    t.ColumnType = new VectorDataViewType(NumberDataViewType.Single, targets?[0].Length ?? 1);
    i.ColumnName = inputName;
    return ml.Data.LoadFromEnumerable(inputs.Select((x, k) => new Pair { Input = x, Target = targets?[k] ?? new float[1] }).ToList(), schema);
}

static IReadOnlyList<IReadOnlyList<float[]>> Rows(int[] show, params float[][][] sets) =>
    sets.Select(set => (IReadOnlyList<float[]>)show.Select(k => set[k]).ToList()).ToList();

internal sealed class Pair
{
    public float[] Input { get; set; } = Array.Empty<float>();

    public float[] Target { get; set; } = Array.Empty<float>();
}
