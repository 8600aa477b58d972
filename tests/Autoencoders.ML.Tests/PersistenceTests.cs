using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Data;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>mlContext.Model.Save/Load, our own model folder and zip, and broken files.</summary>
public sealed class PersistenceTests : IClassFixture<TrainedTransformFixture>, IDisposable
{
    private readonly TrainedTransformFixture fixture;
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-persistence-{Guid.NewGuid():N}");

    public PersistenceTests(TrainedTransformFixture fixture)
    {
        this.fixture = fixture;
        Directory.CreateDirectory(folder);
    }

    private MLContext Ml => fixture.Ml;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void PipelineWithNormalizerBeforeAndTrainerAfterLoadsInAProcessWithoutThisAssembly()
    {
        // The label is keyed beforehand so that the saved pipeline needs only Features at scoring time.
        var labeled = LabeledMnist(1500);
        var train = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(labeled).Transform(labeled);
        var pipeline = Ml.Transforms.NormalizeMinMax("Features")
            .Append(Ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
            {
                Columns = new AutoencoderColumns { ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" },
                Model = new AutoencoderOptions { HiddenSizes = new[] { 64 }, LatentSize = 8 },
                Training = new TrainingOptions { Epochs = 2 },
            }))
            .Append(Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Latent"));
        var model = pipeline.Fit(train);
        string zip = Path.Combine(folder, "pipeline.zip");
        Ml.Model.Save(model, train.Schema, zip);

        float[][] rows = Mnist.Test(100);
        var expected = model.Transform(Vectors.ToDataView(Ml, rows, size: 784));
        string input = Path.Combine(folder, "input.json");
        string output = Path.Combine(folder, "output.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new { column = "Features", rows }));
        RunLoadCheck(zip, input, output);

        using var result = JsonDocument.Parse(File.ReadAllText(output));
        // ML.NET's OnnxTransformer cannot emit a scalar: after loading, Error is a 1-element vector with the same value.
        var stages = result.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("OnnxTransformer", stages);
        var columns = result.RootElement.GetProperty("columns");
        foreach (string name in new[] { "Latent", "Reconstruction", "Error", "Score" })
        {
            float[][] loaded = columns.GetProperty(name).Deserialize<float[][]>()!;
            float[][] original = name == "Error"
                ? expected.GetColumn<float>(name).Select(v => new[] { v }).ToArray()
                : expected.GetColumn<float[]>(name).ToArray();
            Assert.True(TransformTests.MaxAbsDifference(loaded, original) <= 1e-6, $"{name} differs after loading");
        }
    }

    [Fact]
    public void InPlaceEncodingOfAnyColumnSavesAndLoads()
    {
        // Input and output both "Pixels": the code replaces its input column, the usual way to feed a trainer that reads it.
        var train = Vectors.ToDataView(Ml, Mnist.Train(500), "Pixels");
        using var transformer = Ml.Transforms.Autoencoder("Pixels", "Pixels", latentSize: 8, hiddenSizes: new[] { 32 }, epochs: 1).Fit(train);
        var test = Vectors.ToDataView(Ml, Mnist.Test(50), "Pixels");
        var expected = transformer.Transform(test).GetColumn<float[]>("Pixels").ToArray();
        Assert.Equal(8, expected[0].Length);

        string zip = Path.Combine(folder, "inplace.zip");
        Ml.Model.Save(transformer, train.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out var schema);
        Assert.Equal(784, ((VectorDataViewType)schema["Pixels"].Type).Size);
        var actual = loaded.Transform(test).GetColumn<float[]>("Pixels").ToArray();
        Assert.True(TransformTests.MaxAbsDifference(actual, expected) <= 1e-6);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("model.zip")]
    public void ModelRoundTripsThroughFolderAndZip(string name)
    {
        var model = fixture.Transformer.Model;
        string path = Path.Combine(folder, name);
        model.Save(path);
        using var loaded = AutoencoderModel.Load(path);
        float[][] rows = Mnist.Test(50);
        Assert.Equal(model.Spec.ToString(), loaded.Spec.ToString());
        Assert.Equal(model.History.Epochs.Select(e => e.TrainingLoss), loaded.History.Epochs.Select(e => e.TrainingLoss));
        Assert.Equal(model.Training.Epochs, loaded.Training.Epochs);
        Assert.Equal(0, TransformTests.MaxAbsDifference(model.Reconstruct(rows), loaded.Reconstruct(rows)));
        Assert.Equal(model.ToOnnx(OnnxGraphKind.Autoencoder), loaded.ToOnnx(OnnxGraphKind.Autoencoder));

        // A person can read it: the files are there under their contract names.
        var files = name.EndsWith(".zip", StringComparison.Ordinal)
            ? ZipFile.OpenRead(path).Entries.Select(e => e.FullName).ToArray()
            : Directory.GetFiles(path).Select(Path.GetFileName).ToArray();
        Assert.Equal(new[] { "autoencoder.onnx", "decoder.onnx", "encoder.onnx", "manifest.json", "model.json", "weights.bin" }, files.OrderBy(f => f, StringComparer.Ordinal));

        // A loaded model becomes a transform again without training.
        var data = Vectors.ToDataView(Ml, rows);
        using var transform = Ml.Transforms.ApplyAutoencoder(loaded).Fit(data);
        var latent = transform.Transform(data).GetColumn<float[]>("Latent").ToArray();
        Assert.True(TransformTests.MaxAbsDifference(latent, model.Encode(rows)) <= 1e-5);
    }

    [Fact]
    public void BrokenModelFilesGiveClearErrors()
    {
        string good = Path.Combine(folder, "good.zip");
        fixture.Transformer.Model.Save(good);

        string truncated = Path.Combine(folder, "truncated.zip");
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.ThrowsAny<Exception>(() => AutoencoderModel.Load(truncated));
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains(truncated, e.Message);

        string notOurs = Path.Combine(folder, "other.zip");
        using (var zip = ZipFile.Open(notOurs, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }

        e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(notOurs));
        Assert.Contains("is not an Autoencoders.ML model", e.Message);

        string badWeights = Path.Combine(folder, "badweights");
        fixture.Transformer.Model.Save(badWeights);
        var weights = File.ReadAllBytes(Path.Combine(badWeights, "weights.bin"));
        File.WriteAllBytes(Path.Combine(badWeights, "weights.bin"), weights[..(weights.Length - 100)]);
        e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(badWeights));
        Assert.Contains("weights.bin", e.Message);

        string badJson = Path.Combine(folder, "badjson");
        fixture.Transformer.Model.Save(badJson);
        File.WriteAllText(Path.Combine(badJson, "model.json"), "{ not json");
        e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(badJson));
        Assert.Contains("model.json is not valid JSON", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => AutoencoderModel.Load(Path.Combine(folder, "nothing-here")));
    }

    [Fact]
    public void ExportToAnUnwritablePathFailsAndLeavesNothing()
    {
        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<IOException>(() => fixture.Transformer.Model.ExportOnnx(Path.Combine(file, "encoder.onnx"), OnnxGraphKind.Encoder));
        Assert.Contains("is a file, not a directory", e.Message);
        Assert.Equal(new[] { file }, Directory.GetFiles(folder));
    }

    private IDataView LabeledMnist(int rows) =>
        Ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), 1f / 255, rows);

    internal static void RunLoadCheck(string zip, string input, string output)
    {
        string tests = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string program = Path.Combine(tests.Replace("Autoencoders.ML.Tests", "Autoencoders.ML.LoadCheck"), "Autoencoders.ML.LoadCheck.dll");
        Assert.True(File.Exists(program), $"{program} was not built");
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(program)!, "Autoencoders.ML.dll")), "the load check must not see our assembly");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { program, zip, input, output })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"load check failed: {stderr}");
    }
}
