using System.Threading;

namespace Autoencoders.ML.Kinds;

/// <summary>
/// What a model kind may read before the first epoch of a fresh run (<see cref="AutoencoderModule.Prepare"/>), for
/// example to initialise a prior from the data.
/// </summary>
/// <param name="Rows">The training rows (input values first, then the target's when a target column is trained on).</param>
/// <param name="Loss">The reconstruction loss of the run.</param>
/// <param name="Options">The run's training options (batch size, learning rate, seed, threads).</param>
/// <param name="Log">Writes one line to the trainer's log.</param>
/// <param name="CancellationToken">Cancels the preparation with the run.</param>
/// <param name="Progress">Receives the preparation's epochs (phase <c>pretraining</c>), or null.</param>
internal sealed record TrainingPreparation(
    RowSource Rows, ReconstructionLoss Loss, TrainingOptions Options, Action<string> Log, CancellationToken CancellationToken,
    IProgress<EpochReport>? Progress = null);
