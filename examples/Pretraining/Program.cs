// Pretraining: the README's example. An autoencoder learns a 32-d code from the MNIST training images, an ML.NET
// classifier learns digits from that code, the pipeline is saved as model.zip and the encoder as encoder.onnx.
//   dotnet run --project examples/Pretraining -c Release -- [--out DIR] [--labeled N]
using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using Autoencoders.ML.Data;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Onnx;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

var outOption = new Option<DirectoryInfo>("--out") { DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "pretraining")) };
var labeledOption = new Option<int>("--labeled") { Description = "Labeled rows the classifier sees.", DefaultValueFactory = _ => 60_000 };
var root = new RootCommand("Autoencoder features for an ML.NET classifier.") { outOption, labeledOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(labeledOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int labeled)
{
    Directory.CreateDirectory(output.FullName);
    string data = BundledMnist.Folder;

    // --- the README snippet ---
    var ml = new MLContext(seed: 0);
    IDataView train = ml.Data.LoadFromIdx(Path.Combine(data, "train-images-idx3-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"), scale: 1f / 255, maxRows: labeled);
    var pipeline = ml.Transforms.Autoencoder("Latent", "Features", latentSize: 32, hiddenSizes: new[] { 512, 128 }, epochs: 20,
                                             reconstructionErrorColumnName: "AnomalyScore")
        .Append(ml.Transforms.NormalizeMeanVariance("Latent"))
        .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
        .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Latent"));
    var model = pipeline.Fit(train);                                     // trains the autoencoder, then the classifier on its code
    ml.Model.Save(model, train.Schema, Path.Combine(output.FullName, "model.zip"));
    var autoencoder = model.OfType<AutoencoderTransformer>().Single();
    autoencoder.Model.ExportOnnx(Path.Combine(output.FullName, "encoder.onnx"), OnnxGraphKind.Encoder);
    // --- end of snippet ---

    IDataView test = ml.Data.LoadFromIdx(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), scale: 1f / 255);
    var scored = model.Transform(test);
    var metrics = ml.MulticlassClassification.Evaluate(scored);
    var scores = scored.GetColumn<float>("AnomalyScore").ToArray();
    Console.WriteLine($"classifier on the 32-d code: test accuracy {metrics.MicroAccuracy:P2} ({labeled:N0} labeled training rows)");
    Console.WriteLine($"anomaly score (reconstruction MSE) on the test set: median {Median(scores):F4}, max {scores.Max():F4}");
    Console.WriteLine($"wrote {output.FullName}/model.zip and encoder.onnx");
    autoencoder.Dispose();
    return 0;
}

static float Median(float[] values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted[sorted.Length / 2];
}
