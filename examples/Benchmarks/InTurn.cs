using System;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>Throughput helpers shared by the scoring benchmarks.</summary>
internal static class InTurn
{
    /// <summary>
    /// Best rows/s of each run over <paramref name="repeats"/>, the runs taken in turn within each repeat (after one
    /// warm-up each), so that a busy moment of the machine does not fall on one of them only.
    /// </summary>
    public static double[] Best(int repeats, int rows, params Action[] runs)
    {
        var best = runs.Select(_ => double.MaxValue).ToArray();
        foreach (var run in runs)
        {
            run();
        }

        for (int i = 0; i < repeats; i++)
        {
            for (int r = 0; r < runs.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                runs[r]();
                best[r] = Math.Min(best[r], clock.Elapsed.TotalSeconds);
            }
        }

        return best.Select(b => rows / b).ToArray();
    }

    /// <summary>Reads every named column the view has through one cursor, whatever its type (a stock reload may type them differently).</summary>
    public static void Drain(IDataView view, params string[] names)
    {
        var columns = names.Select(n => view.Schema.GetColumnOrNull(n)).Where(c => c != null).Select(c => c!.Value).ToArray();
        using var cursor = view.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToArray();
        while (cursor.MoveNext())
        {
            foreach (var read in readers)
            {
                read();
            }
        }
    }

    private static Action Reader(DataViewRowCursor cursor, DataViewSchema.Column column) =>
        (Action)typeof(InTurn).GetMethod(nameof(TypedReader), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType).Invoke(null, new object[] { cursor, column })!;

    private static Action TypedReader<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () => getter(ref value);
    }
}
