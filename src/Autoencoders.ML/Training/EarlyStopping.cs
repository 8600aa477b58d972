
namespace Autoencoders.ML.Training;

/// <summary>
/// Tracks the best epoch of a run by the monitored loss and, with a patience, keeps a copy of its weights, says when to
/// stop and puts the best weights back. Owns the copy: dispose it.
/// </summary>
internal sealed class EarlyStopping : IDisposable
{
    private readonly nn.Module network;
    private readonly int? patience;
    private Dictionary<string, Tensor>? bestWeights;
    private double best = double.PositiveInfinity;

    /// <summary>Watches <paramref name="network"/>; null <paramref name="patience"/> only tracks the best epoch.</summary>
    public EarlyStopping(nn.Module network, int? patience)
    {
        this.network = network;
        this.patience = patience;
    }

    /// <summary>1-based epoch with the lowest loss so far (0 before the first).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Records an epoch's monitored loss; returns true when it is the best so far (its weights are kept).</summary>
    public bool Record(int epoch, double loss)
    {
        if (!(loss < best))
        {
            return false;
        }

        best = loss;
        BestEpoch = epoch;
        if (patience != null)
        {
            Release();
            bestWeights = Snapshot();
        }

        return true;
    }

    /// <summary>The best monitored loss so far (+∞ before the first epoch).</summary>
    public double Best => best;

    /// <summary>The kept weights of the best epoch (with a patience), or null.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => bestWeights;

    /// <summary>Takes up the state a checkpoint recorded; <paramref name="weights"/> become owned by this object.</summary>
    public void Resume(int bestEpoch, double bestLoss, Dictionary<string, Tensor>? weights)
    {
        Release();
        BestEpoch = bestEpoch;
        best = bestLoss;
        bestWeights = weights;
    }

    /// <summary>True when the loss has not improved for the patience's number of epochs.</summary>
    public bool ShouldStop(int epoch) => patience is int p && epoch - BestEpoch >= p;

    /// <summary>Copies the best epoch's weights back into the network (nothing without a patience).</summary>
    public void RestoreBest()
    {
        if (bestWeights != null)
        {
            Restore(network, bestWeights);
        }
    }

    /// <summary>Copies <paramref name="weights"/> into <paramref name="network"/>'s parameters and buffers.</summary>
    public static void Restore(nn.Module network, IDictionary<string, Tensor> weights)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, value) in network.state_dict())
        {
            value.copy_(weights[name]);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private Dictionary<string, Tensor> Snapshot()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var copy = network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        foreach (var tensor in copy.Values)
        {
            // Survives this scope; Release disposes it.
            tensor.DetachFromDisposeScope();
        }

        return copy;
    }

    private void Release()
    {
        if (bestWeights == null)
        {
            return;
        }

        foreach (var tensor in bestWeights.Values)
        {
            tensor.Dispose();
        }

        bestWeights = null;
    }
}
