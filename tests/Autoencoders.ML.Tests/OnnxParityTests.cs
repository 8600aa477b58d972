using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.IO;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

using static Autoencoders.ML.Tests.OnnxCheck;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The exported ONNX graphs, run by ONNX Runtime, against the TorchSharp module in evaluation mode on real MNIST rows;
/// plus the graph's declared contract (names, symbolic batch, opset, metadata) and atomic export.
/// </summary>
public sealed class OnnxParityTests
{
    private const int LatentSize = 16;
    private const int FullBatch = 1000;

    // Worst difference seen per activation over every graph, depth and batch size, reported by each case.
    private static readonly ConcurrentDictionary<Activation, double> WorstByActivation = new();
    private static readonly Lazy<float[][]> Rows = new(() => Mnist.Train(FullBatch));
    private static readonly int[][] HiddenSizesByDepth = { Array.Empty<int>(), new[] { 256 }, new[] { 256, 128, 64 } };

    private readonly ITestOutputHelper output;

    public OnnxParityTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> Cases() =>
        from activation in Enum.GetValues<Activation>()
        from depth in new[] { 0, 1, 3 }
        from outputActivation in Enum.GetValues<OutputActivation>()
        select new object[] { activation, depth, outputActivation };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeMatchesTorchSharpForEveryGraph(Activation activation, int hiddenLayers, OutputActivation outputActivation)
    {
        int seed = (((int)activation * 10) + hiddenLayers) * 2 + (int)outputActivation;
        using var model = RandomModel(activation, hiddenLayers, outputActivation, seed);
        var differences = new List<string>();
        double worst = 0;
        using var encoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Encoder));
        using var decoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Decoder));
        using var autoencoder = new InferenceSession(model.ToOnnx(OnnxGraphKind.Autoencoder));

        // Batch 1 uses a row of its own so that it is not a slice of the full batch's computation.
        foreach (var rows in new[] { Rows.Value, new[] { Rows.Value[7] } })
        {
            float[][] latent = model.Encode(rows);
            float[][] reconstruction = model.Reconstruct(rows);
            float[][] decoded = model.Decode(latent);
            AssertVaries(latent, "latent");
            AssertVaries(reconstruction, "reconstruction");

            var fromEncoder = Run(encoder, OnnxNames.Features, rows);
            var fromDecoder = Run(decoder, OnnxNames.Latent, latent);
            var fromAutoencoder = Run(autoencoder, OnnxNames.Features, rows);
            foreach (var (name, expected, actual) in new[]
            {
                ("encoder latent", latent, fromEncoder[OnnxNames.Latent]),
                ("decoder reconstruction", decoded, fromDecoder[OnnxNames.Reconstruction]),
                ("autoencoder latent", latent, fromAutoencoder[OnnxNames.Latent]),
                ("autoencoder reconstruction", reconstruction, fromAutoencoder[OnnxNames.Reconstruction]),
            })
            {
                double difference = MaxAbsDifference(expected, actual);
                differences.Add($"{name}@{rows.Length} {difference:E2} (max |value| {expected.Max(r => r.Max(Math.Abs)):G3})");
                worst = Math.Max(worst, difference);
                Assert.True(difference <= Tolerance, $"{name}, batch {rows.Length}: max |ONNX − torch| = {difference:E3} > {Tolerance:E0}");
            }
        }

        double overall = WorstByActivation.AddOrUpdate(activation, worst, (_, seen) => Math.Max(seen, worst));
        output.WriteLine($"{activation}, {hiddenLayers} hidden, {outputActivation}: {string.Join(", ", differences)}; worst for {activation} so far {overall:E2}");
    }

    [Fact]
    public void EveryGraphDeclaresItsNamesASymbolicBatchAndOpset17()
    {
        using var model = RandomModel(Activation.ReLU, 1, OutputActivation.Sigmoid, seed: 3);
        foreach (var (graph, inputs, outputs) in new[]
        {
            (OnnxGraphKind.Encoder, new[] { (OnnxNames.Features, 784) }, new[] { (OnnxNames.Latent, LatentSize) }),
            (OnnxGraphKind.Decoder, new[] { (OnnxNames.Latent, LatentSize) }, new[] { (OnnxNames.Reconstruction, 784) }),
            (OnnxGraphKind.Autoencoder, new[] { (OnnxNames.Features, 784) }, new[] { (OnnxNames.Reconstruction, 784), (OnnxNames.Latent, LatentSize) }),
        })
        {
            byte[] bytes = model.ToOnnx(graph);
            var proto = global::Onnx.ModelProto.Parser.ParseFrom(bytes);
            Assert.Equal(8, proto.IrVersion);
            var opset = Assert.Single(proto.OpsetImport);
            Assert.Equal(string.Empty, opset.Domain);
            Assert.True(opset.Version >= 17, $"opset {opset.Version}");
            AssertTensors(inputs, proto.Graph.Input);
            AssertTensors(outputs, proto.Graph.Output);

            // ONNX Runtime's own reading of the same file: -1 marks the symbolic dimension.
            using var session = new InferenceSession(bytes);
            Assert.Equal(inputs.Select(i => i.Item1), session.InputNames);
            Assert.Equal(outputs.Select(o => o.Item1), session.OutputNames);
            foreach (var metadata in session.InputMetadata.Values.Concat(session.OutputMetadata.Values))
            {
                Assert.Equal(-1, metadata.Dimensions[0]);
                Assert.Equal(OnnxNames.BatchDimension, metadata.SymbolicDimensions[0]);
                Assert.Equal(typeof(float), metadata.ElementType);
            }
        }
    }

    [Fact]
    public void MetadataDescribesTheModel()
    {
        using var model = RandomModel(Activation.GELU, 3, OutputActivation.Sigmoid, seed: 5);
        foreach (var graph in Enum.GetValues<OnnxGraphKind>())
        {
            using var session = new InferenceSession(model.ToOnnx(graph));
            var meta = session.ModelMetadata;
            Assert.Equal("Autoencoders.ML", meta.ProducerName);
            Assert.Contains(graph.ToString().ToLowerInvariant(), meta.Description);
            Assert.Contains("[batch, 784]", meta.Description);
            var props = meta.CustomMetadataMap;
            Assert.Equal("dense", props["kind"]);
            Assert.Equal(graph.ToString().ToLowerInvariant(), props["graph"]);
            Assert.Equal("784", props["input_size"]);
            Assert.Equal("16", props["latent_size"]);
            Assert.Equal("784", props["output_size"]);
            Assert.Equal("BinaryCrossEntropy", props["loss"]);
            Assert.Equal("none", props["input_scaling"]);
            Assert.Equal("Sigmoid", props["output_activation"]);
            Assert.Equal(model.Spec.ToJson(), props["architecture"]);
            Assert.Equal(model.Spec.ToString(), AutoencoderSpec.FromJson(props["architecture"]).ToString());
        }

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(model.ToOnnx(OnnxGraphKind.Encoder));
        string version = typeof(AutoencoderModel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, proto.ProducerVersion);
    }

    [Fact]
    public void TrainedModelExportedToFilesMatchesTorchSharp()
    {
        var ml = new MLContext(seed: 0);
        var rows = Rows.Value;
        var trainer = new AutoencoderTrainer(
            ml,
            new AutoencoderOptions { HiddenSizes = new[] { 128 }, LatentSize = LatentSize, Loss = ReconstructionLoss.BinaryCrossEntropy },
            new TrainingOptions { Epochs = 2, BatchSize = 64, Seed = 2 });
        using var model = trainer.Fit(Vectors.ToDataView(ml, rows));
        using var folder = new TemporaryFolder();
        string encoderPath = Path.Combine(folder.Path, "encoder.onnx");
        string decoderPath = Path.Combine(folder.Path, "decoder.onnx");
        string autoencoderPath = Path.Combine(folder.Path, "autoencoder.onnx");
        model.ExportOnnx(encoderPath, OnnxGraphKind.Encoder);
        model.ExportOnnx(decoderPath, OnnxGraphKind.Decoder);
        model.ExportOnnx(autoencoderPath, OnnxGraphKind.Autoencoder);
        Assert.Equal(new[] { "autoencoder.onnx", "decoder.onnx", "encoder.onnx" }, folder.FileNames());

        using var encoder = new InferenceSession(encoderPath);
        using var decoder = new InferenceSession(decoderPath);
        using var autoencoder = new InferenceSession(autoencoderPath);
        float[][] latent = model.Encode(rows);
        var both = Run(autoencoder, OnnxNames.Features, rows);
        double latentDifference = MaxAbsDifference(latent, Run(encoder, OnnxNames.Features, rows)[OnnxNames.Latent]);
        double decodedDifference = MaxAbsDifference(model.Decode(latent), Run(decoder, OnnxNames.Latent, latent)[OnnxNames.Reconstruction]);
        double reconstructionDifference = Math.Max(
            MaxAbsDifference(model.Reconstruct(rows), both[OnnxNames.Reconstruction]), MaxAbsDifference(latent, both[OnnxNames.Latent]));
        output.WriteLine($"trained: latent {latentDifference:E2}, decoded {decodedDifference:E2}, autoencoder {reconstructionDifference:E2}");
        Assert.InRange(latentDifference, 0, Tolerance);
        Assert.InRange(decodedDifference, 0, Tolerance);
        Assert.InRange(reconstructionDifference, 0, Tolerance);
        Assert.Equal("BinaryCrossEntropy", autoencoder.ModelMetadata.CustomMetadataMap["loss"]);
    }

    [Fact]
    public void ExportUnderARegularFileFailsClearlyAndWritesNothing()
    {
        using var model = RandomModel(Activation.Tanh, 0, OutputActivation.Identity, seed: 7);
        using var folder = new TemporaryFolder();
        string blocker = Path.Combine(folder.Path, "blocker");
        File.WriteAllText(blocker, "not a directory");
        string path = Path.Combine(blocker, "model.onnx");

        var error = Assert.ThrowsAny<IOException>(() => model.ExportOnnx(path, OnnxGraphKind.Autoencoder));
        Assert.Contains(path, error.Message);
        Assert.Contains("is a file, not a directory", error.Message);
        Assert.Equal(new[] { "blocker" }, folder.FileNames());
        Assert.Equal("not a directory", File.ReadAllText(blocker));
    }

    [Fact]
    public void ExportToAMissingDirectoryOrADirectoryFailsClearly()
    {
        using var model = RandomModel(Activation.Tanh, 0, OutputActivation.Identity, seed: 7);
        using var folder = new TemporaryFolder();
        string missing = Path.Combine(folder.Path, "missing");
        var notFound = Assert.Throws<DirectoryNotFoundException>(
            () => model.ExportOnnx(Path.Combine(missing, "model.onnx"), OnnxGraphKind.Encoder));
        Assert.Contains(missing, notFound.Message);
        Assert.False(Directory.Exists(missing));

        string directory = Directory.CreateDirectory(Path.Combine(folder.Path, "model.onnx")).FullName;
        var isDirectory = Assert.ThrowsAny<IOException>(() => model.ExportOnnx(directory, OnnxGraphKind.Encoder));
        Assert.Contains(directory, isDirectory.Message);
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
    }

    [Fact]
    public void AFailedWriteLeavesTheExistingFileAndNoTemporaryFile()
    {
        using var model = RandomModel(Activation.ELU, 1, OutputActivation.Identity, seed: 9);
        using var folder = new TemporaryFolder();
        string path = Path.Combine(folder.Path, "model.onnx");
        model.ExportOnnx(path, OnnxGraphKind.Decoder);
        byte[] exported = File.ReadAllBytes(path);
        Assert.Equal(model.ToOnnx(OnnxGraphKind.Decoder), exported);

        var error = Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("simulated: no space left on device");
        }));
        Assert.Contains(path, error.Message);
        Assert.Contains("simulated", error.Message);
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
        Assert.Equal(exported, File.ReadAllBytes(path));

        // A successful export replaces the file whole.
        model.ExportOnnx(path, OnnxGraphKind.Encoder);
        Assert.Equal(model.ToOnnx(OnnxGraphKind.Encoder), File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.onnx" }, folder.FileNames());
    }

    [Fact]
    public void ScoringGraphComposesScalingErrorRenamingAndTheOneRowForm()
    {
        // Per-value shifts and scales away from 0 and 1, so that a graph that skipped or doubled a step would show it.
        float[] shift = Enumerable.Range(0, 784).Select(i => 0.05f * (i % 7)).ToArray();
        float[] scale = Enumerable.Range(0, 784).Select(i => 1f / (0.5f + (0.25f * (i % 5)))).ToArray();
        var scaling = new FeatureScaling(ScalingKind.Standard, shift, scale, shift, scale);
        using var model = RandomModel(Activation.Tanh, 1, OutputActivation.Identity, seed: 11, scaling);
        var rows = Rows.Value.Take(20).ToArray();
        float[][] latent = model.Encode(rows);
        float[][] reconstruction = model.Reconstruct(rows);
        float[][] error = rows.Select((row, r) => new[] { (float)row.Select((x, j) => Math.Pow(reconstruction[r][j] - x, 2)).Average() }).ToArray();
        AssertVaries(reconstruction, "reconstruction");
        var outputs = new[] { OnnxScoringGraph.ReconstructionError, OnnxNames.Latent, OnnxNames.Reconstruction };
        var names = new Dictionary<string, string>
        {
            [OnnxNames.Features] = "Pixels", [OnnxNames.Latent] = "Code", [OnnxNames.Reconstruction] = "Back", [OnnxScoringGraph.ReconstructionError] = "Error",
        };

        // Batched, contract names: outputs in the order asked, the error one value per row.
        using (var batched = new InferenceSession(OnnxScoringGraph.Build(model, outputs).ToByteArray()))
        {
            Assert.Equal(outputs, batched.OutputNames);
            var values = Run(batched, OnnxNames.Features, rows);
            AssertClose(latent, values[OnnxNames.Latent], "latent");
            AssertClose(reconstruction, values[OnnxNames.Reconstruction], "reconstruction");
            AssertClose(error, values[OnnxScoringGraph.ReconstructionError], "error");
        }

        // One row per run, renamed: input [784], outputs [n] and [1], the same values.
        var proto = OnnxScoringGraph.Build(model, outputs, names, perRow: true);
        Assert.Equal(new[] { "Pixels" }, proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(new[] { "Error", "Code", "Back" }, proto.Graph.Output.Select(o => o.Name));
        Assert.Equal(new long[] { 784 }, proto.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal(
            new[] { new long[] { 1 }, new long[] { LatentSize }, new long[] { 784 } },
            proto.Graph.Output.Select(o => o.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray()));
        using var perRow = new InferenceSession(proto.ToByteArray());
        for (int r = 0; r < 3; r++)
        {
            var input = new DenseTensor<float>(rows[r], new[] { 784 });
            using var results = perRow.Run(new[] { NamedOnnxValue.CreateFromTensor("Pixels", input) });
            var values = results.ToDictionary(v => v.Name, v => v.AsTensor<float>().ToArray());
            AssertClose(new[] { latent[r] }, values["Code"], "one-row latent");
            AssertClose(new[] { reconstruction[r] }, values["Back"], "one-row reconstruction");
            AssertClose(new[] { error[r] }, values["Error"], "one-row error");
        }

        // The decoder's scoring graph takes the same options.
        var decoder = DecoderScoringGraph.Build(model, names, perRow: true);
        Assert.Equal(new[] { "Code" }, decoder.Graph.Input.Select(i => i.Name));
        Assert.Equal(new[] { "Back" }, decoder.Graph.Output.Select(o => o.Name));
        Assert.Throws<ArgumentException>(() => OnnxScoringGraph.Build(model, new[] { OnnxNames.LogVariance }));
    }

    // The scaled outputs are of order 10, so the tolerance is relative to the largest value.
    private static void AssertClose(IReadOnlyList<float[]> expected, float[] actual, string what)
    {
        double difference = MaxAbsDifference(expected, actual);
        double bound = Tolerance * Math.Max(1, expected.Max(r => r.Max(Math.Abs)));
        Assert.True(difference <= bound, $"{what}: max |ONNX − torch| = {difference:E3} > {bound:E2}");
    }

    /// <summary>A model with random weights: as good as trained ones for parity, and fast.</summary>
    private static AutoencoderModel RandomModel(
        Activation activation, int hiddenLayers, OutputActivation outputActivation, int seed, FeatureScaling? scaling = null)
    {
        TorchRuntime.EnsureInitialized();
        var options = new AutoencoderOptions
        {
            HiddenSizes = HiddenSizesByDepth.Single(h => h.Length == hiddenLayers),
            LatentSize = LatentSize,
            HiddenActivation = activation,
            // With no hidden layer, the latent layer is the only place the activation can appear.
            LatentActivation = activation,
            OutputActivation = outputActivation,
            Loss = outputActivation == OutputActivation.Sigmoid ? ReconstructionLoss.BinaryCrossEntropy : ReconstructionLoss.MeanSquaredError,
        };
        torch.manual_seed(seed);
        var network = new AutoencoderNetwork(options.BuildSpec(784));
        // Torch's default init makes deep sigmoid or GELU stacks forget their input, which would make the comparison
        // vacuous; variance-preserving weights keep every output input-dependent and of order 1, as in a trained model.
        var spec = network.Spec;
        using (torch.no_grad())
        {
            for (int i = 0; i < spec.Encoder.Count; i++)
            {
                Initialize(network.EncoderLayer(i).weight!, spec.Encoder[i].Activation);
            }

            for (int i = 0; i < spec.Decoder.Count; i++)
            {
                Initialize(network.DecoderLayer(i).weight!, spec.Decoder[i].Activation);
            }
        }

        var history = new TrainingHistory(Array.Empty<EpochReport>(), 0, stoppedEarly: false, "training");
        return new AutoencoderModel(network, options, new TrainingOptions(), history, scaling);
    }

    private static void Initialize(torch.Tensor weight, Activation activation)
    {
        double gain = activation switch
        {
            Activation.Sigmoid => 4,
            Activation.Tanh => 5.0 / 3,
            Activation.None => 1,
            _ => Math.Sqrt(2),
        };
        weight.normal_(0, gain / Math.Sqrt(weight.shape[1]));
    }

    private static void AssertTensors((string Name, int Width)[] expected, IList<global::Onnx.ValueInfoProto> actual)
    {
        Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));
        for (int i = 0; i < expected.Length; i++)
        {
            var tensor = actual[i].Type.TensorType;
            Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Float, tensor.ElemType);
            Assert.Equal(2, tensor.Shape.Dim.Count);
            Assert.Equal(OnnxNames.BatchDimension, tensor.Shape.Dim[0].DimParam);
            Assert.False(tensor.Shape.Dim[0].HasDimValue);
            Assert.Equal(expected[i].Width, tensor.Shape.Dim[1].DimValue);
        }
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("onnx-export-").FullName;

        public string[] FileNames() =>
            Directory.EnumerateFileSystemEntries(Path).Select(e => System.IO.Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray();

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
