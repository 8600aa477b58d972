using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>mlContext.Model.LoadAutoencoderPipeline: a saved pipeline gives back our transforms and the whole model.</summary>
public sealed class PipelineReloadTests : IClassFixture<TrainedTransformFixture>, IDisposable
{
    private readonly TrainedTransformFixture fixture;
    private readonly Xunit.Abstractions.ITestOutputHelper output;
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-reload-{Guid.NewGuid():N}");

    public PipelineReloadTests(TrainedTransformFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ReloadGivesBackTheTransformWithAScalarErrorAndTheWholeModel()
    {
        var original = fixture.Transformer;
        string zip = Path.Combine(folder, "pipeline.zip");
        fixture.Ml.Model.Save(original, Mnist.TrainView(fixture.Ml, 10).Schema, zip);

        var ml = new MLContext(seed: 1);
        using var loaded = Assert.IsType<AutoencoderTransformer>(ml.Model.LoadAutoencoderPipeline(zip, out var schema));
        Assert.Equal(784, ((VectorDataViewType)schema["Features"].Type).Size);
        Assert.Equal(original.ScoringBatchSize, loaded.ScoringBatchSize);
        var test = Mnist.TestView(ml, 300);
        var expected = original.Transform(test);
        var actual = loaded.Transform(test);
        Assert.Equal(NumberDataViewType.Single, actual.Schema["Error"].Type);
        Assert.Equal(expected.GetColumn<float>("Error"), actual.GetColumn<float>("Error"));
        Assert.Equal(expected.GetColumn<float[]>("Latent").SelectMany(v => v), actual.GetColumn<float[]>("Latent").SelectMany(v => v));
        Assert.Equal(expected.GetColumn<float[]>("Reconstruction").SelectMany(v => v), actual.GetColumn<float[]>("Reconstruction").SelectMany(v => v));

        // The model behind it is the trained one: architecture, history, weights (decode and export give the same bytes).
        var model = loaded.Model;
        Assert.Equal(original.Model.Spec.ToString(), model.Spec.ToString());
        Assert.Equal(original.Model.History.Epochs.Select(e => e.TrainingLoss), model.History.Epochs.Select(e => e.TrainingLoss));
        Assert.Equal(original.Model.ToOnnx(OnnxGraphKind.Autoencoder), model.ToOnnx(OnnxGraphKind.Autoencoder));
        var codes = original.Model.Encode(Mnist.Test(20));
        Assert.Equal(original.Model.Decode(codes).SelectMany(r => r), model.Decode(codes).SelectMany(r => r));

        // A prediction class with a float property fits the error column again.
        var engine = ml.Model.CreatePredictionEngine<Input, Scored>(loaded);
        var first = engine.Predict(new Input { Features = Mnist.Test(1)[0] });
        Assert.Equal(expected.GetColumn<float>("Error").First(), first.Error);

        // Continued training starts from the recovered weights: the same run from the original gives the same model.
        var trainer = new AutoencoderTrainer(ml, model.Options, new TrainingOptions { Epochs = 1, Seed = 3 });
        var more = Mnist.TrainView(ml, 200);
        using (var fromLoaded = trainer.Continue(model, more))
        using (var fromOriginal = trainer.Continue(original.Model, more))
        {
            Assert.Equal(fromOriginal.ToOnnx(OnnxGraphKind.Autoencoder), fromLoaded.ToOnnx(OnnxGraphKind.Autoencoder));
            Assert.NotEqual(model.ToOnnx(OnnxGraphKind.Autoencoder), fromLoaded.ToOnnx(OnnxGraphKind.Autoencoder));
        }

        // AutoencoderModel.Load takes the ML.NET zip too.
        using var direct = AutoencoderModel.Load(zip);
        Assert.Equal(original.Model.ToOnnx(OnnxGraphKind.Encoder), direct.ToOnnx(OnnxGraphKind.Encoder));
    }

    [Fact]
    public void ChainWithAnInPlaceEncoderADecoderAndAnMLNetStageComesBackInPlace()
    {
        var ml = new MLContext(seed: 0);
        var train = Vectors.ToDataView(ml, Mnist.Train(400), "Pixels");
        var pipeline = ml.Transforms.NormalizeMinMax("Pixels")
            .Append(ml.Transforms.CopyColumns("Input", "Pixels"))
            .Append(ml.Transforms.Autoencoder("Pixels", "Pixels", latentSize: 6, hiddenSizes: new[] { 24 }, epochs: 1));
        var fitted = pipeline.Fit(train);
        var autoencoder = fitted.LastTransformer;
        var withDecoder = fitted.Append(ml.Transforms.DecodeLatent(autoencoder.Model, "Decoded", "Pixels").Fit(fitted.Transform(train)));
        string zip = Path.Combine(folder, "chain.zip");
        ml.Model.Save(withDecoder, train.Schema, zip);

        var loaded = new MLContext().Model.LoadAutoencoderPipeline(zip, out _);
        var stages = Flatten(loaded).ToList();
        var restored = Assert.Single(stages.OfType<AutoencoderTransformer>());
        var decoder = Assert.Single(stages.OfType<LatentDecoderTransformer>());
        Assert.Same(restored.Model, decoder.Model); // one model behind both, as before saving
        Assert.Contains(stages, s => s is NormalizingTransformer);

        var test = Vectors.ToDataView(ml, Mnist.Test(100), "Pixels");
        var expected = withDecoder.Transform(test);
        var actual = loaded.Transform(test);
        foreach (string column in new[] { "Pixels", "Decoded" })
        {
            Assert.Equal(expected.GetColumn<float[]>(column).SelectMany(v => v), actual.GetColumn<float[]>(column).SelectMany(v => v));
        }

        (loaded as IDisposable)?.Dispose();
        autoencoder.Dispose();
    }

    [Fact]
    public void DamagedEmbeddedWeightsAreAClearErrorNamingTheEntry()
    {
        string zip = Path.Combine(folder, "damaged.zip");
        fixture.Ml.Model.Save(fixture.Transformer, Mnist.TrainView(fixture.Ml, 10).Schema, zip);
        PipelineZip.EditGraph(zip, "TransformerChain/OnnxModel", proto =>
            proto.MetadataProps.Single(p => p.Key == "autoencoders_ml.weights_sha256").Value = new string('0', 64));

        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadAutoencoderPipeline(zip, out _));
        Assert.Contains("damaged.zip!TransformerChain/OnnxModel", e.Message);
        Assert.Contains("checksum", e.Message);
        Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(zip));
    }

    [Fact]
    public void AChangedDigitOfTheEmbeddedSettingsIsRefusedNamingTheEntry()
    {
        string zip = Path.Combine(folder, "settings.zip");
        fixture.Ml.Model.Save(fixture.Transformer, Mnist.TrainView(fixture.Ml, 10).Schema, zip);
        // One digit of the model's JSON (its settings: sizes, scaling, options) changed; the weights untouched.
        PipelineZip.EditGraph(zip, "TransformerChain/OnnxModel", proto =>
        {
            var config = proto.MetadataProps.Single(p => p.Key == "autoencoders_ml.model_json");
            int digit = config.Value.IndexOfAny("123456789".ToCharArray(), config.Value.Length / 2);
            config.Value = config.Value[..digit] + (config.Value[digit] == '9' ? '8' : (char)(config.Value[digit] + 1)) + config.Value[(digit + 1)..];
        });

        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadAutoencoderPipeline(zip, out _));
        Assert.Contains("settings.zip!TransformerChain/OnnxModel", e.Message);
        Assert.Contains("autoencoders_ml.model_sha256", e.Message);
        Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(zip));
    }

    [Fact]
    public void EveryDamagedPipelineZipIsRefusedNamingTheFileOrLoadsIdentically()
    {
        // Issue 28, item 8: 26 damaged ML.NET zips failed with ML.NET's own messages, which do not name the file.
        string zip = Path.Combine(folder, "pipeline.zip");
        var schema = Mnist.TrainView(fixture.Ml, 10).Schema;
        fixture.Ml.Model.Save(fixture.Transformer, schema, zip);
        byte[] original = File.ReadAllBytes(zip);
        var test = Mnist.TestView(fixture.Ml, 50);
        var expected = fixture.Transformer.Transform(test).GetColumn<float>("Error").ToArray();
        var random = new Random(28);
        int refused = 0, identical = 0;
        for (int i = 0; i < 40; i++)
        {
            byte[] bytes = i < 32 ? (byte[])original.Clone() : original.AsSpan(0, random.Next(original.Length)).ToArray();
            if (i < 32)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            string damaged = Path.Combine(folder, $"damaged-{i}.zip");
            File.WriteAllBytes(damaged, bytes);
            ITransformer loaded;
            try
            {
                loaded = new MLContext().Model.LoadAutoencoderPipeline(damaged, out _);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(damaged, e.Message);
                refused++;
                continue;
            }

            try
            {
                Assert.Equal(expected, loaded.Transform(test).GetColumn<float>("Error").ToArray());
                identical++;
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }

        output.WriteLine($"40 damaged zips: {refused} refused naming the file, {identical} identical");
        Assert.Equal(40, refused + identical);
        Assert.True(refused > 0, "no damage was refused");
    }

    [Fact]
    public void SavingAPipelineLeavesNoTemporaryFile()
    {
        // ML.NET's OnnxTransformer keeps its graph in a temporary file; the stand-ins our transforms save through must not
        // leave one behind. The file would hold this model's weight checksum, which no other test class writes.
        string temp = Path.GetTempPath();
        var before = new HashSet<string>(Directory.EnumerateFiles(temp), StringComparer.Ordinal);
        for (int i = 0; i < 3; i++)
        {
            fixture.Ml.Model.Save(fixture.Transformer, Mnist.TrainView(fixture.Ml, 10).Schema, Path.Combine(folder, $"saved-{i}.zip"));
        }

        using var archive = ZipFile.OpenRead(Path.Combine(folder, "saved-0.zip"));
        string graph;
        using (var reader = new StreamReader(archive.Entries.First(e => e.Name == "OnnxModel").Open(), System.Text.Encoding.Latin1))
        {
            graph = reader.ReadToEnd();
        }

        string checksum = System.Text.RegularExpressions.Regex.Match(graph, "[0-9a-f]{64}").Value;
        Assert.NotEmpty(checksum);
        var leaked = Directory.EnumerateFiles(temp).Where(f => !before.Contains(f)).Where(f =>
        {
            try
            {
                return new FileInfo(f).Length < 64 << 20 && File.ReadAllText(f, System.Text.Encoding.Latin1).Contains(checksum, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }).ToList();
        Assert.Empty(leaked);
    }

    [Fact]
    public void AnMLNetZipWithoutAnAutoencoderIsAClearErrorForModelLoad()
    {
        var ml = new MLContext();
        var data = Mnist.TrainView(ml, 10);
        string zip = Path.Combine(folder, "plain.zip");
        ml.Model.Save(ml.Transforms.NormalizeMinMax("Features").Fit(data), data.Schema, zip);
        var e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(zip));
        Assert.Contains("without an Autoencoders.ML transform", e.Message);
        // The pipeline itself loads as ML.NET's.
        Assert.IsType<NormalizingTransformer>(ml.Model.LoadAutoencoderPipeline(zip, out _));
    }

    [Fact]
    public void APipelineSavedByAnEarlierVersionGivesItsModelFromTheGraph()
    {
        // models/quickstart was saved before the model was kept in the zip: its graph still holds the architecture and
        // every weight, under the state-dict names.
        string quickstart = Path.GetFullPath(Path.Combine(Mnist.Folder, "..", "..", "models", "quickstart"));
        using var model = AutoencoderModel.Load(quickstart);
        Assert.Equal("784-512-128-32-128-512-784", model.Spec.ToString());
        var rows = Mnist.Test(20);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(quickstart, "encoder.onnx"));
        Assert.True(OnnxCheck.MaxAbsDifference(model.Encode(rows), OnnxCheck.Run(session, "features", rows)["latent"]) <= OnnxCheck.Tolerance);

        // The tool reads it too (a separate process).
        var info = CliProcess.Run(folder, "info", "--model", quickstart);
        Assert.True(info.Code == 0, info.Error);
        Assert.Contains("\"architecture\": \"784-512-128-32-128-512-784\"", info.Output);
    }

    [Fact]
    public void TheToolLoadsASavedPipelineInItsOwnProcess()
    {
        // The CLI is a separate process that references the library: it restores the transform from the zip alone.
        string zip = Path.Combine(folder, "pipeline.zip");
        fixture.Ml.Model.Save(fixture.Transformer, Mnist.TrainView(fixture.Ml, 10).Schema, zip);
        var info = CliProcess.Run(folder, "info", "--model", zip);
        Assert.True(info.Code == 0, info.Error);
        using (var json = JsonDocument.Parse(info.Output))
        {
            var pipeline = json.RootElement.GetProperty("pipeline");
            Assert.Equal("AutoencoderTransformer", Assert.Single(pipeline.GetProperty("stages").EnumerateArray()).GetString());
            Assert.Equal("Single", pipeline.GetProperty("columns").GetProperty("Error").GetString());
            Assert.Equal("Vector<Single, 16>", pipeline.GetProperty("columns").GetProperty("Latent").GetString());
            Assert.Equal("784-128-16-128-784", json.RootElement.GetProperty("architecture").GetString());
        }

        var rows = Mnist.Test(50);
        string csv = Path.Combine(folder, "rows.csv");
        File.WriteAllText(csv, string.Join(',', Enumerable.Range(0, 784).Select(i => $"p{i}")) + "\n" +
            string.Join("\n", rows.Select(r => string.Join(',', r.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))) + "\n");
        var encode = CliProcess.Run(folder, "encode", "--model", zip, "--data", csv);
        Assert.True(encode.Code == 0, encode.Error);
        var codes = encode.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
        var expected = fixture.Transformer.Transform(Vectors.ToDataView(fixture.Ml, rows)).GetColumn<float[]>("Latent").ToList();
        Assert.True(TransformTests.MaxAbsDifference(codes, expected) <= 1e-5);
    }

    private static System.Collections.Generic.IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is System.Collections.Generic.IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { transformer };

    private sealed class Input
    {
        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class Scored
    {
        public float Error { get; set; }
    }
}
