using TorchSharp.Modules;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// Adam and AdamW over <see cref="FlatParameters"/>: one step is one pass over the flat buffers on the CPU in float32
/// (<see cref="AdamKernel"/>), or seven whole-buffer torch operations elsewhere, whatever the number of parameters,
/// where TorchSharp's <c>optim.Adam</c> makes about ten native calls per parameter from C#. The arithmetic is
/// TorchSharp's (and PyTorch's) operation for operation, so the results are the same.
/// </summary>
/// <remarks>
/// A TorchSharp <see cref="torch.optim.Optimizer"/> with one parameter group, so TorchSharp's learning-rate schedulers
/// drive it like any other optimizer. Call this optimizer's <see cref="FusedOptimizer.zero_grad"/>, never the module's.
/// </remarks>
internal sealed class FusedAdam : FusedOptimizer
{
    private readonly double beta1;
    private readonly double beta2;
    private readonly double epsilon;
    private readonly double weightDecay;
    private readonly bool decoupled;
    private readonly Tensor average;
    private readonly Tensor squaredAverage;
    private long steps;

    /// <summary>Creates the optimizer and moves <paramref name="parameters"/> into one buffer.</summary>
    /// <param name="parameters">Trainable parameters.</param>
    /// <param name="learningRate">Step size.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient (Adam) or decoupled decay (AdamW).</param>
    /// <param name="decoupled">True for AdamW's decoupled weight decay.</param>
    /// <param name="beta1">Decay of the gradient average.</param>
    /// <param name="beta2">Decay of the squared-gradient average.</param>
    /// <param name="epsilon">Added to the denominator.</param>
    public FusedAdam(
        IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0, bool decoupled = false,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(parameters, Checked(learningRate, weightDecay, beta1, beta2, epsilon))
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        average = zeros_like(Flat.Values);
        squaredAverage = zeros_like(Flat.Values);
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps => steps;

    /// <summary>One Adam (or AdamW) update of every parameter.</summary>
    /// <param name="closure">Optional closure re-evaluating the loss, as for every TorchSharp optimizer.</param>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        double learningRate = group.LearningRate;
        steps++;
        var values = Flat.Values;
        var gradient = Flat.Gradients;
        if (AdamKernel.Applies(values, gradient, average, squaredAverage))
        {
            AdamKernel.Step(values, gradient, average, squaredAverage, KernelConstants(learningRate, weightDecay, decoupled, beta1, beta2, epsilon, steps), torch.get_num_threads());
        }
        else
        {
            TorchStep(values, gradient, average, squaredAverage, learningRate, weightDecay, decoupled, beta1, beta2, epsilon, steps);
        }
    }, closure);

    /// <summary>Adam's bias correction 1 − β^step of a moment with decay <paramref name="beta"/>, shared by both paths.</summary>
    private static double BiasCorrection(double beta, long step) => 1 - Math.Pow(beta, step);

    /// <summary>The numbers of step <paramref name="step"/> (1-based) as <see cref="AdamKernel"/> takes them, in float32.</summary>
    internal static AdamKernel.Constants KernelConstants(double learningRate, double weightDecay, bool decoupled, double beta1, double beta2, double epsilon, long step)
    {
        double correction1 = BiasCorrection(beta1, step);
        double correction2 = BiasCorrection(beta2, step);
        return new AdamKernel.Constants(
            Keep: decoupled ? (float)(1 - (learningRate * weightDecay)) : 1f, Decay: decoupled ? 0f : (float)weightDecay,
            Beta1: (float)beta1, Weight1: (float)(1 - beta1), Beta2: (float)beta2, Weight2: (float)(1 - beta2),
            Correction: (float)Math.Sqrt(correction2), Epsilon: (float)epsilon, StepSize: (float)(-learningRate / correction1));
    }

    /// <summary>
    /// Step <paramref name="step"/> (1-based) as whole-buffer torch operations: the path for buffers
    /// <see cref="AdamKernel"/> does not take (GPU, other number types), and the reference the kernel is tested against.
    /// </summary>
    internal static void TorchStep(
        Tensor values, Tensor gradient, Tensor average, Tensor squaredAverage, double learningRate, double weightDecay, bool decoupled,
        double beta1, double beta2, double epsilon, long step)
    {
        // Explicit scalars, disposed after the step: an implicitly converted Scalar has no owner, and its finalizer can
        // free the native value while a call still reads it (seen as rare "Unknown scalar type" crashes in Adam).
        using Scalar keep = 1 - (learningRate * weightDecay);
        using Scalar decay = weightDecay;
        using Scalar averageDecay = beta1;
        using Scalar averageWeight = 1 - beta1;
        using Scalar squareDecay = beta2;
        using Scalar squareWeight = 1 - beta2;
        using Scalar stepSize = -learningRate / BiasCorrection(beta1, step);
        using Scalar correction = Math.Sqrt(BiasCorrection(beta2, step));
        if (weightDecay != 0)
        {
            if (decoupled)
            {
                values.mul_(keep);
            }
            else
            {
                gradient = gradient.add(values, alpha: decay);
            }
        }

        average.mul_(averageDecay).add_(gradient, alpha: averageWeight);
        squaredAverage.mul_(squareDecay).addcmul_(gradient, gradient, value: squareWeight);
        var denominator = squaredAverage.sqrt().div_(correction).PlusInPlace(epsilon);
        values.addcdiv_(average, denominator, value: stepSize);
    }

    /// <summary>Writes the step count and both moment buffers.</summary>
    public override void SaveState(System.IO.BinaryWriter writer)
    {
        writer.Write("adam");
        writer.Write(steps);
        writer.Write(average.numel());
        average.Save(writer);
        squaredAverage.Save(writer);
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    public override void LoadState(System.IO.BinaryReader reader)
    {
        string kind = reader.ReadString();
        long count = kind == "adam" ? reader.ReadInt64() : 0;
        long saved = kind == "adam" ? reader.ReadInt64() : 0;
        if (kind != "adam" || saved != average.numel())
        {
            throw new System.IO.InvalidDataException(
                $"the optimizer state is {kind} over {saved:N0} values; this run uses Adam over {average.numel():N0}.");
        }

        steps = count;
        average.Load(reader);
        squaredAverage.Load(reader);
    }

    // Checked before the base moves the parameters into one buffer.
    private static double Checked(double learningRate, double weightDecay, double beta1, double beta2, double epsilon) =>
        learningRate >= 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon >= 0 && weightDecay >= 0
            ? learningRate
            : throw new ArgumentOutOfRangeException(nameof(learningRate), "Adam needs lr ≥ 0, 0 ≤ β₁, β₂ < 1, ε ≥ 0 and weight decay ≥ 0.");

    /// <summary>Releases the buffers and the moment estimates.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            average.Dispose();
            squaredAverage.Dispose();
        }

        base.Dispose(disposing);
    }
}
