using System.Collections.Generic;
using System.Linq;
using Autoencoders.ML.Baselines;
using Autoencoders.ML.Kinds;
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
    /// <summary>A candidate autoencoder: its masking-noise level and its 5-fold accuracy on the labeled rows.</summary>
    public sealed record Candidate(double Masking, double CrossValidated);

    public sealed record Result(int Labeled, double RawPixels, double Pca, double Autoencoder, int AutoencoderEpochs, IReadOnlyList<Candidate> Candidates, double ChosenMasking);

    public static Result Run(MLContext ml, IDataView unlabeled, IDataView test, int labeled, int epochs, IReadOnlyList<double> maskings)
    {
        var few = ml.Data.TakeRows(unlabeled, labeled);

        // (c) Denoising autoencoders with masking noise see every training image, never a label. Which noise level gives
        // the best features is chosen by 5-fold cross-validation on the labeled rows only: the test set plays no part.
        // The deep 784-1000-500-250-32 net of the reconstruction figure: on held-out training rows its codes beat those of
        // 784-512-128-32 by about 3 points (closing note of issue 7).
        var options = new AutoencoderOptions { HiddenSizes = new[] { 1000, 500, 250 }, LatentSize = 32 };
        var candidates = new List<Candidate>();
        double best = double.NegativeInfinity, autoencoder = 0, chosen = 0;
        foreach (double masking in maskings)
        {
            var training = new TrainingOptions { Epochs = epochs, Seed = 0, Corruption = new CorruptionOptions(new[] { Corruption.Masking(masking) }) };
            using var model = new AutoencoderTrainer(ml, options, training).Fit(unlabeled);
            using var encode = ml.Transforms.ApplyAutoencoder(model, new AutoencoderColumns { LatentColumnName = "Code" }).Fit(few);
            var codes = ml.Data.Cache(encode.Transform(few));
            double crossValidated = ml.MulticlassClassification.CrossValidate(codes, Classifier(ml, "Code"), numberOfFolds: 5, labelColumnName: "Key", seed: 0)
                .Average(fold => fold.Metrics.MicroAccuracy);
            candidates.Add(new Candidate(masking, crossValidated));
            if (crossValidated > best)
            {
                best = crossValidated;
                chosen = masking;
                autoencoder = Accuracy(ml, codes, encode.Transform(test), "Code");
            }
        }

        // (b) PCA with as many components as the code, also fitted without labels on all images.
        var pca = PrincipalComponents.Fit(unlabeled, 32);
        double pcaAccuracy = Accuracy(ml, Project(ml, pca, few), Project(ml, pca, test), "Code");

        // (a) Raw pixels.
        double raw = Accuracy(ml, few, test, "Features");
        return new Result(labeled, raw, pcaAccuracy, autoencoder, epochs, candidates, chosen);
    }

    /// <summary>The same classifier for every representation: standardised inputs, multiclass logistic regression.</summary>
    private static IEstimator<ITransformer> Classifier(MLContext ml, string features) =>
        ml.Transforms.NormalizeMeanVariance("Input", features)
            .Append(ml.Transforms.Conversion.MapValueToKey("Key", "Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Key", "Input"));

    private static double Accuracy(MLContext ml, IDataView train, IDataView test, string features)
    {
        var model = Classifier(ml, features).Fit(train);
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
