using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace Autoencoders.ML.Training;

/// <summary>
/// Prepares batches ahead of the optimizer step: a background thread walks the row source's batches (reading and
/// copying IDataView rows, or gathering rows of the in-memory tensor) while the step of the previous batch runs, and
/// hands each finished, contiguous batch tensor over through a queue of bounded depth. The order is the source's, so a
/// seed gives the same batches as reading them in line; only the wall-clock time changes.
/// </summary>
internal static class BatchPrefetcher
{
    /// <summary>Batches ready and waiting beyond the one being trained on.</summary>
    public const int Depth = 2;

    /// <summary>
    /// The batches of <paramref name="source"/>, produced on a background thread at most <see cref="Depth"/> ahead. Each
    /// tensor belongs to the caller, who disposes it. Leaving the loop early (an exception, cancellation, early exit)
    /// stops the producer and frees the batches it had prepared; an error of the producer (a bad row) is rethrown here.
    /// </summary>
    public static IEnumerable<Tensor> Ahead(IEnumerable<Tensor> source)
    {
        using var queue = new BlockingCollection<Tensor>(Depth);
        // Only the consumer stops the producer: the caller checks its own cancellation token between steps.
        using var stop = new CancellationTokenSource();
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var batch in source)
                    {
                        try
                        {
                            queue.Add(batch, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            batch.Dispose();
                            return;
                        }
                    }
                }
                finally
                {
                    queue.CompleteAdding();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable())
            {
                yield return batch;
            }

            // Rethrows the producer's error (a row that fails to read) as it was thrown.
            producer.GetAwaiter().GetResult();
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Already surfaced above, or the consumer is leaving with its own exception.
            }

            while (queue.TryTake(out var left))
            {
                left.Dispose();
            }
        }
    }
}
