using System;
using System.Threading;
using Autoencoders.ML.Training;

namespace Autoencoders.ML.Tests;

/// <summary>Progress that cancels <paramref name="source"/> at the report of <paramref name="epoch"/> (of <paramref name="phase"/> only, when given): an interrupted run for the checkpoint tests.</summary>
internal sealed class CancelAtReport(CancellationTokenSource source, int epoch, string? phase = null) : IProgress<EpochReport>
{
    public void Report(EpochReport value)
    {
        if (value.Epoch == epoch && (phase == null || value.Phase == phase))
        {
            source.Cancel();
        }
    }
}
