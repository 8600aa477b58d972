using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds;
using Autoencoders.ML.Models;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Examples;

/// <summary>
/// Memory: peak resident set size of a process that trains one epoch while streaming N rows (MaxInMemoryBytes = 0),
/// for N = 60,000 and 600,000. Each size runs in its own child process so that peaks do not mix.
/// </summary>
internal static class MemoryBenchmark
{
    public const string ProbeArgument = "--memory-probe";

    public sealed record Result(long SmallRows, long LargeRows, double SmallPeakMiB, double LargePeakMiB)
    {
        public double Ratio => LargePeakMiB / SmallPeakMiB;
    }

    public static Result Run(long smallRows, long largeRows) =>
        new(smallRows, largeRows, Probe(smallRows), Probe(largeRows));

    /// <summary>The child process: streams <paramref name="rows"/> rows (MNIST cycled) through one epoch, prints peak RSS in MiB.</summary>
    public static int RunProbe(long rows)
    {
        var ml = new MLContext(seed: 0);
        float[][] images = BundledMnist.Train(ml).GetColumn<float[]>("Features").ToArray();
        var data = new CyclingDataView(images, rows);
        var training = new TrainingOptions { Epochs = 1, BatchSize = 256, MaxInMemoryBytes = 0, StreamingShuffleWindow = 16_384 };
        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 }, training).Fit(data);
        Console.WriteLine(PeakResidentMiB().ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }

    private static double Probe(long rows)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the benchmark executable.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (self.EndsWith("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add(ProbeArgument);
        start.ArgumentList.Add(rows.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"memory probe for {rows} rows failed: {error}");
        }

        return double.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }

    private static double PeakResidentMiB()
    {
        // VmHWM: the process's peak resident set size, in kB.
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>An IDataView of <c>count</c> rows that cycles through a fixed set of images without copying them.</summary>
    private sealed class CyclingDataView : IDataView
    {
        private readonly float[][] images;
        private readonly long count;

        public CyclingDataView(float[][] images, long count)
        {
            this.images = images;
            this.count = count;
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, images[0].Length));
            Schema = builder.ToSchema();
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema { get; }

        public long? GetRowCount() => count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly CyclingDataView view;
            private long position = -1;

            public Cursor(CyclingDataView view) => this.view = view;

            public override DataViewSchema Schema => view.Schema;

            public override long Position => position;

            public override long Batch => 0;

            public override bool MoveNext() => ++position < view.count;

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)position, 0);

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
                {
                    var image = view.images[position % view.images.Length];
                    var editor = VBufferEditor.Create(ref value, image.Length);
                    image.CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)getter;
            }
        }
    }
}
