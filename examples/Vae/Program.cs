// Vae — a variational autoencoder on dynamically binarized MNIST.
// Trains a 784-512-256-32 Bernoulli VAE (ELU units) (each training pixel re-drawn as Bernoulli(intensity) every epoch), measures
// the test ELBO and the importance-weighted NLL on the test set binarized once with a fixed seed, trains a second VAE
// with a 2-d latent space for a picture of it, and writes to --out:
//   encoder.onnx      features [batch, 784] → mean, log_variance [batch, 32]
//   decoder.onnx      latent [batch, 32] → reconstruction [batch, 784] (Bernoulli probabilities)
//   metrics.json      test_elbo, test_nll (IWAE), kl, reconstruction, in nats per test image, and the run's figures
//   samples.png       decoded prior samples z ~ N(0, I)
//   interpolation.png walks through the latent space between test digits (the real digits at both ends)
//   latent.png        the test set in the 2-d VAE's latent space, coloured by label
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "vae")) };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs of the 32-d VAE.", DefaultValueFactory = _ => 60 };
var epochs2dOption = new Option<int>("--epochs-2d") { Description = "Training epochs of the 2-d VAE.", DefaultValueFactory = _ => 20 };
var samplesOption = new Option<int>("--iwae-samples") { Description = "k of the importance-weighted NLL estimate (≥ 100 for the reported figure).", DefaultValueFactory = _ => 500 };
// One thread by default: on a shared 2-core machine two torch threads spin against other jobs (measured 1,000 rows/s
// with two threads vs 9,400 with one while another build ran); on an idle machine --threads 2 is faster.
var threadsOption = new Option<int>("--threads") { Description = "Torch threads.", DefaultValueFactory = _ => 1 };
var root = new RootCommand("Trains a VAE on dynamically binarized MNIST; reports the test ELBO and IWAE NLL; writes ONNX graphs and pictures.")
{
    outOption, epochsOption, epochs2dOption, samplesOption, threadsOption,
};
root.SetAction(parse => Run(
    parse.GetValue(outOption)!, parse.GetValue(epochsOption), parse.GetValue(epochs2dOption), parse.GetValue(samplesOption), parse.GetValue(threadsOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs, int epochs2d, int importanceSamples, int threads)
{
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);
    Directory.CreateDirectory(output.FullName);

    // 1. Data: grey-level intensities in memory; training rows are re-binarized on every pass, test rows once.
    float[][] train = BundledMnist.Train(ml).GetColumn<float[]>("Features").ToArray();
    var test = BundledMnist.Test(ml);
    float[][] testIntensities = test.GetColumn<float[]>("Features").ToArray();
    int[] testLabels = test.GetColumn<float>("Label").Select(l => (int)l).ToArray();
    var trainStream = new DynamicBinarization(train, seed: 1);
    IDataView trainView = DynamicBinarization.View(ml, trainStream, 784);
    float[][] testBinary = DynamicBinarization.Once(testIntensities, seed: 20_240);
    IDataView testView = DynamicBinarization.View(ml, testBinary.Select(r => new DynamicBinarization.Row { Features = r }).ToArray(), 784);

    // VaeSetup streams the view every epoch (so every epoch sees a new binarization) through a whole-set shuffle window.
    TrainingOptions Training(int count) => VaeSetup.Training(count, train.Length, threads);
    var progress = new InlineProgress<EpochReport>(r => Console.WriteLine(
        $"  epoch {r.Epoch,3}/{r.Epochs}  −ELBO {r.TrainingLossParts["reconstruction"] + r.TrainingLossParts["kl"],7:F2} = reconstruction {r.TrainingLossParts["reconstruction"],7:F2} + KL {r.TrainingLossParts["kl"],6:F2} nats" +
        $"  (loss with the warm-up KL weight {r.TrainingLoss,7:F2})" +
        $"  {r.SamplesPerSecond,7:N0} rows/s  {r.Elapsed.TotalSeconds,5:F0} s"));

    // 2. The 32-d VAE.
    Console.WriteLine($"Training a Bernoulli VAE 784-512-256-32 (ELU) on 60,000 dynamically binarized MNIST images for {epochs} epochs (KL warm-up over the first 10%, cosine learning rate)...");
    using var model = new AutoencoderTrainer(ml, VaeSetup.Model(32), Training(epochs)).Fit(trainView, progress: progress);
    double trainSeconds = clock.Elapsed.TotalSeconds;

    // 3. Likelihood of the fixed binarized test set.
    Console.WriteLine($"Estimating the test log-likelihood (IWAE, k = {importanceSamples})...");
    var evaluation = Stopwatch.StartNew();
    var likelihood = model.EstimateLikelihood(testView, importanceSamples: importanceSamples, seed: 0);
    double evaluationSeconds = evaluation.Elapsed.TotalSeconds;

    // 4. Deployable graphs and pictures.
    model.ExportOnnx(Path.Combine(output.FullName, "encoder.onnx"), OnnxGraphKind.Encoder);
    model.ExportOnnx(Path.Combine(output.FullName, "decoder.onnx"), OnnxGraphKind.Decoder);
    var samples = model.SamplePrior(120, seed: 7);
    ImageGrid.Save(Path.Combine(output.FullName, "samples.png"), Enumerable.Range(0, 10).Select(r => (IReadOnlyList<float[]>)samples.Skip(r * 12).Take(12).ToList()).ToList(), 28, 28);
    ImageGrid.Save(Path.Combine(output.FullName, "interpolation.png"), Interpolations(model, testBinary, testLabels), 28, 28);

    // 5. A second VAE with a 2-d latent space, to see the space itself.
    Console.WriteLine($"Training a 2-d VAE (784-512-256-2) for {epochs2d} epochs...");
    using var planar = new AutoencoderTrainer(ml, VaeSetup.Model(2), Training(epochs2d)).Fit(trainView, progress: progress);
    var planarLikelihood = planar.EstimateLikelihood(testView, importanceSamples: 100, seed: 0);
    LatentScatter.Save(
        Path.Combine(output.FullName, "latent.png"), planar.Encode(testBinary), testLabels,
        $"MNIST test set in a 2-d VAE's latent space (test −ELBO {-planarLikelihood.Elbo:F1} nats)");

    var metrics = new
    {
        test_elbo = likelihood.Elbo,
        test_nll = likelihood.NegativeLogLikelihood,
        kl = likelihood.Kl,
        reconstruction = likelihood.Reconstruction,
        iwae_samples = likelihood.ImportanceSamples,
        test_rows = likelihood.Rows,
        units = "nats per test image (natural log), test set binarized once with seed 20240",
        final_training_loss = model.History.Epochs[^1].TrainingLoss,
        epochs,
        latent_size = model.LatentSize,
        architecture = model.Spec.ToString(),
        train_seconds = Math.Round(trainSeconds, 1),
        evaluation_seconds = Math.Round(evaluationSeconds, 1),
        binarization_passes = trainStream.Passes,
        latent_2d = new { epochs = epochs2d, test_elbo = planarLikelihood.Elbo, test_nll_iwae100 = planarLikelihood.NegativeLogLikelihood, kl = planarLikelihood.Kl },
        total_seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
    };
    File.WriteAllText(Path.Combine(output.FullName, "metrics.json"), JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));

    Console.WriteLine();
    Console.WriteLine($"test ELBO            {likelihood.Elbo:F2} nats (reconstruction {likelihood.Reconstruction:F2} + KL {likelihood.Kl:F2})");
    Console.WriteLine($"test NLL (IWAE k={importanceSamples}) {likelihood.NegativeLogLikelihood:F2} nats");
    Console.WriteLine($"2-d VAE              test ELBO {planarLikelihood.Elbo:F2}, NLL (k=100) {planarLikelihood.NegativeLogLikelihood:F2} nats");
    Console.WriteLine($"outputs              {output.FullName}: encoder.onnx decoder.onnx metrics.json samples.png interpolation.png latent.png");
    Console.WriteLine($"total time           {clock.Elapsed.TotalSeconds:F0} s (training {trainSeconds:F0} s, IWAE {evaluationSeconds:F0} s)");
    return 0;
}

// Eight walks between test digits of different classes: the real (binarized) digit, ten decoded points, the other digit.
static IReadOnlyList<IReadOnlyList<float[]>> Interpolations(AutoencoderModel model, float[][] digits, int[] labels)
{
    var pairs = new[] { (0, 6), (1, 7), (2, 3), (4, 9), (5, 8), (3, 8), (7, 9), (6, 0) };
    var rows = new List<IReadOnlyList<float[]>>();
    foreach (var (a, b) in pairs)
    {
        float[] from = digits[Array.IndexOf(labels, a)];
        float[] to = digits[Array.LastIndexOf(labels, b)];
        rows.Add(new[] { from }.Concat(model.Interpolate(from, to, steps: 10)).Append(to).ToList());
    }

    return rows;
}
