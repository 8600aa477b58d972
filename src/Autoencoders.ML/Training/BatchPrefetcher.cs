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
        // Every native tensor is freed on the thread that made it: the producer makes each batch, the caller gets (and
        // frees) a second handle made on its own thread, and the producer frees its handle once the caller has moved
        // on. TorchSharp counts live tensors per thread, and those counts stay balanced on both threads.
        using var ready = new BlockingCollection<Tensor>(Depth);
        using var done = new BlockingCollection<Tensor>();
        // Only the consumer stops the producer: the caller checks its own cancellation token between steps.
        using var stop = new CancellationTokenSource();
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var batch in source)
                    {
                        FreeReturned(done);
                        try
                        {
                            ready.Add(batch, stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            batch.Dispose();
                            break;
                        }
                    }
                }
                finally
                {
                    ready.CompleteAdding();
                    // Free what the caller hands back, and what it never took, until it is done.
                    foreach (var returned in done.GetConsumingEnumerable())
                    {
                        returned.Dispose();
                    }

                    while (ready.TryTake(out var left))
                    {
                        left.Dispose();
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable())
            {
                var mine = batch.alias();
                done.Add(batch);
                yield return mine;
            }
        }
        finally
        {
            stop.Cancel();
            done.CompleteAdding();
            try
            {
                producer.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Rethrown below when the loop ran to its end; otherwise the caller is leaving with its own exception.
            }
        }

        // Rethrows the producer's error (a row that fails to read) as it was thrown.
        producer.GetAwaiter().GetResult();
    }

    private static void FreeReturned(BlockingCollection<Tensor> done)
    {
        while (done.TryTake(out var returned))
        {
            returned.Dispose();
        }
    }
}
