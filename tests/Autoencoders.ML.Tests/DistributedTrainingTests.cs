using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The round trip C# → PyTorch (python/autoencoders_ml, DistributedDataParallel on gloo) → C#: two processes with batch
/// B take the same steps as one with batch 2B, and the imported model's ONNX graphs give PyTorch's outputs to 1e-5.
/// Needs python3 with torch (Debian: python3-torch); skipped, saying so, without it.
/// </summary>
public sealed class DistributedTrainingTests
{
    [PyTorchTheory]
    [InlineData("dense")]
    [InlineData("variational")]
    public void TwoProcessesTakeTheStepsOfOneWithTheirJointBatchAndTheImportedOnnxGivesPyTorchsOutputs(string kind)
    {
        string work = Path.Combine(Path.GetTempPath(), $"ae-ddp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            // The description: model.json of a C# model (architecture, kind, loss, optimizer, batch, epochs, seed).
            var ml = new MLContext(seed: 0);
            var rows = Mnist.Train(512);
            AutoencoderOptions options = kind == "variational"
                ? new VariationalAutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4 }
                : new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4 };
            using (var described = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1, BatchSize = 64, Seed = 3 }).Fit(Vectors.ToDataView(ml, rows)))
            {
                File.WriteAllText(Path.Combine(work, "model.json"), ModelArchive.ConfigJson(described));
            }

            string data = Path.Combine(work, "rows.csv");
            WriteCsv(data, rows);
            string Train(string name) => Path.Combine(work, name);
            PyTorch.Run(false, "-m", "autoencoders_ml.train", "--model-json", Train("model.json"), "--data", data, "--out", Train("one"),
                "--batch-size", "64", "--epochs", "2", "--steps", "12", "--step-losses", Train("one.json"));
            PyTorch.Run(true, "-m", "autoencoders_ml.train", "--model-json", Train("model.json"), "--data", data, "--out", Train("two"),
                "--batch-size", "32", "--epochs", "2", "--steps", "12", "--step-losses", Train("two.json"));

            var one = JsonSerializer.Deserialize<double[]>(File.ReadAllText(Train("one.json")))!;
            var two = JsonSerializer.Deserialize<double[]>(File.ReadAllText(Train("two.json")))!;
            Assert.Equal(12, one.Length);
            Assert.Equal(one.Length, two.Length);
            for (int i = 0; i < one.Length; i++)
            {
                Assert.True(Math.Abs(one[i] - two[i]) <= 1e-5 * Math.Abs(one[i]), $"step {i + 1}: loss {one[i]} with 1 process, {two[i]} with 2");
            }

            using var single = AutoencoderModel.Import(Train("one"));
            using var distributed = AutoencoderModel.Import(Train("two"));
            Assert.Equal(kind == "variational" ? ModelKind.Variational : ModelKind.Autoencoder, distributed.ModelKind);
            var test = Mnist.Test(50);
            Assert.True(OnnxCheck.MaxAbsDifference(single.Reconstruct(test), distributed.Reconstruct(test).SelectMany(r => r).ToArray()) <= 1e-5);

            // The imported model's ONNX graphs against the PyTorch twin on the same rows.
            string input = Train("test.csv");
            WriteCsv(input, test);
            PyTorch.Run(false, PyTorch.Checks("twin_outputs.py"), Train("two"), input, Train("codes.csv"), Train("recon.csv"));
            using var encoder = new InferenceSession(distributed.ToOnnx(OnnxGraphKind.Encoder));
            using var autoencoder = new InferenceSession(distributed.ToOnnx(OnnxGraphKind.Autoencoder));
            string code = kind == "variational" ? OnnxNames.Mean : OnnxNames.Latent;
            var codes = ReadCsv(Train("codes.csv"));
            var reconstructions = ReadCsv(Train("recon.csv"));
            OnnxCheck.AssertVaries(reconstructions, "the twin's reconstruction");
            Assert.InRange(OnnxCheck.MaxAbsDifference(codes, OnnxCheck.Run(encoder, OnnxNames.Features, test)[code]), 0, OnnxCheck.Tolerance);
            Assert.InRange(OnnxCheck.MaxAbsDifference(reconstructions, OnnxCheck.Run(autoencoder, OnnxNames.Features, test)[OnnxNames.Reconstruction]), 0, OnnxCheck.Tolerance);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void WriteCsv(string path, IReadOnlyList<float[]> rows) =>
        File.WriteAllLines(path, new[] { string.Join(',', Enumerable.Range(0, rows[0].Length).Select(j => $"p{j}")) }
            .Concat(rows.Select(r => string.Join(',', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))));

    private static List<float[]> ReadCsv(string path) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
}

/// <summary>python3 with torch, and the repository's python/ folder, for the tests of the PyTorch round trip.</summary>
internal static class PyTorch
{
    /// <summary>A python3 that imports torch (/usr/bin/python3 first: Debian's python3-torch), or null.</summary>
    public static readonly string? Python = Find();

    /// <summary>The repository's python/ folder (holding autoencoders_ml).</summary>
    public static readonly string? Folder = FindFolder();

    /// <summary>A script of python/checks.</summary>
    public static string Checks(string script) => Path.Combine(Folder!, "checks", script);

    /// <summary>Runs python (or, with <paramref name="twoProcesses"/>, torch.distributed.run with 2 processes) with <paramref name="arguments"/>; fails with its output unless it exits 0.</summary>
    public static void Run(bool twoProcesses, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (twoProcesses)
        {
            // --redirects/--tee 2: torch 1.13's launcher fails on Python 3.11 with its defaults.
            foreach (string argument in new[] { "-m", "torch.distributed.run", "--nproc_per_node", "2", "--redirects", "2", "--tee", "2" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = Folder;
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{output.Result}\n{error}");
    }

    private static string? Find()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, "-c \"import torch, numpy; assert torch.distributed.is_available()\"")
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                })!;
                process.WaitForExit();
                if (process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed
            }
        }

        return null;
    }

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "python");
            if (Directory.Exists(Path.Combine(candidate, "autoencoders_ml")))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A theory that needs python3 with torch (Debian: <c>apt-get install python3-torch</c>); skipped, saying so, without it.</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        if (PyTorch.Python == null || PyTorch.Folder == null)
        {
            Skip = PyTorch.Folder == null
                ? "The repository's python/autoencoders_ml was not found above the test binaries."
                : "python3 with torch is not installed; install it with 'apt-get install -y python3-torch python3-numpy' to run the PyTorch round-trip test.";
        }
    }
}
