using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;

namespace Autoencoders.ML.IO;

/// <summary>
/// Reads and writes a trained model as a folder, or a zip of the same files, that a person can read:
/// <c>model.json</c> (format, architecture, options, per-epoch history), <c>weights.bin</c> (TorchSharp weights, to
/// continue training or fine-tune), <c>encoder.onnx</c>, <c>decoder.onnx</c>, <c>autoencoder.onnx</c>, and
/// <c>manifest.json</c> with the size and SHA-256 of each of them, checked on load. A folder is built beside the target
/// and swapped in, a zip is written to a temporary file and renamed: a failed save leaves the previous model intact.
/// Format 1 (no manifest) still loads.
/// </summary>
internal static class ModelArchive
{
    public const string Format = "autoencoders-ml-model";
    public const int FormatVersion = 2;
    internal const string ConfigFile = "model.json";
    internal const string WeightsFile = "weights.bin";

    /// <summary>Test seam: called with each file name before it is written (simulates a failure mid-save).</summary>
    internal static readonly AsyncLocal<Action<string>?> BeforeEachFile = new();

    /// <summary>Every file of a model, the manifest aside.</summary>
    internal static readonly string[] ModelFiles = { ConfigFile, WeightsFile, "encoder.onnx", "decoder.onnx", "autoencoder.onnx" };

    public static void Save(AutoencoderModel model, string path) => Save(model, path, Array.Empty<(string, byte[])>());

