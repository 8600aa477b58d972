using System.Threading;
namespace Autoencoders.ML.Anomaly.Internal;

/// <summary>A scorer shared by the transforms made from one fit (<c>WithThreshold</c>); the last one released disposes it if it is owned.</summary>
internal sealed class SharedScorer
{
    private readonly bool owns;
    private int references = 1;

    public SharedScorer(AnomalyScorer scorer, bool owns)
    {
        Scorer = scorer;
        this.owns = owns;
    }

    public AnomalyScorer Scorer { get; }

    public SharedScorer AddReference()
    {
        Interlocked.Increment(ref references);
        return this;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref references) == 0 && owns)
        {
            Scorer.Dispose();
        }
    }
}
