using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Autoencoders.ML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The IDX reader on the real MNIST files and on broken ones.</summary>
public sealed class IdxTests
{
    [Fact]
    public void ReadsMnistImagesAndLabels()
    {
        var images = IdxFile.Read(Mnist.PathOf("t10k-images-idx3-ubyte.gz"));
        var labels = IdxFile.Read(Mnist.PathOf("t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(new[] { 10_000, 28, 28 }, images.Dimensions);
        Assert.Equal(784, images.ItemSize);
        Assert.Equal(10_000, labels.Count);
        Assert.Equal(1, labels.ItemSize);
        Assert.Equal(0f, images.Values.Min());
        Assert.Equal(255f, images.Values.Max());
        // The first test digits of MNIST are 7, 2, 1, 0, 4.
        Assert.Equal(new[] { 7f, 2f, 1f, 0f, 4f }, labels.Values.Take(5));
    }

    [Fact]
    public void LoadsAnIDataViewWithAKnownSizeVectorColumn()
    {
        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromIdx(Mnist.PathOf("train-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: 300);
        var type = Assert.IsType<VectorDataViewType>(view.Schema["Features"].Type);
        Assert.Equal(784, type.Size);
        Assert.Equal(NumberDataViewType.Single, view.Schema["Label"].Type);
        var features = view.GetColumn<float[]>("Features").ToArray();
        Assert.Equal(300, features.Length);
        Assert.InRange(features.SelectMany(f => f).Max(), 0.99f, 1f);
        Assert.Equal(5f, view.GetColumn<float>("Label").First()); // the first training digit is a 5

        var unlabeled = ml.Data.LoadFromIdx(Mnist.PathOf("t10k-images-idx3-ubyte.gz"), maxRows: 5, featureColumn: "Pixels");
        Assert.Single(unlabeled.Schema);
        Assert.Equal("Pixels", unlabeled.Schema[0].Name);
    }

    [Fact]
    public void TruncatedFileSaysSo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.idx");
        byte[] whole = Decompress(Mnist.PathOf("t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(path, whole[..500]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.Contains("truncated", e.Message);
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NonIdxFileSaysSo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"text-{Guid.NewGuid():N}.idx");
        File.WriteAllText(path, "hello, this is not IDX");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.Contains("magic", e.Message);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<FileNotFoundException>(() => IdxFile.Read("/no/such/file.idx"));
    }

    [Fact]
    public void MismatchedLabelCountIsRejected()
    {
        var ml = new MLContext();
        var e = Assert.Throws<InvalidDataException>(() =>
            ml.Data.LoadFromIdx(Mnist.PathOf("t10k-images-idx3-ubyte.gz"), Mnist.PathOf("train-labels-idx1-ubyte.gz")));
        Assert.Contains("60000 labels", e.Message);
    }

    private static byte[] Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    [Theory]
    [InlineData(2_000_000_000, 2_000_000_000, 2_000_000_000, "more than one array can hold")]
    [InlineData(1_000_000, 1000, 1000, "more than one array can hold")]
    [InlineData(100_000, 28, 28, "is truncated")] // plausible header, 3 items of data: fails without allocating 78 MB first
    public void HugeDimensionsInTheHeaderAreAClearError(int items, int height, int width, string expected)
    {
        string path = Path.Combine(Path.GetTempPath(), $"huge-{Guid.NewGuid():N}-idx3-ubyte");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(new byte[] { 0, 0, 0x08, 3 });
                foreach (int d in new[] { items, height, width })
                {
                    file.Write(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
                }

                file.Write(new byte[3 * 28 * 28]);
            }

            var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