    /// <summary>
    /// Saves <paramref name="model"/> with a task's files beside it (e.g. <c>classifier.json</c>), listed in the
    /// manifest with their checksums like the model's own: a folder (replaced atomically) or a <c>.zip</c>.
    /// </summary>
    internal static void Save(AutoencoderModel model, string path, IReadOnlyList<(string Name, byte[] Content)> extra)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var files = Files(model, notes: null, extra);
        if (IsZip(path))
        {
            AtomicFile.Write(path, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (name, content) in files)
                {
                    BeforeEachFile.Value?.Invoke(name);
                    using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                    entry.Write(content);
                }
            });
            return;
        }

        AtomicFolder.Write(path, staging => WriteFiles(staging, files), IsModelFolder, NotReplaced);
    }

    /// <summary>
    /// Writes the model's files, with <paramref name="notes"/> as extra top-level properties of model.json, into
    /// <paramref name="folder"/> (an empty staging folder of the caller, e.g. the command-line tool's output folder).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="folder">The empty staging folder.</param>
    /// <param name="notes">Extra top-level properties of model.json, or null.</param>
    /// <param name="extra">A task's files written beside the model's and listed in the manifest (none by default).</param>
    internal static void SaveInto(AutoencoderModel model, string folder, IReadOnlyDictionary<string, JsonNode?>? notes, IReadOnlyList<(string Name, byte[] Content)>? extra = null) =>
        WriteFiles(folder, Files(model, notes, extra ?? Array.Empty<(string, byte[])>()));

    /// <summary>
    /// Loads a model saved with <see cref="Save(AutoencoderModel, string, IReadOnlyList{ValueTuple{string, byte[]}})"/>
    /// and the task's files <paramref name="extraNames"/>, each checked against the manifest: a missing, unlisted or
    /// changed file is an <see cref="InvalidDataException"/> naming the model and the file.
    /// </summary>
    internal static (AutoencoderModel Model, byte[][] Extra) Load(string path, params string[] extraNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Func<string, byte[]?> read;
        if (IsZip(path) || File.Exists(path))
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
            }

            read = ReadZip(path, extraNames);
        }
        else
        {
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"Model folder '{path}' does not exist.{SetAside(path)}");
            }

            read = name =>
            {
                string file = Path.Combine(path, name);
                return File.Exists(file) ? File.ReadAllBytes(file) : null;
            };
        }

        // Read once: what is verified is what is used.
        var cached = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        byte[]? Cached(string name) => cached.TryGetValue(name, out var bytes) ? bytes : cached[name] = read(name);
        var manifestBytes = Cached(ModelManifest.FileName)
            ?? throw new InvalidDataException($"'{path}': {ModelManifest.FileName} is missing, so its files cannot be checked. Save it again.");
        var manifest = ModelManifest.Read(path, manifestBytes);
        var extra = extraNames.Select(name =>
        {
            var content = Cached(name);
            manifest.Verify(path, name, content);
            return content!;
        }).ToArray();
        return (Read(path, Cached), extra);
    }

    /// <summary>Whether <paramref name="folder"/> holds a saved model (so that saving over it may replace it as a whole).</summary>
    internal static bool IsModelFolder(string folder) =>
        new[] { ModelManifest.FileName, ConfigFile }.Any(name =>
        {
            string file = Path.Combine(folder, name);
            try
            {
                return File.Exists(file) && File.ReadAllText(file).Contains($"\"{Format}\"", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });

    /// <summary>Why a folder is not replaced by a save.</summary>
    internal static string NotReplaced(string folder) =>
        $"Cannot save the model to '{folder}': the folder exists and is not a saved model (it holds " +
        $"{string.Join(", ", Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Take(3))}" +
        $"{(Directory.EnumerateFileSystemEntries(folder).Skip(3).Any() ? ", ..." : string.Empty)}). Saving replaces the whole folder, " +
        "so choose a new or empty folder.";

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

                return FromPipeline(path) ?? Read(path, ReadZip(path));
            }

            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException($"Model folder '{path}' does not exist.{SetAside(path)}");
            }

            // A folder with only an ML.NET model.zip (e.g. the QuickStart's output) loads from the zip.
            string pipeline = Path.Combine(path, "model.zip");
            if (!File.Exists(Path.Combine(path, ConfigFile)) && !File.Exists(Path.Combine(path, ModelManifest.FileName)) && File.Exists(pipeline))
            {
                return FromPipeline(pipeline) ?? throw NotOurs(path, $"it has no {ConfigFile} and its model.zip is not an ML.NET model zip");
            }

            // Weights trained elsewhere (PyTorch) have no checksums: importing them is a separate, explicit step.
            if (!File.Exists(Path.Combine(path, WeightsFile)) && !File.Exists(Path.Combine(path, ModelManifest.FileName))
                && File.Exists(Path.Combine(path, SafetensorsImport.WeightsFile)))
            {
                throw new InvalidDataException(
                    $"'{path}' holds {SafetensorsImport.WeightsFile} and no {WeightsFile}: weights trained outside this library. " +
                    "Import them with AutoencoderModel.Import (or 'autoencoders import --from DIR --out DIR'), which checks every key.");
            }

            return Read(path, name =>
            {
                string file = Path.Combine(path, name);
                return File.Exists(file) ? File.ReadAllBytes(file) : null;
            });
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a readable Autoencoders.ML model: {e.Message}", e);
        }
    }

    /// <summary>
    /// The model inside an ML.NET model zip (<c>mlContext.Model.Save</c> of a pipeline with an autoencoder transform), or
    /// null if <paramref name="path"/> is not an ML.NET model zip.
    /// </summary>
    private static AutoencoderModel? FromPipeline(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            return null; // not a zip at all: ReadZip says so
        }

        using (zip)
        {
            if (!SavedPipeline.IsPipeline(zip))
            {
                return null;
            }

            var graphs = SavedPipeline.Graphs(zip, path).Values.ToList();
            if (graphs.Count == 0)
            {
                // Saved by an earlier version: the scoring graph holds the architecture and, for an autoencoder
                // transform, every weight.
                var earlier = SavedPipeline.EarlierGraphs(zip, path);
                return earlier.Count switch
                {
                    0 => throw new InvalidDataException(
                        $"'{path}' is an ML.NET model zip without an Autoencoders.ML transform in it. Pass the model folder written by 'train' or AutoencoderModel.Save, or a pipeline saved with an autoencoder transform."),
                    1 => GraphWeights.Read(earlier[0].Proto, $"{path}!{earlier[0].Entry}"),
                    _ => throw new InvalidDataException(
                        $"'{path}' holds {earlier.Count} autoencoder graphs ({string.Join(", ", earlier.Select(g => g.Entry))}). Save the pipeline again with this version and load it with mlContext.Model.LoadAutoencoderPipeline."),
                };
            }

            var models = graphs.Select(g => EmbeddedModel.Checksum(g.Proto)).Distinct().ToList();
            if (models.Count > 1)
            {
                throw new InvalidDataException(
                    $"'{path}' holds {models.Count} different autoencoder models ({string.Join(", ", graphs.Select(g => g.Folder))}). Load it with mlContext.Model.LoadAutoencoderPipeline and take each transform's Model.");
            }

            return SavedPipeline.Model(graphs[0], path);
        }
    }

    // A save interrupted between its two renames leaves the previous model under a hidden name beside the target.
    private static string SetAside(string path)
    {
        try
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            string? parent = Path.GetDirectoryName(full);
            string? previous = parent == null || !Directory.Exists(parent)
                ? null
                : Directory.EnumerateDirectories(parent, $".{Path.GetFileName(full)}.replaced-*").FirstOrDefault();
            return previous == null
                ? string.Empty
                : $" A save to it was interrupted; the previous model is in '{previous}': rename that folder to '{full}' to use it.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return string.Empty;
        }
    }

    /// <summary>The model.json text of <paramref name="model"/> (architecture, options, training, history, scaling).</summary>
    internal static string ConfigJson(AutoencoderModel model) =>
        JsonSerializer.SerializeToNode(Describe(model), AutoencoderSpec.JsonOptions)!.ToJsonString(AutoencoderSpec.JsonOptions);

    private static List<(string Name, byte[] Content)> Files(
        AutoencoderModel model, IReadOnlyDictionary<string, JsonNode?>? notes, IReadOnlyList<(string Name, byte[] Content)> extra)
    {
        var config = JsonSerializer.SerializeToNode(Describe(model), AutoencoderSpec.JsonOptions)!.AsObject();
        foreach (var (key, value) in notes ?? new Dictionary<string, JsonNode?>())
        {
            config[key] = value?.DeepClone();
        }

        var files = new List<(string Name, byte[] Content)>
        {
            (ConfigFile, Encoding.UTF8.GetBytes(config.ToJsonString(AutoencoderSpec.JsonOptions))),
            (WeightsFile, Weights(model)),
            ("encoder.onnx", model.ToOnnx(OnnxGraphKind.Encoder)),
            ("decoder.onnx", model.ToOnnx(OnnxGraphKind.Decoder)),
            ("autoencoder.onnx", model.ToOnnx(OnnxGraphKind.Autoencoder)),
        };
        files.AddRange(extra.Where(e => files.All(f => f.Name != e.Name)));
        files.Add((ModelManifest.FileName, ModelManifest.Describe(files).ToBytes()));
        return files;
    }

    private static void WriteFiles(string folder, IEnumerable<(string Name, byte[] Content)> files)
    {
        foreach (var (name, content) in files)
        {
            BeforeEachFile.Value?.Invoke(name);
            AtomicFolder.WriteFile(Path.Combine(folder, name), content);
        }
    }

    // Reads the zip's entries up front: a damaged zip fails here, whatever the exception the damage causes.
    private static Func<string, byte[]?> ReadZip(string path, params string[] extraNames)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (!ModelFiles.Contains(entry.FullName) && entry.FullName != ModelManifest.FileName && !extraNames.Contains(entry.FullName))
                {
                    continue;
                }

                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                entries[entry.FullName] = buffer.ToArray();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a readable zip ({e.Message}). The file is truncated or damaged; save the model again.", e);
        }

        return name => entries.TryGetValue(name, out var content) ? content : null;
    }

    /// <summary>The two files that make a model whole (model.json and weights.bin), for a copy kept inside another file.</summary>
    internal static (byte[] Config, byte[] Weights) Essentials(AutoencoderModel model) =>
        (Encoding.UTF8.GetBytes(ConfigJson(model)), Weights(model));

    /// <summary>Rebuilds a model from <see cref="Essentials"/> (checked by the caller); <paramref name="source"/> names it in errors.</summary>
    internal static AutoencoderModel FromEssentials(string source, byte[] config, byte[] weights) =>
        Read(source, name => name switch { ConfigFile => config, WeightsFile => weights, _ => null }, embedded: true);

    private static AutoencoderModel Read(string path, Func<string, byte[]?> read, bool embedded = false)
    {
        byte[]? manifestBytes = read(ModelManifest.FileName);
        var manifest = manifestBytes == null ? null : ModelManifest.Read(path, manifestBytes);
        var contents = ModelFiles.ToDictionary(name => name, read);
        if (manifest == null && contents[ConfigFile] == null)
        {
            throw NotOurs(path, $"it has no {ConfigFile}");
        }

        // Parsing first gives the more telling message for a hand-edited file ("not valid JSON"); the checksums then
        // catch every change that still parses.
        var config = contents[ConfigFile] is byte[] configBytes ? ModelConfigCheck.Parse(path, configBytes) : null;
        if (manifest != null)
        {
            foreach (string name in ModelFiles)
            {
                manifest.Verify(path, name, contents[name]);
            }
        }

        if (config == null)
        {
            throw NotOurs(path, $"it has no {ConfigFile}");
        }
        if (manifest == null && config.FormatVersion >= 2 && !embedded)
        {
            throw new InvalidDataException(
                $"'{path}': {ModelManifest.FileName} is missing ({ConfigFile} is format {config.FormatVersion}, which has one). " +
                "Restore the file or save the model again.");
        }

        if (manifest != null && manifest.FormatVersion != config.FormatVersion)
        {
            throw new InvalidDataException(
                $"'{path}': {ModelManifest.FileName} has format version {manifest.FormatVersion} but {ConfigFile} has {config.FormatVersion}. Save the model again.");
        }

        byte[] weights = contents[WeightsFile] ?? throw NotOurs(path, $"it has no {WeightsFile}");
        ModelConfigCheck.Validate(path, config, weights.LongLength);
        return Build(path, config, WeightsFile, network =>
        {
            using var reader = new BinaryReader(new MemoryStream(weights));
            network.load(reader, strict: true);
        });
    }

    /// <summary>
    /// The model that <paramref name="config"/> (parsed and validated) describes, its network filled by
    /// <paramref name="loadWeights"/>: any failure there is an <see cref="InvalidDataException"/> naming
    /// <paramref name="weightsFile"/>, and weights with NaN or ∞ are refused.
    /// </summary>
    internal static AutoencoderModel Build(string path, ModelFile config, string weightsFile, Action<AutoencoderModule> loadWeights)
    {
        TorchRuntime.EnsureInitialized();
        AutoencoderModule network;
        try
        {
            network = ModelKinds.CreateNetwork(config.Architecture, config.Options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}': {ConfigFile} describes a network that cannot be built ({e.Message}). Save the model again.", e);
        }

        try
        {
            try
            {
                loadWeights(network);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException(
                    $"'{path}': {weightsFile} does not hold the weights of {config.Architecture} ({e.Message}). The file is truncated, corrupt or from another model.", e);
            }

            ModelConfigCheck.CheckFinite(path, network, weightsFile);
            var history = new TrainingHistory(config.History, config.BestEpoch, config.StoppedEarly, config.MonitoredLoss, config.Pca)
            {
                RunLosses = config.RunLosses,
                ChosenRun = config.ChosenRun,
            };
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
        model.History.MonitoredLoss, model.Scaling, model.History.RunLosses, model.History.ChosenRun, model.History.Pca);

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

    internal static InvalidDataException NotOurs(string path, string why) =>
        new($"'{path}' is not an Autoencoders.ML model: {why}. Save models with AutoencoderModel.Save.");
}
