using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Autoencoders.ML.IO;

/// <summary>
/// Reads a model trained elsewhere (the PyTorch package in python/autoencoders_ml): a folder with <c>model.json</c> (the
/// description, as this library writes it) and <c>weights.safetensors</c> (the network's state dict under PyTorch's
/// names, as <see cref="AutoencoderModel.ToSafetensors"/> writes it). model.json is checked as on load; the file must
/// hold exactly the network's keys, each with its shape and dtype, or it is refused naming the key.
/// </summary>
internal static class SafetensorsImport
{
    /// <summary>The weights file an imported folder holds.</summary>
    public const string WeightsFile = "weights.safetensors";

    // Header keys that are not tensors.
    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<ScalarType, (string Name, int Bytes)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4),
        [ScalarType.Float64] = ("F64", 8),
        [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2),
        [ScalarType.Int64] = ("I64", 8),
        [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2),
        [ScalarType.Int8] = ("I8", 1),
        [ScalarType.Byte] = ("U8", 1),
        [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Imports the folder <paramref name="folder"/>; see <see cref="AutoencoderModel.Import"/>.</summary>
    public static AutoencoderModel Import(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (File.Exists(folder))
        {
            throw new InvalidDataException(
                $"'{folder}' is a file; give the folder that holds {ModelArchive.ConfigFile} and {WeightsFile} (what python -m autoencoders_ml.train writes).");
        }

        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Folder '{folder}' does not exist; give the folder that holds {ModelArchive.ConfigFile} and {WeightsFile}.");
        }

        byte[] configBytes = ReadFile(folder, ModelArchive.ConfigFile);
        byte[] weights = ReadFile(folder, WeightsFile);
        var config = ModelConfigCheck.Parse(folder, configBytes);
        ModelConfigCheck.Validate(folder, config, weights.LongLength, WeightsFile);
        return ModelArchive.Build(folder, config, WeightsFile, network => Load(network, weights));
    }

    /// <summary>
    /// Copies the tensors of a safetensors file into <paramref name="network"/>'s state dict. Throws
    /// <see cref="InvalidDataException"/> naming the key when a key is missing or extra, or has another shape or dtype.
    /// </summary>
    internal static void Load(nn.Module network, byte[] file)
    {
        var entries = ReadHeader(file, out int dataStart);
        var expected = network.state_dict();
        var missing = expected.Keys.Where(k => !entries.ContainsKey(k)).ToList();
        var extra = entries.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new InvalidDataException(
                (missing.Count > 0 ? $"missing key(s) {Names(missing)}" : string.Empty) +
                (missing.Count > 0 && extra.Count > 0 ? "; " : string.Empty) +
                (extra.Count > 0 ? $"key(s) the model does not have {Names(extra)}" : string.Empty) +
                $"; the network of {ModelArchive.ConfigFile} has {expected.Count} keys ({Names(expected.Keys.ToList())}). " +
                "Save the state_dict of the network built from this model.json (autoencoders_ml.Autoencoder(config).net)");
        }

        foreach (var (key, target) in expected)
        {
            var entry = entries[key];
            var (dtype, size) = DTypes.TryGetValue(target.dtype, out var known) ? known : (target.dtype.ToString(), 0);
            if (entry.DType != dtype)
            {
                throw new InvalidDataException(
                    $"key '{key}' has dtype {entry.DType}; the model stores {dtype}. Save the weights as {dtype} (e.g. net.float() before saving)");
            }

            if (!entry.Shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException(
                    $"key '{key}' has shape [{string.Join(", ", entry.Shape)}]; {ModelArchive.ConfigFile} describes [{string.Join(", ", target.shape)}]. " +
                    "The weights are from another architecture");
            }

            long count = entry.Shape.Aggregate(1L, (a, b) => a * b);
            if (entry.End - entry.Start != count * size)
            {
                throw new InvalidDataException(
                    $"key '{key}' spans {entry.End - entry.Start} bytes; [{string.Join(", ", entry.Shape)}] of {dtype} needs {count * size}. The file is damaged");
            }

            var bytes = file.AsSpan(dataStart + (int)entry.Start, (int)(entry.End - entry.Start));
            using var noGrad = torch.no_grad();
            using var value = target.dtype switch
            {
                ScalarType.Float32 => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), entry.Shape),
                ScalarType.Int64 => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), entry.Shape),
                _ => throw new InvalidDataException($"key '{key}' is of dtype {dtype}, which this import does not read"),
            };
            target.copy_(value);
        }
    }

    /// <summary>The header of a safetensors file: 8 bytes of little-endian length, then a JSON object of tensor entries.</summary>
    private static Dictionary<string, Entry> ReadHeader(byte[] file, out int dataStart)
    {
        if (file.Length < 8)
        {
            throw new InvalidDataException($"the file has {file.Length} bytes, fewer than a safetensors header. It is truncated or not a safetensors file");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)(file.Length - 8))
        {
            throw new InvalidDataException(
                $"its header claims {headerLength} bytes but the file has {file.Length - 8} after the length. It is truncated or not a safetensors file");
        }

        dataStart = 8 + (int)headerLength;
        long dataLength = file.Length - dataStart;
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(file.AsMemory(8, (int)headerLength)).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"its header is not valid JSON ({e.Message}). It is damaged or not a safetensors file", e);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"its header is a JSON {root.ValueKind}, not an object. It is damaged or not a safetensors file");
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                continue;
            }

            entries[property.Name] = ReadEntry(property.Name, property.Value, dataLength);
        }

        return entries;
    }

    private static Entry ReadEntry(string key, JsonElement value, long dataLength)
    {
        try
        {
            string dtype = value.GetProperty("dtype").GetString() ?? throw new FormatException("dtype is null");
            long[] shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            long[] offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || shape.Any(d => d < 0))
            {
                throw new FormatException(
                    $"data_offsets [{string.Join(", ", offsets)}] and shape [{string.Join(", ", shape)}] do not fit the {dataLength} bytes of data");
            }

            return new Entry(dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"key '{key}' is not a tensor entry ({e.Message}). The file is damaged or not a safetensors file", e);
        }
    }

    private static byte[] ReadFile(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException(
                $"'{folder}' has no {name}; an imported model is a folder with {ModelArchive.ConfigFile} and {WeightsFile} (what python -m autoencoders_ml.train writes).", path);
    }

    private static string Names(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(8).Select(k => $"'{k}'")) + (keys.Count > 8 ? string.Create(CultureInfo.InvariantCulture, $", ... ({keys.Count} in all)") : string.Empty);

    private sealed record Entry(string DType, long[] Shape, long Start, long End);
}
