
namespace Autoencoders.ML.Models;

/// <summary>
/// Per-value scaling fitted on the training rows: the network sees (x − shift)·scale, and its output is mapped back with
/// y/scale + shift, so a model's inputs and outputs (and its exported ONNX graphs) stay in the data's own units. A
/// constant value gets scale 1.
/// </summary>
/// <param name="Kind">How it was fitted.</param>
/// <param name="InputShift">Subtracted from each input value.</param>
/// <param name="InputScale">Multiplies each shifted input value.</param>
/// <param name="OutputShift">Added back to each output value (the target's shift when training on a target column).</param>
/// <param name="OutputScale">Divides each output value.</param>
internal sealed record FeatureScaling(ScalingKind Kind, float[] InputShift, float[] InputScale, float[] OutputShift, float[] OutputScale)
{
    /// <summary>Fits the scaling on the training rows (input first, then the target when paired).</summary>
    internal static FeatureScaling Fit(ScalingKind kind, RowSource rows, int inputWidth, int outputWidth, bool paired)
    {
        using var scope = torch.NewDisposeScope();
        int width = rows.Width;
        var sum = torch.zeros(width, dtype: ScalarType.Float64);
        var squares = torch.zeros(width, dtype: ScalarType.Float64);
        var min = KeptScalars.With(double.PositiveInfinity, infinity => torch.full(width, infinity, dtype: ScalarType.Float64));
        var max = KeptScalars.With(double.NegativeInfinity, infinity => torch.full(width, infinity, dtype: ScalarType.Float64));
        long n = 0;
        foreach (var x in rows.Float64Batches(4096))
        {
            sum.PlusInPlace(x.sum(dim: 0)); // dim: named — a bare 0 binds to sum(ScalarType?)
            squares.PlusInPlace(x.Squared().sum(dim: 0));
            min = torch.minimum(min, x.amin(0));
            max = torch.maximum(max, x.amax(0));
            n += x.shape[0];
        }

        Tensor shift;
        Tensor spread;
        if (kind == ScalingKind.MinMax)
        {
            shift = min;
            spread = max - min;
        }
        else
        {
            shift = sum.Over(n);
            spread = (squares.Over(n) - shift.Squared()).ClampMin(0).sqrt();
        }

        var scale = torch.where(KeptScalars.With(1e-12, tiny => spread.gt(tiny)), spread.reciprocal(), torch.ones_like(spread));
        float[] shiftValues = shift.to_type(ScalarType.Float32).data<float>().ToArray();
        float[] scaleValues = scale.to_type(ScalarType.Float32).data<float>().ToArray();
        float[] inShift = shiftValues[..inputWidth];
        float[] inScale = scaleValues[..inputWidth];
        return paired
            ? new FeatureScaling(kind, inShift, inScale, shiftValues[inputWidth..(inputWidth + outputWidth)], scaleValues[inputWidth..(inputWidth + outputWidth)])
            : new FeatureScaling(kind, inShift, inScale, inShift, inScale);
    }

    /// <summary>(x − shift)·scale on the input side.</summary>
    internal Tensor ScaleInput(Tensor x) => (x - torch.tensor(InputShift)) * torch.tensor(InputScale);

    /// <summary>(t − shift)·scale on the output side: what the network must produce for target t.</summary>
    internal Tensor ScaleTarget(Tensor t) => (t - torch.tensor(OutputShift)) * torch.tensor(OutputScale);

    /// <summary>y/scale + shift: a network output back in the data's units.</summary>
    internal Tensor UnscaleOutput(Tensor y) => (y / torch.tensor(OutputScale)).Plus(torch.tensor(OutputShift));

    /// <summary>The lower-case name written to metadata.</summary>
    internal string Name => Kind == ScalingKind.MinMax ? "minmax" : Kind == ScalingKind.Standard ? "standard" : "none";

    /// <inheritdoc />
    public bool Equals(FeatureScaling? other) =>
        other != null && Kind == other.Kind && InputShift.SequenceEqual(other.InputShift) && InputScale.SequenceEqual(other.InputScale)
        && OutputShift.SequenceEqual(other.OutputShift) && OutputScale.SequenceEqual(other.OutputScale);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, InputShift.Length, OutputShift.Length);
}
