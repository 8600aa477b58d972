using TorchSharp.Modules;

namespace Autoencoders.ML.Training.Optimizers;

/// <summary>
/// Moves a set of parameters and their gradients into two contiguous buffers: every parameter becomes a view of
/// <see cref="Values"/> and its gradient a view of <see cref="Gradients"/>, so an optimizer can update all of them with a
/// handful of whole-buffer operations instead of several native calls per parameter.
/// </summary>
/// <remarks>
/// Autograd accumulates into an existing gradient in place, so backward writes straight into <see cref="Gradients"/>;
/// zeroing it is one call. The parameters keep their identity (modules and state dicts see the same objects), only their
/// storage moves. All parameters must share one dtype and device.
/// </remarks>
internal sealed class FlatParameters : IDisposable
{
    private readonly Parameter[] parameters;

    /// <summary>Copies <paramref name="parameters"/> into one buffer and rebinds each parameter and its gradient to a view of it.</summary>
    /// <param name="parameters">Trainable parameters (duplicates are ignored).</param>
    public FlatParameters(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.Distinct().ToArray();
        if (this.parameters.Length == 0)
        {
            throw new ArgumentException("There are no parameters to optimize.", nameof(parameters));
        }

        var first = this.parameters[0];
        if (this.parameters.Any(p => p.dtype != first.dtype || p.device_type != first.device_type))
        {
            throw new ArgumentException("Every parameter must have the same dtype and device to share one buffer.", nameof(parameters));
        }

        long total = this.parameters.Sum(p => p.numel());
        Values = zeros(total, dtype: first.dtype, device: first.device);
        Gradients = zeros(total, dtype: first.dtype, device: first.device);
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var parameter in this.parameters)
        {
            long count = parameter.numel();
            // Every intermediate handle is disposed here: only the parameter and its gradient keep the storage alive.
            using var valueSlice = Values.narrow(0, offset, count);
            using var value = valueSlice.view(parameter.shape);
            value.copy_(parameter);
            parameter.set_(value);
            using var gradientSlice = Gradients.narrow(0, offset, count);
            using var gradient = gradientSlice.view(parameter.shape);
            parameter.grad = gradient;
            offset += count;
        }
    }

    /// <summary>Every parameter's values, one after another.</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter's gradient, one after another, laid out as <see cref="Values"/>.</summary>
    public Tensor Gradients { get; }

    /// <summary>The parameters, in buffer order.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>
    /// Zeroes every gradient in one call. The gradients stay views of <see cref="Gradients"/>; a module's own
    /// <c>zero_grad()</c> would detach them (it sets them to none), so training loops call the optimizer's.
    /// </summary>
    public void ZeroGradients() => Gradients.zero_();

    /// <summary>Releases both buffers (the parameters keep their storage alive while they exist).</summary>
    public void Dispose()
    {
        Values.Dispose();
        Gradients.Dispose();
    }
}
