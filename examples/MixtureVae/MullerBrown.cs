using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

// The seed paper's use in miniature: overdamped Langevin dynamics on the Müller–Brown potential (three metastable
// basins), each frame lifted into 20 dimensions by a fixed nonlinear map, and a Gaussian-mixture VAE with a 1-d latent
// and K = 3 that is never told the basins. Its components are compared with the basin each frame is in (the minimum a
// steepest descent from the frame reaches).
internal static class MullerBrown
{
    private static readonly double[] A = { -200, -100, -170, 15 };
    private static readonly double[] Aa = { -1, -1, -6.5, 0.7 };
    private static readonly double[] Bb = { 0, 0, 11, 0.6 };
    private static readonly double[] Cc = { -10, -10, -6.5, 0.7 };
    private static readonly double[] X0 = { 1, 0, -0.5, -1 };
    private static readonly double[] Y0 = { 0, 0.5, 1.5, 1 };

    public const int Width = 20;

    public static int Run(string output)
    {
        Directory.CreateDirectory(output);
        var (frames, basins) = Simulate(seed: 0);
        var rows = Lift(frames);
        Console.WriteLine($"Müller–Brown: {frames.Length:N0} frames (kT = 20, dt = 1e-5, every 200th of 2,000,000 steps), basin occupancy " +
            string.Join(", ", Enumerable.Range(0, 3).Select(b => $"{"ABC"[b]} {basins.Count(x => x == b) / (double)basins.Length:P1}")));

        var ml = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), schema);
        var options = new MixtureAutoencoderOptions { Clusters = 3, HiddenSizes = new[] { 64, 32 }, LatentSize = 1, PretrainEpochs = 10, Beta = 1 };
        var training = new TrainingOptions { Epochs = 30, BatchSize = 128, Seed = 0, CompareWithPca = false, Threads = 1 };
        using var model = new AutoencoderTrainer(ml, options, training).Fit(data);
        int[] components = model.PredictCluster(rows);
        float[] latent = model.Encode(rows).Select(z => z[0]).ToArray();
        double agreement = ml.Clustering.MatchedAccuracy(components, basins);
        var matching = ml.Clustering.MatchClusters(components, basins);
        Console.WriteLine($"agreement of the {options.Clusters} components with the basins (best one-to-one match): {agreement:P2}; " +
            $"component sizes {string.Join(", ", Enumerable.Range(0, 3).Select(k => components.Count(c => c == k)))}; " +
            $"component → basin {string.Join(", ", matching.Select(m => $"{m.Key}→{"ABC"[m.Value]}"))}");

        Trajectory(Path.Combine(output, "muller-brown-components.png"), frames, components);
        FreeEnergy(Path.Combine(output, "muller-brown-free-energy.png"), latent, components);
        Console.WriteLine($"wrote {output}/muller-brown-components.png and muller-brown-free-energy.png");
        return agreement >= 0.9 ? 0 : 1;
    }

    /// <summary>The potential and its gradient at (x, y).</summary>
    public static (double V, double Dx, double Dy) Potential(double x, double y)
    {
        double v = 0, dx = 0, dy = 0;
        for (int i = 0; i < 4; i++)
        {
            double u = x - X0[i], w = y - Y0[i];
            double e = A[i] * Math.Exp((Aa[i] * u * u) + (Bb[i] * u * w) + (Cc[i] * w * w));
            v += e;
            dx += e * ((2 * Aa[i] * u) + (Bb[i] * w));
            dy += e * ((Bb[i] * u) + (2 * Cc[i] * w));
        }

        return (v, dx, dy);
    }

    private static ((double X, double Y)[] Frames, int[] Basins) Simulate(int seed)
    {
        const double kT = 20, dt = 1e-5;
        const int steps = 2_000_000, stride = 200;
        var random = new Random(seed);
        double x = -0.56, y = 1.44; // basin A
        double noise = Math.Sqrt(2 * kT * dt);
        var frames = new List<(double, double)>();
        for (int s = 1; s <= steps; s++)
        {
            var (_, dx, dy) = Potential(x, y);
            x += (-dx * dt) + (noise * Gaussian(random));
            y += (-dy * dt) + (noise * Gaussian(random));
            if (s % stride == 0)
            {
                frames.Add((x, y));
            }
        }

        var result = frames.ToArray();
        return (result, result.Select(f => Basin(f.Item1, f.Item2)).ToArray());
    }

    // The minimum a steepest descent from (x, y) reaches: 0 = A (−0.56, 1.44), 1 = B (0.62, 0.03), 2 = C (−0.05, 0.47).
    private static int Basin(double x, double y)
    {
        for (int i = 0; i < 3000; i++)
        {
            var (_, dx, dy) = Potential(x, y);
            if ((dx * dx) + (dy * dy) < 1)
            {
                break;
            }

            x -= dx * 1e-4;
            y -= dy * 1e-4;
        }

        var minima = new[] { (-0.558, 1.442), (0.623, 0.028), (-0.050, 0.467) };
        return Enumerable.Range(0, 3).OrderBy(k => Math.Pow(x - minima[k].Item1, 2) + Math.Pow(y - minima[k].Item2, 2)).First();
    }

    // A fixed nonlinear map R² → R²⁰: tanh and sine features of random projections (seeded), never trained.
    private static float[][] Lift((double X, double Y)[] frames)
    {
        var random = new Random(7);
        var w = Enumerable.Range(0, Width).Select(_ => (random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2, random.NextDouble() * 2 - 1)).ToArray();
        return frames.Select(f => w.Select((p, i) =>
        {
            double s = (p.Item1 * f.X) + (p.Item2 * f.Y) + p.Item3;
            return (float)(i % 2 == 0 ? Math.Tanh(s) : Math.Sin(s));
        }).ToArray()).ToArray();
    }

    private static void Trajectory(string path, (double X, double Y)[] frames, int[] components)
    {
        var plot = new ScottPlot.Plot();
        for (int k = 0; k < 3; k++)
        {
            var xs = frames.Where((_, i) => components[i] == k).Select(f => f.X).ToArray();
            var ys = frames.Where((_, i) => components[i] == k).Select(f => f.Y).ToArray();
            var points = plot.Add.ScatterPoints(xs, ys);
            points.MarkerSize = 2;
            points.LegendText = $"component {k} ({xs.Length:N0} frames)";
        }

        plot.Title("Müller–Brown trajectory, each frame coloured by its GMVAE component");
        plot.XLabel("x");
        plot.YLabel("y");
        plot.ShowLegend();
        plot.SavePng(path, 800, 600);
    }

    // −ln of the histogram of the latent mean (in kT units, minimum at 0), and the share of each component per bin.
    private static void FreeEnergy(string path, float[] latent, int[] components)
    {
        const int bins = 60;
        float lo = latent.Min(), hi = latent.Max();
        double width = (hi - lo) / bins;
        var counts = new int[3, bins];
        foreach (var (z, k) in latent.Zip(components))
        {
            counts[k, Math.Min(bins - 1, (int)((z - lo) / width))]++;
        }

        var plot = new ScottPlot.Plot();
        var centres = Enumerable.Range(0, bins).Select(b => lo + ((b + 0.5) * width)).ToArray();
        var total = Enumerable.Range(0, bins).Select(b => counts[0, b] + counts[1, b] + counts[2, b]).ToArray();
        double max = total.Max();
        for (int k = 0; k < 3; k++)
        {
            int component = k;
            var xs = centres.Where((_, b) => counts[component, b] > 0).ToArray();
            var fs = Enumerable.Range(0, bins).Where(b => counts[component, b] > 0).Select(b => -Math.Log(counts[component, b] / max)).ToArray();
            var line = plot.Add.ScatterPoints(xs, fs);
            line.LegendText = $"component {k}";
        }

        plot.Title("Free-energy-like profile along the 1-d latent: −ln p(z) per component (kT)");
        plot.XLabel("latent mean z");
        plot.YLabel("−ln p(z) + const");
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed class Row
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
