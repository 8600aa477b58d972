using System.IO;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// An optimizer whose running state (moment buffers, step count) can be written to a checkpoint and read back, so that
/// a resumed run takes exactly the steps the uninterrupted run would have taken.
/// </summary>
internal interface IOptimizerState
{
    /// <summary>Writes the state (not the parameters: the checkpoint holds those).</summary>
    void SaveState(BinaryWriter writer);

    /// <summary>Reads what <see cref="SaveState"/> wrote, for the same parameters.</summary>
    /// <exception cref="InvalidDataException">The state is for another optimizer or another set of parameters.</exception>
    void LoadState(BinaryReader reader);
}
