// ImagePipeline — a convolutional autoencoder inside an ML.NET image pipeline:
//   LoadImages → ResizeImages (40×40 → 32×32) → ExtractPixels (3×32×32, channel-major, /255) → convolutional autoencoder
// on a folder of generated PNGs (coloured shapes), with the reconstructions written back as PNG images. Writes to --out:
//   images/shape_NNN.png            the generated inputs (40×40)
//   reconstructions/shape_NNN.png   the autoencoder's reconstruction of each held-out image (32×32)
//   reconstructions.png             held-out images resized to 32×32 (top) over their reconstructions (bottom)
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder for the outputs.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("models", "image-pipeline")) };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 60 };
var countOption = new Option<int>("--images") { Description = "Images to generate.", DefaultValueFactory = _ => 800 };
var root = new RootCommand("Trains a convolutional autoencoder in an ML.NET image pipeline and writes its reconstructions as PNGs.") { outOption, epochsOption, countOption };
root.SetAction(parse => Run(parse.GetValue(outOption)!, parse.GetValue(epochsOption), parse.GetValue(countOption)));
return root.Parse(args).Invoke();

static int Run(DirectoryInfo output, int epochs, int count)
{
    const int Side = 32;
    const int HeldOut = 24;
    var clock = Stopwatch.StartNew();
    var ml = new MLContext(seed: 0);

    // 1. A folder of PNGs: coloured circles, squares and triangles on coloured backgrounds.
    string imageFolder = Path.Combine(output.FullName, "images");
    string[] files = ShapeImages.Generate(imageFolder, count, size: 40, seed: 1);
    var all = ml.Data.LoadFromEnumerable(files.Select(f => new ImageFile { Path = f }));
    var train = ml.Data.TakeRows(all, count - HeldOut);
    var test = ml.Data.SkipRows(all, count - HeldOut);

    // 2. The pipeline. ExtractPixels with its defaults writes R, G and B planes one after the other (channel-major),
    // which is how ImageShape (3, 32, 32) reads the vector; /255 puts the pixels in [0, 1] for the sigmoid output.
    var pipeline = ml.Transforms.LoadImages("Image", imageFolder, nameof(ImageFile.Path))
        .Append(ml.Transforms.ResizeImages("Image", Side, Side))
        .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
        .Append(ml.Transforms.Autoencoder(new AutoencoderEstimator.Options
        {
            Columns = new AutoencoderColumns { InputColumnName = "Features", LatentColumnName = "Latent", ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error" },
            Model = new AutoencoderOptions
            {
                HiddenSizes = Array.Empty<int>(),
                LatentSize = 32,
                Loss = ReconstructionLoss.BinaryCrossEntropy,
                Convolution = new ConvolutionalAutoencoderOptions { ImageShape = new ImageShape(3, Side, Side), Filters = new[] { 16, 32, 64 }, BatchNorm = true },
            },
            Training = new TrainingOptions { Epochs = epochs, BatchSize = 16, LearningRate = 2e-3, Seed = 0 },
        }));
    Console.WriteLine($"Training a convolutional autoencoder (3×{Side}×{Side}, 32-d code) on {count - HeldOut} generated images for {epochs} epochs...");
    var model = pipeline.Fit(train);

    // 3. Score the held-out images and write every reconstruction back as a PNG.
    var scored = model.Transform(test);
    float[][] originals = scored.GetColumn<float[]>("Features").ToArray();
    float[][] reconstructions = scored.GetColumn<float[]>("Reconstruction").ToArray();
    float[] errors = scored.GetColumn<float>("Error").ToArray();
    string[] names = scored.GetColumn<string>(nameof(ImageFile.Path)).ToArray();
    string reconstructionFolder = Path.Combine(output.FullName, "reconstructions");
    Directory.CreateDirectory(reconstructionFolder);
    for (int i = 0; i < reconstructions.Length; i++)
    {
        ShapeImages.SavePlanar(Path.Combine(reconstructionFolder, Path.GetFileName(names[i])), reconstructions[i], Side, Side);
    }

    ImageGrid.Save(Path.Combine(output.FullName, "reconstructions.png"), new[] { originals.Take(12).ToArray(), reconstructions.Take(12).ToArray() }, Side, Side, channels: 3, scale: 3);
    double trainMse = model.Transform(train).GetColumn<float>("Error").Average();

    Console.WriteLine();
    Console.WriteLine($"reconstruction MSE / value  training {trainMse:F5}, held-out {errors.Average():F5} ({errors.Length} images)");
    Console.WriteLine($"outputs                     {output.FullName}: images/ reconstructions/ reconstructions.png");
    Console.WriteLine($"total time                  {clock.Elapsed.TotalSeconds:F0} s");
    return 0;
}

internal sealed class ImageFile
{
    public string Path { get; set; } = string.Empty;
}
