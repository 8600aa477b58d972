using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>TrainingOptions.Device: the CPU paths, and the errors when CUDA is asked for on a machine without it.</summary>
public sealed class DeviceTests
{
    private static AutoencoderOptions Small => new() { HiddenSizes = new[] { 16 }, LatentSize = 4 };

    [Fact]
    public void CpuAndAutomaticTrainTheSameModelOnTheCpu()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 200);
        using var cpu = new AutoencoderTrainer(ml, Small, new TrainingOptions { Epochs = 2, Device = TrainingDevice.Cpu, CompareWithPca = false }).Fit(data);
        using var automatic = new AutoencoderTrainer(ml, Small, new TrainingOptions { Epochs = 2, CompareWithPca = false }).Fit(data);
        var rows = Mnist.Test(10);
        Assert.Equal(cpu.Encode(rows).SelectMany(r => r), automatic.Encode(rows).SelectMany(r => r));

        // A GPU asked for with FallbackToCpu trains on the CPU where there is none (as ML.NET's own trainers do).
        if (!torch.cuda.is_available())
        {
            var fallback = new MLContext(seed: 0) { GpuDeviceId = 0, FallbackToCpu = true };
            using var model = new AutoencoderTrainer(fallback, Small, new TrainingOptions { Epochs = 2, CompareWithPca = false }).Fit(data);
            Assert.Equal(cpu.Encode(rows).SelectMany(r => r), model.Encode(rows).SelectMany(r => r));
        }
    }

    [Fact]
    public void CudaWithoutCudaIsAnErrorSayingWhatToAddBeforeAnyTraining()
    {
        if (torch.cuda.is_available())
        {
            return; // this machine has a GPU: the errors below cannot happen here
        }

        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 50);
        var e = Assert.Throws<InvalidOperationException>(() =>
            new AutoencoderTrainer(ml, Small, new TrainingOptions { Epochs = 1, Device = TrainingDevice.Cuda }).Fit(data));
        Assert.Contains("TrainingOptions.Device is Cuda", e.Message);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", e.Message);
        Assert.Contains("TrainingDevice.Cpu", e.Message);

        // ML.NET's settings, through mlContext.Transforms (the environment behind the catalog).
        var strict = new MLContext(seed: 0) { GpuDeviceId = 1, FallbackToCpu = false };
        var estimator = strict.Transforms.Autoencoder(new AutoencoderEstimator.Options { Model = Small, Training = new TrainingOptions { Epochs = 1 } });
        e = Assert.Throws<InvalidOperationException>(() => estimator.Fit(data));
        Assert.Contains("MLContext.GpuDeviceId is 1 and FallbackToCpu is false", e.Message);
    }

    [Fact]
    public void TheToolSaysWhatToAddForDeviceCuda()
    {
        if (torch.cuda.is_available())
        {
            return;
        }

        string folder = Path.Combine(Path.GetTempPath(), $"ae-device-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string csv = Path.Combine(folder, "rows.csv");
            File.WriteAllText(csv, "a,b,c\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"{i % 3},{i % 5},{i % 7}")) + "\n");
            var result = CliProcess.Run(folder, "train", "--data", csv, "--hidden", "4", "--latent", "2", "--epochs", "1", "--device", "cuda", "--out", Path.Combine(folder, "m"));
            Assert.NotEqual(0, result.Code);
            Assert.Contains("libtorch-cuda-12.8", result.Error);
            Assert.Contains("--device cpu", result.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
