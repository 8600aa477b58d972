using TorchSharp.Modules;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// Stochastic gradient descent with (heavy-ball) momentum over <see cref="FlatParameters"/>: a few whole-buffer operations
/// per step, the same arithmetic as TorchSharp's <c>optim.SGD</c> (no dampening, no Nesterov).
/// </summary>
/// <remarks>One parameter group, so TorchSharp's learning-rate schedulers drive it. Call its <see cref="FusedOptimizer.zero_grad"/>, not the module's.</remarks>
internal sealed class FusedSgd : FusedOptimizer
{
    private readonly double momentum;
    private readonly double weightDecay;
    private Tensor? velocity;

    /// <summary>Creates the optimizer and moves <paramref name="parameters"/> into one buffer.</summary>
    /// <param name="parameters">Trainable parameters.</param>
    /// <param name="learningRate">Step size.</param>
    /// <param name="momentum">Momentum in [0, 1).</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    public FusedSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double weightDecay = 0)
        : base(parameters, Checked(learningRate, momentum, weightDecay))
    {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /// <summary>One SGD update of every parameter.</summary>
    /// <param name="closure">Optional closure re-evaluating the loss.</param>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        // Explicit scalars, disposed after the step (see FusedAdam: an implicit Scalar's finalizer can race the call).
        using Scalar decay = weightDecay;
        using Scalar momentumScalar = momentum;
        using Scalar stepSize = -group.LearningRate;
        var gradient = weightDecay != 0 ? Flat.Gradients.add(Flat.Values, alpha: decay) : Flat.Gradients;
        if (momentum != 0)
        {
            if (velocity is null)
            {
                // The first step's buffer is the gradient itself, as in torch.
                velocity = gradient.clone().detach().DetachFromDisposeScope();
            }
            else
            {
                velocity.mul_(momentumScalar).PlusInPlace(gradient);
            }

            gradient = velocity;
        }

        Flat.Values.add_(gradient, alpha: stepSize);
    }, closure);

    /// <summary>Writes the momentum buffer (if a step has made one).</summary>
    public override void SaveState(System.IO.BinaryWriter writer)
    {
        writer.Write("sgd");
        writer.Write(Flat.Values.numel());
        writer.Write(velocity is not null);
        velocity?.Save(writer);
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    public override void LoadState(System.IO.BinaryReader reader)
    {
        string kind = reader.ReadString();
        long saved = kind == "sgd" ? reader.ReadInt64() : 0;
        if (kind != "sgd" || saved != Flat.Values.numel())
        {
            throw new System.IO.InvalidDataException(
                $"the optimizer state is {kind} over {saved:N0} values; this run uses SGD over {Flat.Values.numel():N0}.");
        }

        velocity?.Dispose();
        velocity = null;
        if (reader.ReadBoolean())
        {
            velocity = zeros_like(Flat.Values).DetachFromDisposeScope();
            velocity.Load(reader);
        }
    }

    // Checked before the base moves the parameters into one buffer.
    private static double Checked(double learningRate, double momentum, double weightDecay) =>
        learningRate >= 0 && momentum >= 0 && momentum < 1 && weightDecay >= 0
            ? learningRate
            : throw new ArgumentOutOfRangeException(nameof(learningRate), "SGD needs lr ≥ 0, 0 ≤ momentum < 1 and weight decay ≥ 0.");

    /// <summary>Releases the buffers and the momentum.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            velocity?.Dispose();
        }

        base.Dispose(disposing);
    }
}
