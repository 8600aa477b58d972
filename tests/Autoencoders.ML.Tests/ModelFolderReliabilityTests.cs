using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Xunit;
using Xunit.Abstractions;

namespace Autoencoders.ML.Tests;

/// <summary>
/// Saved models cannot lie: seeded byte flips and truncations of every file of a saved folder and zip each end in a
/// clear error or identical outputs; an interrupted save leaves the previous model; damaged or edited model.json values
/// are named; models of format 1 (no manifest) still load.
/// </summary>
public sealed class ModelFolderReliabilityTests : IDisposable
{
    private const int Width = 24;
    private readonly ITestOutputHelper output;
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-reliability-{Guid.NewGuid():N}");
    private readonly MLContext ml = new(seed: 0);

    public ModelFolderReliabilityTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ByteFlipsAndTruncationsOfEverySavedFileGiveAClearErrorOrIdenticalOutputs()
    {
        using var model = Train(seed: 1, ScalingKind.MinMax);
        float[][] probe = Rows(8, seed: 99);
        float[][] expected = model.Reconstruct(probe);
        byte[] graph = model.ToOnnx(OnnxGraphKind.Autoencoder);
        string good = Path.Combine(folder, "good");
        model.Save(good);
        string goodZip = Path.Combine(folder, "good.zip");
        model.Save(goodZip);

        var counts = new Dictionary<string, int> { ["tried"] = 0, ["clear error"] = 0, ["identical"] = 0, ["wrong"] = 0, ["crash"] = 0 };
        var failures = new List<string>();
        var random = new Random(12);
        string damaged = Path.Combine(folder, "damaged");
        foreach (string file in Directory.GetFiles(good).Select(f => Path.GetFileName(f)).OrderBy(f => f, StringComparer.Ordinal))
        {
            byte[] original = File.ReadAllBytes(Path.Combine(good, file!));
            foreach (var (what, bytes) in Damages(original, random, flips: 24, truncations: 6))
            {
                CopyFolder(good, damaged);
                if (bytes == null)
                {
                    File.Delete(Path.Combine(damaged, file!));
                }
                else
                {
                    File.WriteAllBytes(Path.Combine(damaged, file!), bytes);
                }

                Classify($"{file} {what}", damaged, probe, expected, graph, counts, failures);
            }
        }

        byte[] zip = File.ReadAllBytes(goodZip);
        string damagedZip = Path.Combine(folder, "damaged.zip");
        foreach (var (what, bytes) in Damages(zip, random, flips: 60, truncations: 10).Where(d => d.Bytes != null))
        {
            File.WriteAllBytes(damagedZip, bytes!);
            Classify($"zip {what}", damagedZip, probe, expected, graph, counts, failures);
        }

        // Flips inside each entry's content (the zip's own CRC aside, the manifest must catch them).
        foreach (string entryName in ModelArchive.ModelFiles.Append(ModelManifest.FileName))
        {
            byte[] content = ReadEntry(goodZip, entryName);
            foreach (var (what, bytes) in Damages(content, random, flips: 4, truncations: 1))
            {
                RewriteZip(goodZip, damagedZip, entryName, bytes);
                Classify($"zip entry {entryName} {what}", damagedZip, probe, expected, graph, counts, failures);
            }
        }

        output.WriteLine(
            $"model file fuzzing: {counts["tried"]} cases tried, {counts["clear error"]} clear errors, {counts["identical"]} identical, " +
            $"{counts["wrong"]} wrong, {counts["crash"]} crashes");
        foreach (string failure in failures.Take(20))
        {
            output.WriteLine(failure);
        }

        Assert.True(counts["tried"] >= 200, $"only {counts["tried"]} cases");
        Assert.Equal(0, counts["wrong"]);
        Assert.Equal(0, counts["crash"]);
    }

    [Theory]
    [InlineData("model.json")]
    [InlineData("weights.bin")]
    [InlineData("decoder.onnx")]
    [InlineData("manifest.json")]
    [InlineData("swap")]
    public void AFailedSaveLeavesThePreviousModelAndNoPartialFolder(string failAt)
    {
        using var first = Train(seed: 1, ScalingKind.None);
        using var second = Train(seed: 2, ScalingKind.None);
        float[][] probe = Rows(4, seed: 5);
        string path = Path.Combine(folder, "model");
        string zip = Path.Combine(folder, "model.zip");
        first.Save(path);
        first.Save(zip);
        try
        {
            if (failAt == "swap")
            {
                AtomicFolder.BeforeSwap.Value = _ => throw new IOException("simulated crash before the swap");
            }
            else
            {
                ModelArchive.BeforeEachFile.Value = name =>
                {
                    if (name == failAt)
                    {
                        throw new IOException($"simulated crash while writing {name}");
                    }
                };
            }

            Assert.ThrowsAny<IOException>(() => second.Save(path));
            if (failAt != "swap")
            {
                Assert.ThrowsAny<IOException>(() => second.Save(zip));
            }
        }
        finally
        {
            AtomicFolder.BeforeSwap.Value = null;
            ModelArchive.BeforeEachFile.Value = null;
        }

        foreach (string saved in new[] { path, zip })
        {
            using var loaded = AutoencoderModel.Load(saved);
            Assert.Equal(first.ToOnnx(OnnxGraphKind.Autoencoder), loaded.ToOnnx(OnnxGraphKind.Autoencoder)); // weights, scaling, layers
            Assert.True(TransformTests.MaxAbsDifference(first.Reconstruct(probe), loaded.Reconstruct(probe)) <= 1e-6);
        }

        Assert.Equal(new[] { "model", "model.zip" }, Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal));

