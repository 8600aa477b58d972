using System;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Every graph the library writes carries its SHA-256; a damaged weight is refused instead of scoring wrongly.</summary>
public sealed class OnnxIntegrityTests
{
    [Fact]
    public void AFlippedWeightIsRefusedNamingTheFileWhereOnnxRuntimeWouldScoreIt()
    {
        var ml = new MLContext(seed: 0);
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 16 }, LatentSize = 4 }, new TrainingOptions { Epochs = 1, CompareWithPca = false })
            .Fit(Mnist.TrainView(ml, 100));
        byte[] onnx = model.ToOnnx(OnnxGraphKind.Encoder);
        OnnxIntegrity.Verify(onnx, "encoder.onnx"); // intact: no error

        byte[] damaged = FlipWeight(onnx);
        // ONNX Runtime alone loads the damaged file (and would give other codes)...
        using (var session = new InferenceSession(damaged))
        {
            Assert.NotEmpty(session.OutputMetadata);
        }

        // ...the library names it.
        var e = Assert.Throws<InvalidDataException>(() => OnnxIntegrity.Verify(damaged, "encoder.onnx"));
        Assert.Contains("encoder.onnx", e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void AChangedMetadataValueOrKeyIsRefusedAndSwappedEntriesToo()
    {
        var ml = new MLContext(seed: 0);
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 16 }, LatentSize = 4 }, new TrainingOptions { Epochs = 1, CompareWithPca = false })
            .Fit(Mnist.TrainView(ml, 100));
        byte[] onnx = model.ToOnnx(OnnxGraphKind.Encoder);
        var intact = global::Onnx.ModelProto.Parser.ParseFrom(onnx);
        Assert.Contains(intact.MetadataProps, p => p.Key == OnnxNames.ModelChecksumKey);
        var ours = intact.MetadataProps.Where(p => p.Key != OnnxNames.GraphChecksumKey && p.Key != OnnxNames.ModelChecksumKey).ToList();
        Assert.True(ours.Count >= 2, "the encoder graph carries metadata of its own");

        void Refused(Action<global::Onnx.ModelProto> damage, string what)
        {
            var copy = intact.Clone();
            damage(copy);
            var e = Assert.Throws<InvalidDataException>(() => OnnxIntegrity.Verify(Google.Protobuf.MessageExtensions.ToByteArray(copy), "encoder.onnx"));
            Assert.True(e.Message.Contains("encoder.onnx") && e.Message.Contains(OnnxNames.ModelChecksumKey), $"{what}: {e.Message}");
        }

        int index = intact.MetadataProps.IndexOf(ours[0]);
        Refused(m => m.MetadataProps[index].Value += " ", "value changed");
        Refused(m => m.MetadataProps[index].Key += "x", "key changed");
        Refused(m => m.MetadataProps.RemoveAt(index), "entry removed");
        Refused(m => m.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = "threshold", Value = "0.5" }), "entry added");
        int second = intact.MetadataProps.IndexOf(ours[1]);
        Refused(
            m => (m.MetadataProps[index].Value, m.MetadataProps[second].Value) = (m.MetadataProps[second].Value, m.MetadataProps[index].Value),
            "values swapped");
        OnnxIntegrity.Verify(onnx, "encoder.onnx"); // intact: no error
    }

    /// <summary>Flips one exponent bit of a value in the middle of the largest weight, leaving the file valid ONNX.</summary>
    internal static byte[] FlipWeight(byte[] onnx)
    {
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(onnx);
        var largest = proto.Graph.Initializer.MaxBy(t => t.RawData.Length + (t.FloatData.Count * 4))!;
        byte[] values = largest.RawData.Length > 0 ? largest.RawData.ToByteArray() : largest.FloatData.SelectMany(BitConverter.GetBytes).ToArray();
        int at = onnx.AsSpan().IndexOf(values.AsSpan(0, 64));
        Assert.True(at >= 0, "the weight's bytes were not found in the file");
        byte[] copy = (byte[])onnx.Clone();
        copy[at + (values.Length / 2 / 4 * 4) + 3] ^= 0x40;
        return copy;
    }
}
