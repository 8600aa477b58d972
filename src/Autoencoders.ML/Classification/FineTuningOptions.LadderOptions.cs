namespace Autoencoders.ML.Classification;

public sealed partial class FineTuningOptions
{
    /// <summary>
    /// The Ladder objective of <see cref="FineTuningOptions.Ladder"/> (Rasmus et al. 2015, "Semi-supervised learning with
    /// Ladder networks", dense version with the vanilla combinator): every encoder layer and the head are batch-normalised,
    /// a corrupted copy of the encoder adds Gaussian noise of <see cref="NoiseStdDev"/> to the input and to every normalised
    /// layer, and a decoder with lateral connections denoises each layer of the corrupted path back towards the clean path,
    /// with a cost weighted per layer by <see cref="DenoisingCosts"/>. The classes' cross-entropy is taken on the corrupted
    /// path's output; predictions use the clean path.
    /// </summary>
    public sealed class LadderOptions
    {
        /// <summary>Defaults, written once.</summary>
        public static class Defaults
        {
            /// <summary>Default <see cref="NoiseStdDev"/>.</summary>
            public const double NoiseStdDev = 0.3;

            /// <summary>Default <see cref="DenoisingCosts"/>: the paper's MNIST weights, input first.</summary>
            public static IReadOnlyList<double> DenoisingCosts { get; } = Array.AsReadOnly(new[] { 1000.0, 10.0, 0.1 });
        }

        /// <summary>Standard deviation of the Gaussian noise of the corrupted path, on the (scaled) input and on every normalised layer. Default 0.3.</summary>
        public double NoiseStdDev { get; set; } = Defaults.NoiseStdDev;

        /// <summary>
        /// Weight λ of each layer's denoising cost, input first, then each encoder layer, then the head; the last value
        /// repeats for the layers above it, so <c>[1000, 10, 0.1]</c> (the default, the paper's MNIST values) gives 0.1 to
        /// every layer from the second encoder layer up. <c>[0]</c> turns the decoder off (the same noisy, batch-normalised
        /// network trained on the supervised cost alone).
        /// </summary>
        public IReadOnlyList<double> DenoisingCosts { get; set; } = Defaults.DenoisingCosts;

        /// <summary>λ of layer <paramref name="layer"/> (0 = input).</summary>
        internal double Cost(int layer) => DenoisingCosts[Math.Min(layer, DenoisingCosts.Count - 1)];

        /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
        public void Validate()
        {
            OptionChecks.Require(
                NoiseStdDev >= 0 && double.IsFinite(NoiseStdDev), "Ladder.NoiseStdDev", NoiseStdDev,
                "Ladder.NoiseStdDev must be ≥ 0 and finite (the noise of the corrupted path on normalised values, e.g. 0.3).");
            if (DenoisingCosts is null || DenoisingCosts.Count == 0)
            {
                throw new ArgumentException(
                    "Ladder.DenoisingCosts must hold at least one weight (input first, the last one repeats upwards), e.g. [1000, 10, 0.1]; [0] turns the decoder off.",
                    "Ladder.DenoisingCosts");
            }

            for (int i = 0; i < DenoisingCosts.Count; i++)
            {
                double cost = DenoisingCosts[i];
                OptionChecks.Require(
                    cost >= 0 && double.IsFinite(cost), $"Ladder.DenoisingCosts[{i}]", cost,
                    $"Ladder.DenoisingCosts[{i}] is {cost}; every weight must be ≥ 0 and finite (0 turns that layer's denoising cost off).");
            }
        }

        /// <summary>A copy.</summary>
        public LadderOptions Clone() => new() { NoiseStdDev = NoiseStdDev, DenoisingCosts = DenoisingCosts is null ? null! : Array.AsReadOnly(DenoisingCosts.ToArray()) };
    }
}