        // And a save that completes replaces it.
        second.Save(path);
        using var replaced = AutoencoderModel.Load(path);
        Assert.Equal(second.ToOnnx(OnnxGraphKind.Autoencoder), replaced.ToOnnx(OnnxGraphKind.Autoencoder));
    }

    [Fact]
    public void ASaveKilledBetweenItsTwoRenamesPointsToThePreviousModel()
    {
        // The only window where the target is absent: the old folder moved aside, the new one not yet in place.
        using var model = Train(seed: 1, ScalingKind.None);
        string aside = Path.Combine(folder, $".model.replaced-{Guid.NewGuid():N}");
        model.Save(aside);
        var e = Assert.Throws<DirectoryNotFoundException>(() => AutoencoderModel.Load(Path.Combine(folder, "model")));
        Assert.Contains(aside, e.Message);
        Directory.Move(aside, Path.Combine(folder, "model"));
        using var loaded = AutoencoderModel.Load(Path.Combine(folder, "model"));
        Assert.Equal(model.ToOnnx(OnnxGraphKind.Autoencoder), loaded.ToOnnx(OnnxGraphKind.Autoencoder));
    }

    [Fact]
    public void TheNextSaveRemovesWhatAKilledSaveLeftButNotAWriteUnderWay()
    {
        using var model = Train(seed: 1, ScalingKind.None);
        string path = Path.Combine(folder, "model");
        model.Save(path);

        // What SIGKILL leaves: a staging folder (and its lock file, unlocked), and a folder moved aside.
        string killed = Guid.NewGuid().ToString("N"), running = Guid.NewGuid().ToString("N");
        string stale = Path.Combine(folder, $".model.saving-{killed}");
        model.Save(stale);
        File.WriteAllText(stale + ".lock", string.Empty);
        string aside = Path.Combine(folder, $".model.replaced-{killed}");
        model.Save(aside);

        // A write under way in another process holds its lock.
        string busy = Path.Combine(folder, $".model.saving-{running}");
        Directory.CreateDirectory(busy);
        using (new FileStream(busy + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            model.Save(path);
            Assert.True(Directory.Exists(busy), "a write under way is left alone");
        }

        Assert.False(Directory.Exists(stale));
        Assert.False(File.Exists(stale + ".lock"));
        Assert.False(Directory.Exists(aside));
        model.Save(path);
        Assert.Equal(new[] { "model" }, Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void SaveDoesNotReplaceAFolderThatIsNotAModel()
    {
        using var model = Train(seed: 1, ScalingKind.None);
        string path = Path.Combine(folder, "documents");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "notes.txt"), "mine");
        var e = Assert.Throws<IOException>(() => model.Save(path));
        Assert.Contains("is not a saved model", e.Message);
        Assert.Contains("notes.txt", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(path, "notes.txt")));

        string file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("a file of that name exists", Assert.Throws<IOException>(() => model.Save(file)).Message);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("dense.zip")]
    [InlineData("vae")]
    public void ModelsOfFormatOneStillLoadWithTheSameOutputs(string name)
    {
        string fixtures = Fixtures();
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "expected.json")));
        float[][] rows = expected.RootElement.GetProperty("rows").Deserialize<float[][]>()!;
        float[][] outputs = expected.RootElement.GetProperty(name.Replace(".zip", string.Empty, StringComparison.Ordinal)).Deserialize<float[][]>()!;
        using var model = AutoencoderModel.Load(Path.Combine(fixtures, name));
        Assert.True(TransformTests.MaxAbsDifference(outputs, model.Reconstruct(rows)) <= 1e-6); // the last bit may vary with torch's threads
    }

    [Theory]
    [InlineData("\"act\": \"ReLU\"", "\"act\": \"Tanh\"", "is not what its 'options' build")]
    [InlineData("\": 6,", "\": 2000000000,", "parameters")] // the hidden layer's in and out: 2e9 wide
    [InlineData("\"latentSize\": 3,", "", "options.latentSize")]
    [InlineData("\"architecture\": {", "\"architectureX\": {", "lacks the key 'architecture'")]
    [InlineData("\"training\": {", "\"trainingX\": {", "lacks the key 'training'")]
    [InlineData("\"learningRate\": 0.001,", "\"learningRate\": -1,", "LearningRate must be in (0, 10]")]
    [InlineData("\"inputScale\": [\n      1.0078611,", "\"inputScale\": [", "scaling.inputScale has 11 values; the model needs 12")]
    [InlineData("\"inputScale\": [\n      1.0078611,", "\"inputScale\": [\n      0,", "scaling.inputScale[0] is 0")]
    [InlineData("\"formatVersion\": 1,", "\"formatVersion\": 7,", "newer Autoencoders.ML")]
    public void EditedValuesOfAFormatOneModelAreNamed(string find, string replace, string expected)
    {
        string copy = Path.Combine(folder, "edited");
        CopyFolder(Path.Combine(Fixtures(), "dense"), copy);
        string file = Path.Combine(copy, "model.json");
        string json = File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains(find, json);
        File.WriteAllText(file, json.Replace(find, replace, StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(copy));
        output.WriteLine(e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(copy, e.Message);
    }

    [Fact]
    public void AnEditedOrMissingFileOfAFormatTwoModelIsNamed()
    {
        using var model = Train(seed: 1, ScalingKind.None);
        string path = Path.Combine(folder, "model");
        model.Save(path);
        string copy = Path.Combine(folder, "copy");

        CopyFolder(path, copy);
        string json = Path.Combine(copy, "model.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"act\": \"ReLU\"", "\"act\": \"Tanh\"", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(copy));
        Assert.Contains("model.json does not match its SHA-256", e.Message);

        foreach (string file in new[] { "encoder.onnx", "manifest.json", "weights.bin" })
        {
            CopyFolder(path, copy);
            File.Delete(Path.Combine(copy, file));
            e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(copy));
            Assert.Contains(file, e.Message);
            Assert.Contains("missing", e.Message);
        }
    }

    // Identical = the loaded model exports the same ONNX graph (every weight, scaling value and layer, bit for bit) and
    // scores the probe rows the same (1e-6: torch's thread count may change the last bit between calls).
    private static void Classify(
        string what, string path, float[][] probe, float[][] expected, byte[] graph, Dictionary<string, int> counts, List<string> failures)
    {
        counts["tried"]++;
        try
        {
            using var loaded = AutoencoderModel.Load(path);
            if (loaded.ToOnnx(OnnxGraphKind.Autoencoder).AsSpan().SequenceEqual(graph) && TransformTests.MaxAbsDifference(loaded.Reconstruct(probe), expected) <= 1e-6)
            {
                counts["identical"]++;
            }
            else
            {
                counts["wrong"]++;
                failures.Add($"WRONG: {what}");
            }
        }
        catch (InvalidDataException e) when (e.Message.Contains(path, StringComparison.Ordinal))
        {
            counts["clear error"]++;
        }
        catch (Exception e)
        {
            counts["crash"]++;
            failures.Add($"UNCLEAR: {what}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }

    // Seeded damage: byte flips (a random byte XOR a random non-zero mask), truncations, and the file missing (null).
    private static IEnumerable<(string What, byte[]? Bytes)> Damages(byte[] original, Random random, int flips, int truncations)
    {
        for (int i = 0; i < flips; i++)
        {
            var bytes = (byte[])original.Clone();
            int at = random.Next(bytes.Length);
            byte mask = (byte)random.Next(1, 256);
            bytes[at] ^= mask;
            yield return ($"byte {at} ^ 0x{mask:X2}", bytes);
        }

        for (int i = 0; i < truncations; i++)
        {
            int length = i == 0 ? 0 : random.Next(original.Length);
            yield return ($"truncated to {length} of {original.Length}", original[..length]);
        }

        yield return ("missing", null);
    }

    private AutoencoderModel Train(int seed, ScalingKind scaling) =>
        new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 8 }, LatentSize = 3 }, new TrainingOptions { Epochs = 1, Seed = seed, Scaling = scaling })
            .Fit(Vectors.ToDataView(ml, Rows(64, seed)));

    private static float[][] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Width).Select(j => (float)(random.NextDouble() + (j % 3))).ToArray()).ToArray();
    }

    private static byte[] ReadEntry(string zip, string name)
    {
        using var archive = ZipFile.OpenRead(zip);
        using var stream = archive.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void RewriteZip(string source, string target, string entryName, byte[]? content)
    {
        File.Delete(target);
        using var from = ZipFile.OpenRead(source);
        using var to = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var entry in from.Entries)
        {
            byte[] bytes = entry.FullName == entryName ? content! : ReadEntry(source, entry.FullName);
            if (entry.FullName == entryName && content == null)
            {
                continue;
            }

            using var stream = to.CreateEntry(entry.FullName).Open();
            stream.Write(bytes);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }

        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    internal static string Fixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Autoencoders.ML.Tests", "Fixtures", "format1");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/Autoencoders.ML.Tests/Fixtures/format1 was not found above " + AppContext.BaseDirectory);
    }
}
