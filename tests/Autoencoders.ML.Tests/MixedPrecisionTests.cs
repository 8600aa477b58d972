using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

using static Autoencoders.ML.Tests.OnnxCheck;

namespace Autoencoders.ML.Tests;

/// <summary>
/// TrainingOptions.Precision = BFloat16: bfloat16 matrix multiplies in training, float32 everywhere else. It converges
/// like float32, is deterministic, leaves the model and its ONNX export float32, and is part of a checkpoint's identity.
/// </summary>
public sealed class MixedPrecisionTests : IDisposable
{
    private readonly MLContext ml = new(seed: 0);
    private readonly ITestOutputHelper output;
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ae-bf16-" + Guid.NewGuid().ToString("N"));

    public MixedPrecisionTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void BFloat16TrainingReachesTheFloat32ValidationLossAndIsNotTheSameComputation()
    {
        var data = Mnist.TrainView(ml, 2000);
        using var single = Train(data, TrainingPrecision.Float32, epochs: 5);
        using var mixed = Train(data, TrainingPrecision.BFloat16, epochs: 5);
        double fp32 = single.History.Epochs[^1].ValidationLoss!.Value, bf16 = mixed.History.Epochs[^1].ValidationLoss!.Value;
        output.WriteLine($"validation MSE after 5 epochs on 1,600 images: float32 {fp32:F5}, bfloat16 {bf16:F5} ({(bf16 / fp32) - 1:P2})");

        // Both learned (the first epoch's loss is well above), and bfloat16 lands within 5% of float32.
        Assert.True(fp32 < single.History.Epochs[0].ValidationLoss!.Value * 0.9, $"float32 did not learn: {fp32}");
        Assert.True(Math.Abs(bf16 - fp32) <= 0.05 * fp32, $"bfloat16 validation MSE {bf16:F5} is not within 5% of float32's {fp32:F5}");

        // The option did change the arithmetic: the two runs' losses differ.
        Assert.NotEqual(single.History.Epochs[0].TrainingLoss, mixed.History.Epochs[0].TrainingLoss);
        Assert.Equal(TrainingPrecision.BFloat16, mixed.Training.Precision);
    }

