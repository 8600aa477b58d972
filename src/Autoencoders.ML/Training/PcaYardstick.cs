using Autoencoders.ML.Baselines;
using Autoencoders.ML.Kinds.Variational;
using Microsoft.ML;

namespace Autoencoders.ML.Training;

/// <summary>
/// Measures <see cref="TrainingHistory.PcaComparison"/> after training: exact PCA fitted on the training rows, both errors on the
/// validation rows, in the data's units.
/// </summary>
internal static class PcaYardstick
{
    /// <summary>Rows wider than this are not compared: the covariance would take width² × 8 bytes.</summary>
    public const int MaxWidth = 4096;

    /// <summary>The comparison, or null when it does not apply (see <see cref="TrainingHistory.Pca"/>).</summary>
    public static TrainingHistory.PcaComparison? Measure(MLContext mlContext, AutoencoderModule network, FeatureScaling? scaling, TrainingData data)
    {
        int latent = network.Spec.LatentSize;
        if (data.Validation is not RowSource validation || data.Columns.Count != 1 || data.Training.RowCount < 2
            || data.Training.Width > MaxWidth || latent >= data.Training.Width)
        {
            return null;
        }

        var pca = PrincipalComponents.Fit(RowSourceView.Create(mlContext, data.Training), latent, RowSourceView.Column);
        double pcaError = pca.MeanSquaredError(RowSourceView.Create(mlContext, validation), RowSourceView.Column);
        return new TrainingHistory.PcaComparison(latent, validation.RowCount, AutoencoderError(network, scaling, validation), pcaError);
    }

    /// <summary>Mean squared error per value of the network's reconstruction in the data's units.</summary>
    private static double AutoencoderError(AutoencoderModule network, FeatureScaling? scaling, RowSource rows)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        double sum = 0;
        foreach (var batch in rows.Batches(1024, shuffle: null))
        {
            using var owned = batch;
            using var scope = torch.NewDisposeScope();
            var output = network.forward(scaling == null ? batch : scaling.ScaleInput(batch));
            var reconstruction = scaling == null ? output : scaling.UnscaleOutput(output);
            sum += (reconstruction - batch).Squared().sum().ToDouble();
        }

        return sum / rows.RowCount / rows.Width;
    }
}
