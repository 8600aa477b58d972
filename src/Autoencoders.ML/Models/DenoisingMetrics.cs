namespace Autoencoders.ML.Models;

public sealed partial class AutoencoderModel
{
    /// <summary>
    /// How much a model cleans corrupted data: mean squared error and peak signal-to-noise ratio of the noisy input and of
    /// the model's output, both against the clean data. PSNR = 10·log10(peak² / MSE) in dB, from the MSE over all rows.
    /// </summary>
    /// <param name="NoisyMeanSquaredError">MSE of the noisy input against the clean data.</param>
    /// <param name="DenoisedMeanSquaredError">MSE of the model's output against the clean data.</param>
    /// <param name="Peak">The largest possible value (1 for data in [0, 1]).</param>
    /// <param name="Rows">Rows evaluated.</param>
    public sealed record DenoisingMetrics(double NoisyMeanSquaredError, double DenoisedMeanSquaredError, double Peak, long Rows)
    {
        /// <summary>PSNR of the noisy input, in dB.</summary>
        public double NoisyPsnr => Psnr(NoisyMeanSquaredError);

        /// <summary>PSNR of the model's output, in dB.</summary>
        public double DenoisedPsnr => Psnr(DenoisedMeanSquaredError);

        /// <summary>Denoised minus noisy PSNR, in dB (positive when the model helps).</summary>
        public double PsnrGain => DenoisedPsnr - NoisyPsnr;

        private double Psnr(double mse) => 10 * Math.Log10(Peak * Peak / mse);
    }
}
