
namespace Autoencoders.ML.Data;

/// <summary>A set of rows that can be served as batches of (N, width) float tensors.</summary>
internal abstract class RowSource : IDisposable
{
    /// <summary>Number of rows in the set.</summary>
    public abstract long RowCount { get; }

    /// <summary>Values per row.</summary>
    public abstract int Width { get; }

    /// <summary>
    /// Batches of at most <paramref name="batchSize"/> rows, shuffled with <paramref name="shuffle"/> when given. Each
    /// tensor belongs to the caller's dispose scope.
    /// </summary>
    public abstract IEnumerable<Tensor> Batches(int batchSize, Random? shuffle);

    /// <summary>
    /// <see cref="Batches"/>, prepared on a background thread while the previous step trains when reading a batch takes
    /// long enough to be worth it (rows streamed from an <see cref="Microsoft.ML.IDataView"/>); rows in memory are
    /// copied on the caller's thread, where the copy costs less than sharing the cores with a second thread.
    /// </summary>
    public virtual IEnumerable<Tensor> TrainingBatches(int batchSize, Random? shuffle) => Training.BatchPrefetcher.Ahead(Batches(batchSize, shuffle));

    /// <summary>
    /// Every row once, in order, in float64 batches of at most <paramref name="batchSize"/> rows, for exact statistics
    /// over the set; each batch as read is disposed once the caller has moved past its float64 copy.
    /// </summary>
    public IEnumerable<Tensor> Float64Batches(int batchSize)
    {
        foreach (var batch in Batches(batchSize, shuffle: null))
        {
            using (batch)
            {
                yield return batch.to_type(ScalarType.Float64);
            }
        }
    }

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    internal static void Shuffle<T>(Span<T> items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
