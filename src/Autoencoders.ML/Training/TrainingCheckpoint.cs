using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autoencoders.ML.IO;
using Autoencoders.ML.Training.Optimizers;

namespace Autoencoders.ML.Training;

/// <summary>
/// A training run's checkpoint (<see cref="TrainingOptions.CheckpointEvery"/>, <see cref="TrainingOptions.ResumeFrom"/>):
/// a zip, replaced atomically, holding <c>checkpoint.json</c> (what the run is — architecture, loss, training options,
/// data rows and widths — and where it is: epoch, schedule steps, shuffle draws, learning rate, early stopping, history),
/// <c>weights.bin</c> (the network), <c>optimizer.bin</c> (moment buffers and step count; <c>optimizer-2.bin</c> and on
/// for a run with several parameter groups), <c>best.bin</c> (early stopping's kept weights, if any), <c>rng.bin</c>
/// (torch's generator and the corruption noise generator) and <c>hooks.bin</c> (what the run's hooks keep between steps,
/// if anything: the fine-tuning's batch positions and generators).
/// </summary>
/// <remarks>
/// A last entry, <c>checksums.json</c>, holds the SHA-256 of every other entry's content; it is verified before anything
/// is read, so that one changed bit anywhere is refused naming the file and the part. Version 1 checkpoints (written
/// before the checksums) still resume, unchecked.
/// </remarks>
internal static class TrainingCheckpoint
{
    public const string Format = "autoencoders-ml-checkpoint";
    public const int Version = 2;
    private const string HeaderFile = "checkpoint.json";
    private const string WeightsFile = "weights.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string BestFile = "best.bin";
    private const string RngFile = "rng.bin";
    private const string HooksFile = "hooks.bin";
    private const string ChecksumsFile = "checksums.json";

    /// <summary>The options a resumed run may change: they do not change what is computed.</summary>
    private static readonly string[] Free = { "threads", "device", "checkpointEvery", "checkpointPath", "resumeFrom" };

    /// <summary>The training options as a checkpoint records them.</summary>
    /// <remarks>
    /// The precision is always written (a model file leaves out the default Float32); a checkpoint written before the
    /// option existed was trained in float32.
    /// </remarks>
    public static JsonObject Fingerprint(TrainingOptions options)
    {
        var fingerprint = JsonSerializer.SerializeToNode(options, AutoencoderSpec.JsonOptions)!.AsObject();
        fingerprint[PrecisionKey] = options.Precision.ToString();
        fingerprint.Remove(RunsKey); // a checkpointed run is always one run (Runs = 1): checkpoints written before the option resume
        return fingerprint;
    }

    private const string PrecisionKey = "precision";

    private const string RunsKey = "runs";

    /// <summary>Writes the checkpoint after <paramref name="epoch"/>.</summary>
    public static void Write(string path, int epoch, long schedulerSteps, RunIdentity identity, TrainingState state)
    {
        var header = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["epoch"] = epoch,
            ["identity"] = identity.ToJson(),
            ["schedulerSteps"] = schedulerSteps,
            ["shuffleDraws"] = state.Shuffle.Draws,
            ["learningRate"] = state.Optimizer.ParamGroups.First().LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["bestEpoch"] = state.Stopping.BestEpoch,
            ["bestLoss"] = state.Stopping.Best.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.SerializeToNode(state.Reports, AutoencoderSpec.JsonOptions),
        };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            var checksums = new JsonObject();
            void Entry(ZipArchive zip, string name, Action<BinaryWriter> write) => checksums[name] = WriteEntry(zip, name, write);
            Entry(zip, HeaderFile, w => w.Write(Encoding.UTF8.GetBytes(header.ToJsonString(AutoencoderSpec.JsonOptions))));
            Entry(zip, WeightsFile, w => state.Network.save(w));
            for (int i = 0; i < state.Optimizers.Count; i++)
            {
                var optimizer = (IOptimizerState)state.Optimizers[i];
                Entry(zip, OptimizerEntry(i), w => optimizer.SaveState(w));
            }

            if (state.Hooks is { } hooks)
            {
                Entry(zip, HooksFile, hooks.Save);
            }

            if (state.Stopping.BestWeights is { } best)
            {
                Entry(zip, BestFile, w =>
                {
                    foreach (var (name, _) in state.Network.state_dict())
                    {
                        best[name].Save(w);
                    }
                });
            }