    [Fact]
    public void TheSameSeedGivesTheSameBFloat16ModelAndTheVaeHeadsTrainToo()
    {
        var data = Mnist.TrainView(ml, 600);
        using var first = Train(data, TrainingPrecision.BFloat16, epochs: 2);
        using var second = Train(data, TrainingPrecision.BFloat16, epochs: 2);
        var rows = Mnist.Test(20);
        Assert.Equal(first.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)), second.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)));
        Assert.Equal(first.Reconstruct(rows).SelectMany(r => r), second.Reconstruct(rows).SelectMany(r => r));

        // The VAE's mean and log-variance heads are dense too: bfloat16 reaches them, and the run is finite and learns.
        var vaeOptions = new VariationalAutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 8, Loss = ReconstructionLoss.BinaryCrossEntropy };
        using var vae = new AutoencoderTrainer(ml, vaeOptions, Options(TrainingPrecision.BFloat16, epochs: 3)).Fit(data);
        Assert.True(vae.History.Epochs[^1].ValidationLoss < vae.History.Epochs[0].ValidationLoss, "the bfloat16 VAE did not learn");
    }

    [Fact]
    public void ABFloat16TrainedModelIsFloat32InItsFileAndItsOnnxMatchesTorchSharp()
    {
        using var model = Train(Mnist.TrainView(ml, 600), TrainingPrecision.BFloat16, epochs: 2);
        var rows = Mnist.Test(200);
        float[][] reconstruction = model.Reconstruct(rows);
        AssertVaries(reconstruction, "reconstruction");

        using var session = new InferenceSession(model.ToOnnx(OnnxGraphKind.Autoencoder));
        Assert.All(session.OutputMetadata.Values, m => Assert.Equal(typeof(float), m.ElementType));
        double difference = MaxAbsDifference(reconstruction, Run(session, OnnxNames.Features, rows)[OnnxNames.Reconstruction]);
        Assert.True(difference <= Tolerance, $"max |ONNX − torch| = {difference:E3} > {Tolerance:E0}");

        // Saved and loaded: the same float32 numbers, and the file remembers how the model was trained.
        string path = Path.Combine(folder, "model.zip");
        model.Save(path);
        using var loaded = AutoencoderModel.Load(path);
        Assert.Equal(reconstruction.SelectMany(r => r), loaded.Reconstruct(rows).SelectMany(r => r));
        Assert.Equal(TrainingPrecision.BFloat16, loaded.Training.Precision);
    }

    [Fact]
    public void PrecisionIsValidatedAndACheckpointResumesOnlyWithItsOwn()
    {
        var bad = new TrainingOptions { Precision = (TrainingPrecision)7 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.Equal(nameof(TrainingOptions.Precision), e.ParamName);
        Assert.Contains("Precision must be one of Float32, BFloat16, Automatic; got 7", e.Message);

        var data = Mnist.TrainView(ml, 300);
        string checkpoint = Path.Combine(folder, "bf16.checkpoint.zip");
        var options = Options(TrainingPrecision.BFloat16, epochs: 2);
        options.CheckpointEvery = 1;
        options.CheckpointPath = checkpoint;
        Train(data, options).Dispose();

        var resume = Options(TrainingPrecision.Float32, epochs: 2);
        resume.ResumeFrom = checkpoint;
        var error = Assert.Throws<InvalidDataException>(() => Train(data, resume));
        Assert.Contains("training option Precision: \"BFloat16\" in the checkpoint, \"Float32\" now", error.Message);

        // The same precision resumes (the run was complete: nothing left to train, same history).
        resume.Precision = TrainingPrecision.BFloat16;
        using var resumed = Train(data, resume);
        Assert.Equal(2, resumed.History.Epochs.Count);
    }

    [Fact]
    public void AutomaticPrecisionIsBFloat16ExactlyWhereTheCpuMultipliesItNativelyAndTheModelRecordsTheChoice()
    {
        // What the CPU reports, read by the test on its own: the flags that mean native bfloat16 multiplies.
        var expected = CpuFeatures.MultipliesBFloat16Natively() ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32;
        output.WriteLine($"this CPU: Automatic should mean {expected}");

        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ml.Log += (_, e) => log.Enqueue(e.Message);
        var data = Mnist.TrainView(ml, 300);
        using var automatic = Train(data, TrainingPrecision.Automatic, epochs: 2);
        using var chosen = Train(data, expected, epochs: 2);

        // The choice is the explicit run, number for number, and the model (and its file) say which it was.
        Assert.Equal(expected, automatic.Training.Precision);
        Assert.Equal(chosen.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)), automatic.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss)));
        Assert.Contains(log, m => m.Contains($"Precision Automatic: {expected}, as the CPU", StringComparison.Ordinal));
        string path = Path.Combine(folder, "automatic.zip");
        automatic.Save(path);
        using var loaded = AutoencoderModel.Load(path);
        Assert.Equal(expected, loaded.Training.Precision);

        // Off the CPU it is float32 (decided before any product runs), and a step never runs in an unresolved precision.
        Assert.Equal(TrainingPrecision.Float32, Layers.MatmulPrecision.Resolve(TrainingPrecision.Automatic, new TorchSharp.torch.Device(TorchSharp.DeviceType.CUDA)).Precision);
        Assert.Equal((TrainingPrecision.BFloat16, (string?)null), Layers.MatmulPrecision.Resolve(TrainingPrecision.BFloat16, TorchSharp.torch.CPU));
        Assert.Throws<InvalidOperationException>(() => Layers.MatmulPrecision.Use(TrainingPrecision.Automatic));
    }

    private static TrainingOptions Options(TrainingPrecision precision, int epochs) =>
        new() { Epochs = epochs, BatchSize = 64, Seed = 3, ValidationFraction = 0.2, CompareWithPca = false, Precision = precision };

    private AutoencoderModel Train(IDataView data, TrainingPrecision precision, int epochs) => Train(data, Options(precision, epochs));

    private AutoencoderModel Train(IDataView data, TrainingOptions options) =>
        new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 256, 64 }, LatentSize = 16 }, options).Fit(data);
}
