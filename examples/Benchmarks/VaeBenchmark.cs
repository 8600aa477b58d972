using System.Linq;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// VAE: test negative log-likelihood (IWAE bound) on binarized MNIST, in nats, with the setup of examples/Vae
/// (<see cref="VaeSetup"/>: a 784-512-256-32 Bernoulli VAE) trained on dynamically binarized digits, the test set
/// binarized once with a fixed seed.
/// </summary>
internal static class VaeBenchmark
{
    public sealed record Result(double Nll, double Elbo, double Kl, int Epochs, int ImportanceSamples, double TrainSeconds);

    public static Result Run(MLContext ml, IDataView train, IDataView test, int epochs, int importanceSamples, int rows)
    {
        float[][] intensities = train.GetColumn<float[]>("Features").Take(rows).ToArray();
        float[][] testBinary = DynamicBinarization.Once(test.GetColumn<float[]>("Features").ToArray(), seed: 20_240);
        var trainView = DynamicBinarization.View(ml, new DynamicBinarization(intensities, seed: 1), 784);
        var testView = DynamicBinarization.View(ml, testBinary.Select(r => new DynamicBinarization.Row { Features = r }).ToArray(), 784);
        var options = VaeSetup.Model(latentSize: 32);
        var training = VaeSetup.Training(epochs, intensities.Length);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var model = new AutoencoderTrainer(ml, options, training).Fit(trainView);
        double seconds = clock.Elapsed.TotalSeconds;
        var likelihood = model.EstimateLikelihood(testView, importanceSamples: importanceSamples, seed: 0);
        return new Result(likelihood.NegativeLogLikelihood, likelihood.Elbo, likelihood.Kl, epochs, importanceSamples, seconds);
    }
}
