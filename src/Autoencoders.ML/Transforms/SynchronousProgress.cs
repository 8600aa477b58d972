
namespace Autoencoders.ML.Transforms;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its callbacks on the reporting thread, before training goes on (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronization context and may run late or out of order).
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
internal sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly IProgress<T>? inner;
    private readonly Action<T>? callback;

    private SynchronousProgress(IProgress<T>? inner, Action<T>? callback)
    {
        this.inner = inner;
        this.callback = callback;
    }

    /// <summary>One receiver for both, or null if neither is set.</summary>
    public static IProgress<T>? Combine(IProgress<T>? progress, Action<T>? callback) =>
        callback == null ? progress : new SynchronousProgress<T>(progress, callback);

    public void Report(T value)
    {
        inner?.Report(value);
        callback?.Invoke(value);
    }
}
