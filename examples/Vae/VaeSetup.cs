using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;

namespace Autoencoders.ML.Examples;

/// <summary>
/// The VAE of examples/Vae and of the benchmark's likelihood figure: 784-512-256-d with ELU units and a Bernoulli
/// decoder, Adam at 1e-3 annealed along a cosine, batch 128, KL warm-up over the first 10% of the batches. The training
/// rows are streamed every epoch, so a dynamically binarized view gives a new binarization each epoch.
/// </summary>
internal static class VaeSetup
{
    public static VariationalAutoencoderOptions Model(int latentSize) => new()
    {
        HiddenSizes = new[] { 512, 256 },
        LatentSize = latentSize,
        HiddenActivation = Activation.ELU,
        Loss = ReconstructionLoss.BinaryCrossEntropy,
        KlWarmupFraction = 0.1,
    };

    /// <param name="epochs">Training epochs.</param>
    /// <param name="rows">Training rows: the shuffle window covers them all.</param>
    /// <param name="threads">Torch threads (null: torch's default).</param>
    public static TrainingOptions Training(int epochs, int rows, int? threads = null) => new()
    {
        Epochs = epochs,
        BatchSize = 128,
        LearningRate = 1e-3,
        CosineAnnealing = new CosineSchedule(),
        Seed = 0,
        MaxInMemoryBytes = 0,
        StreamingShuffleWindow = rows,
        Threads = threads,
    };
}
