namespace Autoencoders.ML.Kinds;

/// <summary>Where training stands when a batch loss is computed.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="Fraction">Fraction of training done, in [0, 1], counting batches.</param>
internal sealed record TrainingProgress(int Epoch, int Epochs, double Fraction);
