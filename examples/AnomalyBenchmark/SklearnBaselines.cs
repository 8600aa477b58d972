using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// scikit-learn's IsolationForest (100 trees), 5-NN distance, LOF (20) and PCA reconstruction (d/2 components) on
/// standardised features, fitted on all rows of a table with fixed seeds: <c>baselines.py</c> run as a child process.
/// </summary>
internal static class SklearnBaselines
{
    /// <summary>The detectors, in the order <c>baselines.py</c> writes them.</summary>
    public static readonly string[] Names = { "IsolationForest", "5-NN", "LOF", "PCA" };

    /// <summary>The name of IsolationForest at random_state <paramref name="seed"/> in <see cref="Score"/>'s result.</summary>
    public static string ForestName(int seed) => seed == 0 ? "IsolationForest" : $"IsolationForest@{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Debian's interpreter (where <c>apt-get install python3-sklearn</c> puts scikit-learn) if present, else <c>python3</c> on the PATH.</summary>
    public static string DefaultPython => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// Scores of every baseline for the table at <paramref name="csvPath"/> (higher = more anomalous, rows in file order);
    /// with <paramref name="forestSeeds"/> &gt; 1 also <c>IsolationForest@1</c>.. (random_state 1..forestSeeds − 1).
    /// </summary>
    public static Dictionary<string, double[]> Score(string csvPath, string python, int rows, int forestSeeds = 1)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "baselines.py");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(csvPath);
        if (forestSeeds > 1)
        {
            start.ArgumentList.Add("--forest-seeds");
            start.ArgumentList.Add(forestSeeds.ToString(CultureInfo.InvariantCulture));
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{python}'.");
        var stderr = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{python} {script} {csvPath} exited with code {child.ExitCode}: {stderr.Result.Trim()}\n" +
                "The baselines need scikit-learn: `apt-get install -y python3-sklearn` (Debian), or pass --python PATH to an interpreter that has it.");
        }

        var result = new Dictionary<string, double[]>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            var scores = parts[1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            if (scores.Length != rows)
            {
                throw new InvalidDataException($"baselines.py returned {scores.Length} {parts[0]} scores for {csvPath}; the table has {rows} rows.");
            }

            result[parts[0]] = scores;
        }

        var missing = Names.Concat(Enumerable.Range(1, Math.Max(0, forestSeeds - 1)).Select(ForestName)).Where(n => !result.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"baselines.py gave no scores for {string.Join(", ", missing)} on {csvPath}.");
        }

        return result;
    }
}
