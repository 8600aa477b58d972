using System.Globalization;

namespace Autoencoders.ML.Training;

public sealed partial class TrainingHistory
{
    /// <summary>
    /// The yardstick of a training run: on the validation rows, the autoencoder's reconstruction error next to that of
    /// exact PCA with as many components as the code, fitted on the training rows. Both are mean squared errors per value in
    /// the data's own units (whatever the training loss). An autoencoder that does not beat PCA adds nothing a linear
    /// projection would not give.
    /// </summary>
    /// <param name="Components">PCA components, the autoencoder's code size.</param>
    /// <param name="Rows">Validation rows both were measured on.</param>
    /// <param name="AutoencoderMeanSquaredError">The autoencoder's mean squared error per value.</param>
    /// <param name="PcaMeanSquaredError">Exact PCA's mean squared error per value.</param>
    public sealed record PcaComparison(int Components, long Rows, double AutoencoderMeanSquaredError, double PcaMeanSquaredError)
    {
        /// <summary>True when the autoencoder's error is below PCA's.</summary>
        public bool AutoencoderBeatsPca => AutoencoderMeanSquaredError < PcaMeanSquaredError;

        /// <summary>The autoencoder's error divided by PCA's: below 1 is better than PCA.</summary>
        public double Ratio => AutoencoderMeanSquaredError / PcaMeanSquaredError;

        /// <summary>One plain sentence, for example <c>On 2,000 validation rows the autoencoder's MSE is 0.0111, exact PCA-32's 0.0151 (ratio 0.74): the autoencoder beats PCA.</c></summary>
        public override string ToString() =>
            string.Create(
                CultureInfo.InvariantCulture,
                $"On {Rows:N0} validation rows the autoencoder's MSE per value is {AutoencoderMeanSquaredError:G4}, exact PCA-{Components}'s {PcaMeanSquaredError:G4} " +
                $"(ratio {Ratio:F3}): ") +
            (AutoencoderBeatsPca
                ? "the autoencoder beats PCA."
                : $"the autoencoder does NOT beat PCA with {Components} components. Train longer (more Epochs, or the automatic budget), " +
                  "widen the hidden layers, or use PCA.");
    }
}
