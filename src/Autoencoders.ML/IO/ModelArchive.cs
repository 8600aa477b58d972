using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using TorchSharp;

namespace Autoencoders.ML.IO;

/// <summary>
/// Reads and writes a trained model as a folder, or a zip of the same files, that a person can read:
/// <c>model.json</c> (format, architecture, options, per-epoch history), <c>weights.bin</c> (TorchSharp weights, to
/// continue training or fine-tune), and <c>encoder.onnx</c>, <c>decoder.onnx</c>, <c>autoencoder.onnx</c>.
/// </summary>
internal static class ModelArchive
{
    public const string Format = "autoencoders-ml-model";
    public const int FormatVersion = 1;
    private const string ConfigFile = "model.json";
    private const string WeightsFile = "weights.bin";

    public static void Save(AutoencoderModel model, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var files = new List<(string Name, byte[] Content)>
        {
            (ConfigFile, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Describe(model), AutoencoderSpec.JsonOptions))),
            (WeightsFile, Weights(model)),
            ("encoder.onnx", model.ToOnnx(OnnxGraphKind.Encoder)),
            ("decoder.onnx", model.ToOnnx(OnnxGraphKind.Decoder)),
            ("autoencoder.onnx", model.ToOnnx(OnnxGraphKind.Autoencoder)),
        };

        if (IsZip(path))
        {
            AtomicFile.Write(path, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (name, content) in files)
                {
                    using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                    entry.Write(content);
                }
            });
            return;
        }

        Directory.CreateDirectory(path);
        foreach (var (name, content) in files)
        {
            AtomicFile.Write(Path.Combine(path, name), stream => stream.Write(content));
        }
    }

    public static AutoencoderModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            if (IsZip(path) || File.Exists(path))
            {
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
                }

                using var zip = ZipFile.OpenRead(path);
                return Read(path, name => zip.GetEntry(name)?.Open());
            }

            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"Model folder '{path}' does not exist.");
            }

            return Read(path, name => File.Exists(Path.Combine(path, name)) ? File.OpenRead(Path.Combine(path, name)) : null);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a readable Autoencoders.ML model: {e.Message}", e);
        }
    }

    private static AutoencoderModel Read(string path, Func<string, Stream?> open)
    {
        ModelFile config;
        using (var stream = open(ConfigFile) ?? throw NotOurs(path, $"it has no {ConfigFile}"))
        {
            try
            {
                config = JsonSerializer.Deserialize<ModelFile>(stream, AutoencoderSpec.JsonOptions) ?? throw NotOurs(path, $"{ConfigFile} is empty");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}': {ConfigFile} is not valid JSON ({e.Message}).", e);
            }
        }

        if (config.Format != Format)
        {
            throw NotOurs(path, $"{ConfigFile} has format '{config.Format}', expected '{Format}'");
        }

        if (config.FormatVersion > FormatVersion)
        {
            throw new InvalidDataException(
                $"'{path}' was written by a newer Autoencoders.ML (format {config.FormatVersion}); this version reads format {FormatVersion}. Update the package.");
        }

        TorchRuntime.EnsureInitialized();
        var network = ModelKinds.CreateNetwork(config.Architecture, config.Options);
        try
        {
            using var weights = open(WeightsFile) ?? throw NotOurs(path, $"it has no {WeightsFile}");
            using var buffer = new MemoryStream();
            weights.CopyTo(buffer);
            buffer.Position = 0;
            using var reader = new BinaryReader(buffer);
            try
            {
                network.load(reader, strict: true);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"'{path}': {WeightsFile} does not hold the weights of {config.Architecture} ({e.Message}). The file is truncated, corrupt or from another model.", e);
            }

            var history = new TrainingHistory(config.History, config.BestEpoch, config.StoppedEarly, config.MonitoredLoss);
            return new AutoencoderModel(network, config.Options, config.Training, history, config.Scaling);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static ModelFile Describe(AutoencoderModel model) => new(
        Format, FormatVersion, typeof(ModelArchive).Assembly.GetName().Version?.ToString() ?? "unknown", model.Kind,
        model.Spec, model.Options, model.Training, model.History.Epochs, model.History.BestEpoch, model.History.StoppedEarly,
        model.History.MonitoredLoss, model.Scaling);

    private static byte[] Weights(AutoencoderModel model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            model.Network.save(writer);
        }

        return buffer.ToArray();
    }

    private static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    private static InvalidDataException NotOurs(string path, string why) =>
        new($"'{path}' is not an Autoencoders.ML model: {why}. Save models with AutoencoderModel.Save.");

    /// <summary>The content of model.json.</summary>
    private sealed record ModelFile(
        string Format,
        int FormatVersion,
        string LibraryVersion,
        string Kind,
        AutoencoderSpec Architecture,
        AutoencoderOptions Options,
        TrainingOptions Training,
        IReadOnlyList<EpochReport> History,
        int BestEpoch,
        bool StoppedEarly,
        string MonitoredLoss,
        FeatureScaling? Scaling = null);
}
