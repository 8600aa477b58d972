using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary><see cref="TrainingOptions.Runs"/>: several trainings from different seeds, the lowest loss kept.</summary>
public sealed class TrainingRunsTests
{
    private static AutoencoderOptions Small() => new() { HiddenSizes = new[] { 32 }, LatentSize = 4 };

    private static float[] Weights(AutoencoderModel model) =>
        model.Network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();

    [Fact]
    public void KeepsTheRunWithTheLowestLossAndItIsTheSingleRunOfItsSeed()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 600);
        var reports = new System.Collections.Generic.List<EpochReport>();
        using var best = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2, Seed = 5, Runs = 3, ValidationFraction = 0.2 })
            .Fit(data, progress: new Inline(reports.Add));

        var losses = best.History.RunLosses!;
        Assert.Equal(3, losses.Count);
        Assert.Equal(3, losses.Distinct().Count()); // three different seeds, three different trainings
        Assert.Equal(Array.IndexOf(losses.ToArray(), losses.Min()) + 1, best.History.ChosenRun);
        Assert.Equal(losses.Min(), best.History.Epochs[^1].ValidationLoss!.Value, 12); // the kept loss is the kept run's own
        Assert.Equal(new[] { 1, 1, 2, 2, 3, 3 }, reports.Select(r => r.Run));
        Assert.All(reports, r => Assert.Equal(3, r.Runs));
        Assert.StartsWith("run 2/3  epoch 1/2", reports[2].ToString());

        // Run 1 is the single run of the base seed, to the bit.
        using var alone = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2, Seed = 5, ValidationFraction = 0.2 }).Fit(data);
        Assert.Equal(losses[0], alone.History.Epochs[^1].ValidationLoss!.Value);
        if (best.History.ChosenRun == 1)
        {
            Assert.Equal(Weights(alone), Weights(best));
        }

        Assert.Null(alone.History.RunLosses);
        Assert.Equal(1, alone.History.ChosenRun);

        // Without a validation split (which follows the base seed), the kept model is the lone run of its own seed, whichever it is.
        using var kept = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2, Seed = 5, Runs = 3 }).Fit(data);
        int keptSeed = 5 + (TrainingOptions.RunSeedStride * (kept.History.ChosenRun - 1));
        using var same = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 2, Seed = keptSeed }).Fit(data);
        Assert.Equal(Weights(same), Weights(kept));
        Assert.Equal(kept.History.RunLosses!.Min(), same.History.Epochs[^1].TrainingLoss);
    }

    [Fact]
    public void RunsAndThePcaYardstickAreSavedAndADamagedChoiceIsRefused()
    {
        var ml = new MLContext(seed: 0);
        using var model = new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 1, Runs = 2, ValidationFraction = 0.2 }).Fit(Mnist.TrainView(ml, 300));
        Assert.NotNull(model.History.Pca); // measured on the validation rows for the kept run
        string folder = Path.Combine(Path.GetTempPath(), $"ae-runs-{Guid.NewGuid():N}");
        try
        {
            model.Save(folder);
            using (var loaded = AutoencoderModel.Load(folder))
            {
                Assert.Equal(model.History.RunLosses, loaded.History.RunLosses);
                Assert.Equal(model.History.ChosenRun, loaded.History.ChosenRun);
                Assert.Equal(2, loaded.Training.Runs);
                Assert.Equal(model.History.Pca, loaded.History.Pca); // the PCA yardstick is saved with the model
            }

            string json = Path.Combine(folder, "model.json");
            // As a format-1 folder (no manifest, whose checksum would catch any edit first), with a run that was never made.
            File.Delete(Path.Combine(folder, "manifest.json"));
            File.WriteAllText(json, File.ReadAllText(json)
                .Replace("\"formatVersion\": 2", "\"formatVersion\": 1", StringComparison.Ordinal)
                .Replace($"\"chosenRun\": {model.History.ChosenRun}", "\"chosenRun\": 3", StringComparison.Ordinal));
            var error = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(folder));
            Assert.Contains("chosenRun 3", error.Message);

            // A run that was made but is not the lowest is refused too.
            int other = 3 - model.History.ChosenRun;
            File.WriteAllText(json, File.ReadAllText(json).Replace("\"chosenRun\": 3", $"\"chosenRun\": {other}", StringComparison.Ordinal));
            var notLowest = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(folder));
            Assert.Contains("would have been kept", notLowest.Message);

            // Run losses that do not match the runs of the training options, with the kept run put back.
            File.WriteAllText(json, File.ReadAllText(json)
                .Replace($"\"chosenRun\": {other}", $"\"chosenRun\": {model.History.ChosenRun}", StringComparison.Ordinal)
                .Replace("\"runs\": 2", "\"runs\": 3", StringComparison.Ordinal));
            var mismatch = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(folder));
            Assert.Contains("for training options of 3 run(s)", mismatch.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void BadRunsAreRefusedBeforeTraining()
    {
        var ml = new MLContext(seed: 0);
        var data = Mnist.TrainView(ml, 100);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(ml, Small(), new TrainingOptions { Epochs = 1, Runs = 0 }).Fit(data));
        Assert.Equal(nameof(TrainingOptions.Runs), zero.ParamName);
        string checkpoint = Path.Combine(Path.GetTempPath(), $"ae-runs-{Guid.NewGuid():N}.zip");
        var withCheckpoint = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(
            ml, Small(), new TrainingOptions { Epochs = 1, Runs = 2, CheckpointEvery = 1, CheckpointPath = checkpoint }).Fit(data));
        Assert.Equal(nameof(TrainingOptions.Runs), withCheckpoint.ParamName);
        Assert.Contains("CheckpointEvery", withCheckpoint.Message);
        Assert.False(File.Exists(checkpoint));
    }

    [Fact]
    public void MixtureKindRepeatsItsPretrainingAndInitialisationPerRun()
    {
        var ml = new MLContext(seed: 0);
        var messages = new System.Collections.Generic.List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.Message);
            }
        };
        var options = new MixtureAutoencoderOptions { Clusters = 3, HiddenSizes = new[] { 32 }, LatentSize = 2, PretrainEpochs = 1 };
        using var model = new AutoencoderTrainer(ml, options, new TrainingOptions { Epochs = 1, Runs = 2 }).Fit(Mnist.TrainView(ml, 300));
        lock (messages)
        {
            Assert.Equal(2, messages.Count(m => m.Contains("Mixture VAE prior initialised", StringComparison.Ordinal)));
            Assert.Contains(messages, m => m.Contains($"Kept run {model.History.ChosenRun} of 2", StringComparison.Ordinal));
        }
    }

    private sealed class Inline : IProgress<EpochReport>
    {
        private readonly Action<EpochReport> report;

        public Inline(Action<EpochReport> report) => this.report = report;

        public void Report(EpochReport value) => report(value);
    }
}
