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
/// Memory and speed at 100× the rows: peak resident set size and the trainer's own rows/s of one epoch streamed
/// (MaxInMemoryBytes = 0) over N rows — MNIST's 60,000 training images repeated, each pass after the first with its own
/// noise pattern — for N = 60,000 and 6,000,000, beside the last of three epochs over the 60,000 rows held in memory. Each run is its own
/// child process, so that peaks do not mix.
/// </summary>
internal static class MemoryBenchmark
{
    public const string ProbeArgument = "--memory-probe";

    /// <summary>One child run: its rows, whether they were streamed, its peak RSS and its rows/s.</summary>
    public sealed record Probe(long Rows, bool Streamed, double PeakMiB, double RowsPerSecond);

    public sealed record Result(Probe Small, Probe Large, Probe InMemory)
    {
        /// <summary>Peak RSS streaming the large set ÷ streaming the small one.</summary>
        public double Ratio => Large.PeakMiB / Small.PeakMiB;

        /// <summary>Rows/s streaming the large set ÷ rows/s of the small set held in memory.</summary>
        public double SpeedRatio => Large.RowsPerSecond / InMemory.RowsPerSecond;
    }

    public static Result Run(long smallRows, long largeRows) =>
        new(Measure(smallRows, streamed: true), Measure(largeRows, streamed: true), Measure(smallRows, streamed: false));

    /// <summary>The child process: trains one epoch on <paramref name="rows"/> rows, prints its peak RSS in MiB and its rows/s.</summary>
    public static int RunProbe(long rows, bool streamed)
    {
        var ml = new MLContext(seed: 0);
        float[][] images = BundledMnist.Train(ml).GetColumn<float[]>("Features").ToArray();
        var data = new CyclingDataView(images, rows);
        // Rows in memory train three epochs and report the last (the first one carries the warm-up, which a 6,000,000-row
        // epoch spreads thin); a streamed run trains one.
        var training = new TrainingOptions { Epochs = streamed ? 1 : 3, BatchSize = 256, StreamingShuffleWindow = 16_384 };
        if (streamed)
        {
            training.MaxInMemoryBytes = 0;
        }

        using var model = new AutoencoderTrainer(ml, new AutoencoderOptions { HiddenSizes = new[] { 512, 128 }, LatentSize = 32 }, training).Fit(data);
        Console.WriteLine(FormattableString.Invariant($"{PeakResidentMiB():F1} {model.History.Epochs[^1].SamplesPerSecond:F0}"));
        return 0;
    }

    private static Probe Measure(long rows, bool streamed)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the benchmark executable.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (self.EndsWith("dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add(ProbeArgument);
        start.ArgumentList.Add(rows.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(streamed ? "streamed" : "memory");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"memory probe for {rows} rows failed: {error}");
        }

        var fields = output.Trim().Split('\n')[^1].Split(' ');
        return new Probe(rows, streamed, double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
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

        private readonly Dictionary<long, float[]> noise = new();

        /// <summary>The noise pattern of pass <paramref name="pass"/> (seeded by the pass), made on first use.</summary>
        public float[] Noise(long pass)
        {
            if (!noise.TryGetValue(pass, out var pattern))
            {
                var random = new Random((int)pass);
                pattern = new float[images[0].Length];
                for (int i = 0; i < pattern.Length; i++)
                {
                    pattern[i] = (float)((random.NextDouble() - 0.5) * 0.1);
                }

                noise[pass] = pattern;
            }

            return pattern;
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
                    long pass = position / view.images.Length;
                    var editor = VBufferEditor.Create(ref value, image.Length);
                    image.CopyTo(editor.Values);
                    if (pass > 0)
                    {
                        // Each later pass adds its own noise pattern (±0.05, drawn once per pass), kept in [0, 1].
                        var noise = view.Noise(pass);
                        var values = editor.Values;
                        for (int i = 0; i < values.Length; i++)
                        {
                            values[i] = Math.Clamp(values[i] + noise[i], 0f, 1f);
                        }
                    }

                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)getter;
            }
        }
    }
}