            Entry(zip, RngFile, w =>
            {
                using var global = torch.get_rng_state();
                using var noise = state.Noise.get_state();
                global.Save(w);
                noise.Save(w);
            });
            WriteEntry(zip, ChecksumsFile, w => w.Write(Encoding.UTF8.GetBytes(checksums.ToJsonString(AutoencoderSpec.JsonOptions))));
        });
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/>, checks that it belongs to this run, and puts the run's state back
    /// where it was. Returns the checkpoint's epoch (training continues with the next one) and the batch steps taken.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged, not a checkpoint, or from another run; the message names the file and what differs.</exception>
    public static (int Epoch, long SchedulerSteps) Resume(string path, RunIdentity identity, TrainingState state)
    {
        var entries = ReadEntries(path);
        VerifyChecksums(path, entries);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Required(entries, path, HeaderFile))!.AsObject();
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"{HeaderFile} is not valid JSON ({e.Message})", e);
        }

        if ((string?)header["format"] != Format)
        {
            throw new InvalidDataException($"'{path}' is not an Autoencoders.ML training checkpoint (no \"format\": \"{Format}\" in {HeaderFile}).");
        }

        if ((int?)header["version"] is not int version || version > Version)
        {
            throw new InvalidDataException($"'{path}' is a checkpoint of version {header["version"]}; this library reads version {Version}. Resume it with the version that wrote it.");
        }

        var saved = header["identity"]?.AsObject() ?? throw Damaged(path, $"{HeaderFile} has no identity", null);
        if (saved["training"] is JsonObject training && !training.ContainsKey(PrecisionKey))
        {
            training[PrecisionKey] = nameof(TrainingPrecision.Float32);
        }

        identity.CheckSame(path, saved, Free);
        try
        {
            int epoch = (int)header["epoch"]!;
            var history = header["history"].Deserialize<List<EpochReport>>(AutoencoderSpec.JsonOptions)!;
            using (var reader = Reader(entries, path, WeightsFile))
            {
                state.Network.load(reader, strict: true);
            }

            for (int i = 0; i < state.Optimizers.Count; i++)
            {
                using var reader = Reader(entries, path, OptimizerEntry(i));
                ((IOptimizerState)state.Optimizers[i]).LoadState(reader);
            }

            if (state.Hooks is { } hooks)
            {
                using var reader = Reader(entries, path, HooksFile);
                hooks.Load(reader);
                if (reader.BaseStream.Position != reader.BaseStream.Length)
                {
                    throw Damaged(path, $"{HooksFile} is longer than the state it holds", null);
                }
            }

            Dictionary<string, Tensor>? best = null;
            if (entries.ContainsKey(BestFile))
            {
                using var reader = Reader(entries, path, BestFile);
                best = new Dictionary<string, Tensor>();
                foreach (var (name, value) in state.Network.state_dict())
                {
                    var copy = torch.zeros_like(value).DetachFromDisposeScope();
                    copy.Load(reader);
                    best[name] = copy;
                }
            }

            state.Stopping.Resume((int)header["bestEpoch"]!, double.Parse((string)header["bestLoss"]!, System.Globalization.CultureInfo.InvariantCulture), best);
            long steps = (long)header["schedulerSteps"]!;
            ReplaySchedule(path, state, steps, history, double.Parse((string)header["learningRate"]!, System.Globalization.CultureInfo.InvariantCulture));
            state.Shuffle.Skip((long)header["shuffleDraws"]!);
            using (var reader = Reader(entries, path, RngFile))
            {
                using var global = torch.get_rng_state();
                global.Load(reader);
                torch.set_rng_state(global);
                using var noise = state.Noise.get_state();
                noise.Load(reader);
                state.Noise.set_state(noise);
            }

            state.Reports.AddRange(history);
            return (epoch, steps);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw Damaged(path, e.Message, e);
        }
    }

    // Schedulers keep their position privately: the run's steps are taken again (per batch, or per epoch with the
    // monitored loss each epoch had), which gives the same rate by the same arithmetic.
    private static void ReplaySchedule(string path, TrainingState state, long steps, IReadOnlyList<EpochReport> history, double learningRate)
    {
        foreach (var scheduler in state.Schedule == null ? Array.Empty<optim.lr_scheduler.LRScheduler>() : state.Schedulers)
        {
            if (state.Schedule!.StepsEveryBatch)
            {
                for (long i = 0; i < steps; i++)
                {
                    scheduler.step();
                }
            }
            else
            {
                foreach (var report in history)
                {
                    scheduler.step(report.ValidationLoss ?? report.TrainingLoss);
                }
            }
        }

        double replayed = state.Optimizer.ParamGroups.First().LearningRate;
        if (replayed != learningRate)
        {
            throw new InvalidDataException(
                $"'{path}': the learning-rate schedule replayed to {replayed:R}, but the checkpoint was at {learningRate:R}. The schedule differs from the interrupted run's; resume with the same one.");
        }
    }

    // The first optimizer's file keeps its name: checkpoints of one-optimizer runs read as before.
    private static string OptimizerEntry(int index) => index == 0 ? OptimizerFile : $"optimizer-{index + 1}.bin";

    // Writes one entry and returns the SHA-256 of its content.
    private static string WriteEntry(ZipArchive zip, string name, Action<BinaryWriter> write)
    {
        using var content = new MemoryStream();
        using (var writer = new BinaryWriter(content, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        content.Position = 0;
        content.CopyTo(stream);
        return Sha256(content.GetBuffer().AsSpan(0, (int)content.Length));
    }

    private static string Sha256(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    // Every entry but the checksums themselves must be listed with its content's SHA-256, and every listed one present.
    // A checkpoint without checksums is accepted only when its header says version 1 (written before them).
    private static void VerifyChecksums(string path, Dictionary<string, byte[]> entries)
    {
        if (!entries.TryGetValue(ChecksumsFile, out var bytes))
        {
            if (entries.TryGetValue(HeaderFile, out var headerBytes) && HeaderVersion(headerBytes) == 1)
            {
                return;
            }

            throw Damaged(path, $"{ChecksumsFile} (the SHA-256 of every part) is missing", null);
        }

        Dictionary<string, string>? listed;
        try
        {
            listed = JsonSerializer.Deserialize<Dictionary<string, string>>(bytes);
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"{ChecksumsFile} is not valid JSON ({e.Message})", e);
        }

        if (listed is null)
        {
            throw Damaged(path, $"{ChecksumsFile} lists nothing", null);
        }

        foreach (var (name, content) in entries)
        {
            if (name == ChecksumsFile)
            {
                continue;
            }

            if (!listed.TryGetValue(name, out var expected))
            {
                throw Damaged(path, $"{name} ({Part(name)}) is not listed in {ChecksumsFile}", null);
            }

            string actual = Sha256(content);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw Damaged(path, $"{name} ({Part(name)}) does not match its SHA-256 in {ChecksumsFile} (expected {expected}, got {actual})", null);
            }
        }

        if (listed.Keys.FirstOrDefault(n => !entries.ContainsKey(n)) is { } absent)
        {
            throw Damaged(path, $"{absent} ({Part(absent)}) is listed in {ChecksumsFile} but missing", null);
        }
    }

    private static int? HeaderVersion(byte[] header)
    {
        try
        {
            return (int?)JsonNode.Parse(header)?["version"];
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    // What each entry holds, for the messages.
    private static string Part(string name) => name switch
    {
        HeaderFile => "the run's settings and position",
        WeightsFile => "the network's weights",
        BestFile => "early stopping's best weights",
        RngFile => "the random generators' state",
        HooksFile => "the batch positions and generators of the run's steps",
        _ when name.StartsWith("optimizer", StringComparison.Ordinal) => "the optimizer's state",
        _ => "a part this version does not know",
    };

    private static Dictionary<string, byte[]> ReadEntries(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.Entries.ToDictionary(e => e.FullName, e =>
            {
                using var stream = e.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                return buffer.ToArray();
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Damaged(path, $"not a readable zip ({e.Message})", e);
        }
    }

    private static byte[] Required(Dictionary<string, byte[]> entries, string path, string name) =>
        entries.TryGetValue(name, out var bytes) ? bytes : throw Damaged(path, $"{name} is missing", null);

    private static BinaryReader Reader(Dictionary<string, byte[]> entries, string path, string name) =>
        new(new MemoryStream(Required(entries, path, name)));

    private static InvalidDataException Damaged(string path, string why, Exception? inner) =>
        new($"'{path}' is not a usable checkpoint: {why}. The file is truncated or damaged; resume from another checkpoint or start afresh.", inner);
}
