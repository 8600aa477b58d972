using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// AutoencoderModel.Import: a folder of model.json + weights.safetensors (what the PyTorch package writes) is a full
/// model; export → import is the identity; a file whose keys, shapes or dtypes differ from the description is refused
/// naming the key.
/// </summary>
public sealed class SafetensorsImportTests
{
    public static TheoryData<string> Kinds => new() { "dense", "variational", "convolutional", "gmvae" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ExportThenImportGivesTheSameModel(string kind)
    {
        using var model = Train(kind);
        using var folder = new TempFolder();
        WriteFolder(folder.Path, model, model.ToSafetensors());

        using var imported = AutoencoderModel.Import(folder.Path);
        var rows = kind == "convolutional" ? Mnist.Test(20) : Rows(20, 16, seed: 9);
        Assert.Equal(model.ModelKind, imported.ModelKind);
        Assert.Equal(model.Kind, imported.Kind);
        Assert.Equal(model.Spec.ToJson(), imported.Spec.ToJson());
        Assert.Equal(model.Encode(rows), imported.Encode(rows));
        Assert.Equal(model.Reconstruct(rows), imported.Reconstruct(rows));
        Assert.Equal(model.ToSafetensors(), imported.ToSafetensors());
        Assert.Equal(model.ToOnnx(OnnxGraphKind.Autoencoder), imported.ToOnnx(OnnxGraphKind.Autoencoder));
        Assert.Equal(model.History.Epochs.Select(e => e.TrainingLoss), imported.History.Epochs.Select(e => e.TrainingLoss));

        // The imported model saves and loads like a trained one.
        string saved = Path.Combine(folder.Path, "saved");
        imported.Save(saved);
        using var reloaded = AutoencoderModel.Load(saved);
        Assert.Equal(model.Reconstruct(rows), reloaded.Reconstruct(rows));
    }

    [Fact]
    public void MissingKeyIsRefusedNamingIt()
    {
        using var model = Train("variational");
        var error = RefusedWith(model, weights => weights.Remove("logVariance.bias"));
        Assert.Contains("missing key(s) 'logVariance.bias'", error.Message);
        Assert.Contains(SafetensorsImport.WeightsFile, error.Message);
    }

    [Fact]
    public void ExtraKeyIsRefusedNamingIt()
    {
        using var model = Train("dense");
        var error = RefusedWith(model, weights => weights["encoder.layers.9.weight"] = torch.zeros(2, 2));
        Assert.Contains("key(s) the model does not have 'encoder.layers.9.weight'", error.Message);
    }

    [Fact]
    public void WrongShapeIsRefusedNamingTheKeyAndBothShapes()
    {
        using var model = Train("dense");
        var error = RefusedWith(model, weights => weights["decoder.layers.0.weight"] = torch.zeros(8, 3));
        Assert.Contains("key 'decoder.layers.0.weight' has shape [8, 3]", error.Message);
        Assert.Contains("describes [8, 2]", error.Message);
    }

    [Fact]
    public void WrongDtypeIsRefusedNamingTheKey()
    {
        using var model = Train("dense");
        var error = RefusedWith(model, weights => weights["encoder.layers.0.bias"] = weights["encoder.layers.0.bias"].to_type(torch.ScalarType.Float64));
        Assert.Contains("key 'encoder.layers.0.bias' has dtype F64; the model stores F32", error.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedNamingTheKey()
    {
        using var model = Train("dense");
        var error = RefusedWith(model, weights => weights["decoder.layers.1.bias"] = torch.full(16, float.NaN));
        Assert.Contains("weights.safetensors holds NaN or infinite values in 'decoder.layers.1.bias'", error.Message);
    }

    [Fact]
    public void DamagedFilesAreRefusedAndLoadPointsToImport()
    {
        using var model = Train("dense");
        using var folder = new TempFolder();
        byte[] whole = model.ToSafetensors();
        WriteFolder(folder.Path, model, whole[..20]);
        Assert.Contains("more than the 20 bytes of weights.safetensors", Assert.Throws<InvalidDataException>(() => AutoencoderModel.Import(folder.Path)).Message);
        var header = whole.ToArray();
        header[7] = 0x7F; // a header length past the end of the file
        WriteFolder(folder.Path, model, header);
        Assert.Contains("truncated or not a safetensors file", Assert.Throws<InvalidDataException>(() => AutoencoderModel.Import(folder.Path)).Message);

        // Load does not take unchecked weights: it says to import them.
        var load = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(folder.Path));
        Assert.Contains("AutoencoderModel.Import", load.Message);

        File.Delete(Path.Combine(folder.Path, SafetensorsImport.WeightsFile));
        Assert.Contains("has no weights.safetensors", Assert.Throws<FileNotFoundException>(() => AutoencoderModel.Import(folder.Path)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => AutoencoderModel.Import(Path.Combine(folder.Path, "absent")));
    }

    private static InvalidDataException RefusedWith(AutoencoderModel model, Action<Dictionary<string, torch.Tensor>> edit)
    {
        using var scope = torch.NewDisposeScope();
        var weights = model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        edit(weights);
        using var stream = new MemoryStream();
        Safetensors.SaveStateDict(stream, weights, leaveOpen: true);
        using var folder = new TempFolder();
        WriteFolder(folder.Path, model, stream.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Import(folder.Path));
        Assert.Contains(folder.Path, error.Message);
        return error;
    }

    private static void WriteFolder(string folder, AutoencoderModel model, byte[] weights)
    {
        File.WriteAllText(Path.Combine(folder, ModelArchive.ConfigFile), ModelArchive.ConfigJson(model));
        File.WriteAllBytes(Path.Combine(folder, SafetensorsImport.WeightsFile), weights);
    }

    private static AutoencoderModel Train(string kind)
    {
        var ml = new MLContext(seed: 0);
        var training = new TrainingOptions { Epochs = 1, Seed = 1, BatchSize = 32 };
        AutoencoderOptions options = kind switch
        {
            "variational" => new VariationalAutoencoderOptions { HiddenSizes = new[] { 8 }, LatentSize = 2 },
            "gmvae" => new MixtureAutoencoderOptions { Clusters = 3, HiddenSizes = new[] { 8 }, LatentSize = 2, PretrainEpochs = 1 },
            "convolutional" => new AutoencoderOptions
            {
                HiddenSizes = new[] { 8 },
                LatentSize = 2,
                Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(1, 28, 28), Filters = new[] { 2 }, BatchNorm = true },
            },
            _ => new AutoencoderOptions { HiddenSizes = new[] { 8 }, LatentSize = 2 },
        };
        if (kind == "dense")
        {
            training.Scaling = ScalingKind.Standard; // scaling lives in model.json, not in the weights
        }

        var rows = kind == "convolutional" ? Mnist.Train(100) : Rows(100, 16, seed: 3);
        return new AutoencoderTrainer(ml, options, training).Fit(Vectors.ToDataView(ml, rows));
    }

    private static float[][] Rows(int count, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, width).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
    }

    private sealed class TempFolder : IDisposable
    {
        public TempFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ae-import-{Guid.NewGuid():N}");

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
