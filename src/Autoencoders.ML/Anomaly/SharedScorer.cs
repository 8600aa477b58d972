using System.Threading;
namespace Autoencoders.ML.Anomaly.Internal;

/// <summary>
/// A scorer shared by the transforms made from one fit (<c>WithThreshold</c>): each transform holds one reference and
/// disposes it with itself; the last one disposed disposes the scorer if it is owned.
/// </summary>
internal sealed class SharedScorer : IDisposable
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

    /// <summary>Releases one reference.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref references) == 0 && owns)
        {
            Scorer.Dispose();
        }
    }
}
