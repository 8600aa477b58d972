using TorchSharp.Modules;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// The base of the optimizers over <see cref="FlatParameters"/>: the parameters moved into one buffer, one parameter
/// group (so TorchSharp's learning-rate schedulers drive it), gradients zeroed in one operation, the buffer released
/// on disposal. A subclass adds its update and its running state.
/// </summary>
internal abstract class FusedOptimizer : OptimizerHelper, IOptimizerState
{
    /// <summary>Moves <paramref name="parameters"/> into one buffer and makes the parameter group of <paramref name="learningRate"/>.</summary>
    /// <param name="parameters">Trainable parameters.</param>
    /// <param name="learningRate">Step size (checked by the subclass before this runs).</param>
    private protected FusedOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        Flat = new FlatParameters(parameters);
        _defaults = new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate };
        _parameter_groups = new List<ParamGroup>
        {
            new ParamGroup<OptimizerOptions>(Flat.Parameters, new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate }),
        };
    }

    /// <summary>The parameters, their gradients and their values as single buffers.</summary>
    private protected FlatParameters Flat { get; }

    /// <summary>Zeroes every gradient with one operation.</summary>
    public override void zero_grad() => Flat.ZeroGradients();

    /// <inheritdoc />
    public abstract void SaveState(System.IO.BinaryWriter writer);

    /// <inheritdoc />
    public abstract void LoadState(System.IO.BinaryReader reader);

    /// <summary>Releases the flat buffers (after the subclass has released its own).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flat.Dispose();
        }

        base.Dispose(disposing);
    }
}
