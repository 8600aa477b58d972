using System;
using System.IO;
using System.Linq;
using System.Threading;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>TrainingOptions.CheckpointEvery / ResumeFrom: an interrupted run resumed from its checkpoint ends where the uninterrupted one does.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-checkpoint-{Guid.NewGuid():N}");
    private readonly MLContext ml = new(seed: 0);
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public CheckpointTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string> Runs => new() { "denoising-adam-cosine-dropout", "vae-sgd-plateau-validation" };

    [Theory]
    [MemberData(nameof(Runs))]
    public void TenEpochsInOneGoEqualFivePlusFiveResumed(string run)
    {
        var data = Mnist.TrainView(ml, 300);
        using var whole = Trainer(run, Options(run)).Fit(data);

        // The same run, interrupted after epoch 5 (right after its checkpoint), then resumed in a new trainer.
        string checkpoint = Path.Combine(folder, "run.checkpoint.zip");
        var interrupted = Options(run);
        interrupted.CheckpointEvery = 5;
        interrupted.CheckpointPath = checkpoint;
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer(run, interrupted).Fit(data, progress: new CancelAtReport(cancel, 5), cancellationToken: cancel.Token));
        Assert.True(File.Exists(checkpoint));

        var resumed = Options(run);
        resumed.ResumeFrom = checkpoint;
        using var second = Trainer(run, resumed).Fit(data);

        Assert.Equal(whole.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)), second.History.Epochs.Select(e => (e.TrainingLoss, e.ValidationLoss, e.LearningRate)));
        Assert.Equal(whole.History.BestEpoch, second.History.BestEpoch);
        var rows = Mnist.Test(50);
        Assert.Equal(whole.Reconstruct(rows).SelectMany(r => r), second.Reconstruct(rows).SelectMany(r => r));
        Assert.Equal(Weights(whole), Weights(second));

        // The saved model does not depend on the checkpoint file.
        string saved = Path.Combine(folder, "resumed.zip");
        second.Save(saved);
        File.Delete(checkpoint);
        using var loaded = AutoencoderModel.Load(saved);
        Assert.Equal(Weights(second), Weights(loaded));
    }

    [Fact]
    public void ACheckpointOfAnotherRunOrADamagedOneIsAClearError()
    {
        var data = Mnist.TrainView(ml, 300);
        string checkpoint = Path.Combine(folder, "small.zip");
        var options = Options("denoising-adam-cosine-dropout");
        options.Epochs = 2;
        options.CheckpointEvery = 1;
        options.CheckpointPath = checkpoint;
        Trainer("denoising-adam-cosine-dropout", options).Fit(data).Dispose();

        // Another architecture.
        var resume = Options("denoising-adam-cosine-dropout");
        resume.ResumeFrom = checkpoint;
        var e = Assert.Throws<InvalidDataException>(() => new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4 }, resume).Fit(data));
        Assert.Contains(checkpoint, e.Message);
        Assert.Contains("architecture: the checkpoint's is 784-32-8-32-784, this run's is 784-32-4-32-784", e.Message);

        // Another data width (the first 392 pixels).
        var narrow = ml.Data.LoadFromEnumerable(Mnist.Train(300).Select(r => new HalfRow { Features = r.Take(392).ToArray() }));
        e = Assert.Throws<InvalidDataException>(() => Trainer("denoising-adam-cosine-dropout", resume).Fit(narrow));
        Assert.Contains("data width: the checkpoint's run read 784 values per row, this run reads 392", e.Message);

        // Another option.
        var otherBatch = Options("denoising-adam-cosine-dropout");
        otherBatch.ResumeFrom = checkpoint;
        otherBatch.BatchSize = 64;
        e = Assert.Throws<InvalidDataException>(() => Trainer("denoising-adam-cosine-dropout", otherBatch).Fit(data));
        Assert.Contains("training option BatchSize: 32 in the checkpoint, 64 now", e.Message);

        // A truncated file.
        byte[] bytes = File.ReadAllBytes(checkpoint);
        string damaged = Path.Combine(folder, "damaged.zip");
        File.WriteAllBytes(damaged, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        resume.ResumeFrom = damaged;
        e = Assert.Throws<InvalidDataException>(() => Trainer("denoising-adam-cosine-dropout", resume).Fit(data));
        Assert.Contains($"'{damaged}' is not a usable checkpoint", e.Message);

        // Options are checked before anything is read.
        var noPath = new TrainingOptions { Epochs = 2, CheckpointEvery = 1 };
        Assert.Contains("needs CheckpointPath", Assert.Throws<ArgumentException>(() => noPath.Validate()).Message);
        var missing = new TrainingOptions { Epochs = 2, ResumeFrom = Path.Combine(folder, "none.zip") };
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => missing.Validate()).Message);
    }

    [Fact]
    public void OneChangedBitAnywhereInACheckpointIsRefusedNamingThePart()
    {
        // Issue 28, item 5: one flipped bit gave a different final model in 6 of 15 cases. Every part now has a SHA-256.
        const string run = "denoising-adam-cosine-dropout";
        var data = Mnist.TrainView(ml, 300);
        string checkpoint = Path.Combine(folder, "run.zip");
        var options = Options(run);
        options.Epochs = 2;
        options.CheckpointEvery = 1;
        options.CheckpointPath = checkpoint;
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer(run, options).Fit(data, progress: new CancelAtReport(cancel, 1), cancellationToken: cancel.Token));
        byte[] original = File.ReadAllBytes(checkpoint);
        var resume = Options(run);
        resume.Epochs = 2;
        resume.ResumeFrom = checkpoint;
        float[] expected;
        using (var intact = Trainer(run, resume).Fit(data))
        {
            expected = Weights(intact);
        }

        // One bit of each part's content (the zip rewritten around it, so the zip itself is sound).
        var parts = new (string Entry, string Part)[]
        {
            ("checkpoint.json", "the run's settings and position"), ("weights.bin", "the network's weights"), ("optimizer.bin", "the optimizer's state"),
            ("rng.bin", "the random generators' state"), ("checksums.json", "checksums.json"),
        };
        string damaged = Path.Combine(folder, "damaged.zip");
        resume.ResumeFrom = damaged;
        foreach (var (entry, part) in parts)
        {
            RewriteEntry(original, damaged, entry, content => content[content.Length / 2] ^= 0x04);
            var e = Assert.Throws<InvalidDataException>(() => Trainer(run, resume).Fit(data));
            Assert.Contains($"'{damaged}' is not a usable checkpoint", e.Message);
            Assert.Contains(part, e.Message);
        }

        // A missing part, and a checkpoint without its checksums.
        foreach (var entry in new[] { "rng.bin", "checksums.json" })
        {
            RewriteEntry(original, damaged, entry, content: null);
            var e = Assert.Throws<InvalidDataException>(() => Trainer(run, resume).Fit(data));
            Assert.Contains($"'{damaged}' is not a usable checkpoint: {entry}", e.Message);
        }

        // Seeded flips of raw bytes of the file: refused naming the file, or (a flip outside the content, such as a
        // timestamp) the same final model.
        var random = new Random(28);
        int refused = 0;
        for (int i = 0; i < 15; i++)
        {
            byte[] bytes = (byte[])original.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(damaged, bytes);
            try
            {
                using var model = Trainer(run, resume).Fit(data);
                Assert.Equal(expected, Weights(model));
            }
            catch (InvalidDataException e)
            {
                Assert.Contains($"'{damaged}' is not a usable checkpoint", e.Message);
                refused++;
            }
        }

        output.WriteLine($"15 raw bit flips: {refused} refused naming the file, {15 - refused} the same final model");
        Assert.True(refused > 0, "no flip was refused");
    }

    // Copies the checkpoint zip with one entry's content changed (or the entry left out when content is null).
    private static void RewriteEntry(byte[] original, string path, string name, Action<byte[]>? content)
    {
        using var source = new System.IO.Compression.ZipArchive(new MemoryStream(original));
        using var file = File.Create(path);
        using var target = new System.IO.Compression.ZipArchive(file, System.IO.Compression.ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            using var buffer = new MemoryStream();
            using (var stream = entry.Open())
            {
                stream.CopyTo(buffer);
            }

            byte[] bytes = buffer.ToArray();
            if (entry.FullName == name)
            {
                if (content == null)
                {
                    continue;
                }

                content(bytes);
            }

            using var written = target.CreateEntry(entry.FullName).Open();
            written.Write(bytes);
        }
    }

    private AutoencoderTrainer Trainer(string run, TrainingOptions training) => run.StartsWith("vae", StringComparison.Ordinal)
        ? new AutoencoderTrainer(ml, new VariationalAutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 4, Loss = ReconstructionLoss.BinaryCrossEntropy }, training)
        : new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 32 }, LatentSize = 8, Dropout = 0.1f }, training);

    private static TrainingOptions Options(string run) => run.StartsWith("vae", StringComparison.Ordinal)
        ? new TrainingOptions { Epochs = 10, BatchSize = 32, Seed = 7, CompareWithPca = false, Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, GradientClipNorm = 1.0, ValidationFraction = 0.2, ReduceOnPlateau = new PlateauSchedule { Patience = 1 }, EarlyStoppingPatience = 3 }
        : new TrainingOptions { Epochs = 10, BatchSize = 32, Seed = 7, CompareWithPca = false, CosineAnnealing = new CosineSchedule(), Corruption = CorruptionOptions.GaussianClipped(0.3) };

    private static float[] Weights(AutoencoderModel model) =>
        model.Decode(Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, model.LatentSize).Select(j => (float)Math.Sin(i + j)).ToArray()).ToList()).SelectMany(r => r)
            .Concat(model.Encode(Mnist.Train(3)).SelectMany(r => r)).ToArray();

    private sealed class HalfRow
    {
        [Microsoft.ML.Data.VectorType(392)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
