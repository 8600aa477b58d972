using System.Linq;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Pretraining with few labels: an autoencoder learns from all 60,000 training images without labels; an ML.NET
/// classifier then learns from 1,000 labeled images using (a) raw pixels, (b) PCA-32 codes, (c) the autoencoder's codes.
/// Accuracy on the 10,000 test images.
/// </summary>
internal static class PretrainingBenchmark
{
    public sealed record Result(int Labeled, double RawPixels, double Pca, double Autoencoder, int AutoencoderEpochs);

    public static Result Run(MLContext ml, IDataView unlabeled, IDataView test, int labeled, int epochs)
    {
        var few = ml.Data.TakeRows(unlabeled, labeled);

        // (c) The autoencoder sees every training image, never a label.
        var options = new DenseAutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 };
        // Masking noise makes the code robust to missing strokes: better features for a linear classifier (measured
        // against the plain autoencoder in the closing note of issue 7).
        var training = new TrainingOptions { Epochs = epochs, Seed = 0, Corruption = new CorruptionOptions(new[] { Corruption.Masking(0.5) }) };
        using var model = new AutoencoderTrainer(ml, options, training).Fit(unlabeled);
        using var encode = ml.Transforms.ApplyAutoencoder(model, new AutoencoderColumns { LatentColumnName = "Code" });
        double autoencoder = Accuracy(ml, encode.Transform(few), encode.Transform(test), "Code");

        // (b) PCA with as many components as the code, also fitted without labels on all images.
        var pca = PrincipalComponents.Fit(unlabeled, 32);
        double pcaAccuracy = Accuracy(ml, Project(ml, pca, few), Project(ml, pca, test), "Code");

        // (a) Raw pixels.
        double raw = Accuracy(ml, few, test, "Features");
        return new Result(labeled, raw, pcaAccuracy, autoencoder, epochs);
    }

    private static double Accuracy(MLContext ml, IDataView train, IDataView test, string features)
    {
        var pipeline = ml.Transforms.NormalizeMeanVariance("Input", features)
            .Append(ml.Transforms.Conversion.MapValueToKey("Key", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Key", "Input"));
        var model = pipeline.Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(test), "Key").MicroAccuracy;
    }

    private static IDataView Project(MLContext ml, PrincipalComponents pca, IDataView data)
    {
        var rows = data.GetColumn<float[]>("Features").Zip(data.GetColumn<float>("Label"), (f, l) => new Coded { Code = pca.Project(f), Label = l }).ToList();
        var schema = SchemaDefinition.Create(typeof(Coded));
        schema[nameof(Coded.Code)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, pca.ComponentCount);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class Coded
    {
        public float[] Code { get; set; } = System.Array.Empty<float>();

        public float Label { get; set; }
    }
}
