using System;

namespace Autoencoders.ML.Examples;

/// <summary>An <see cref="IProgress{T}"/> that runs its callback on the reporting thread, so lines print in order.</summary>
internal sealed class InlineProgress<T> : IProgress<T>
{
    private readonly Action<T> report;

    public InlineProgress(Action<T> report) => this.report = report;

    public void Report(T value) => report(value);
}
