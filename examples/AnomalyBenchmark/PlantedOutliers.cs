using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// The rows of the library test <c>AnomalyScorerTests.DefaultScorerRanksPlantedOutliersHighAndThresholdFollowsContamination</c>
/// (its generator verbatim), written as a benchmark table: issue 27's round 3 runs every candidate on them before any table.
/// </summary>
internal static class PlantedOutliers
{
    /// <summary>Writes the 600 rows as <c>f0..f7,label</c> to <paramref name="path"/> (values round-trip exactly).</summary>
    public static void Write(string path)
    {
        var random = new Random(1);
        int n = 600;
        var text = new StringBuilder("f0,f1,f2,f3,f4,f5,f6,f7,label\n");
        for (int i = 0; i < n; i++)
        {
            // normal rows lie near a 2-d plane in 8-d; every 30th row is off it
            double a = random.NextDouble() * 4 - 2;
            double b = random.NextDouble() * 4 - 2;
            bool outlier = i % 30 == 0;
            var row = Enumerable.Range(0, 8).Select(j => (float)((j % 2 == 0 ? a : b) * (1 + (j / 2)) + (random.NextDouble() - 0.5) * 0.05 + (outlier ? (random.NextDouble() - 0.5) * 8 : 0))).ToArray();
            text.Append(string.Join(',', row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(outlier ? '1' : '0').Append('\n');
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder != null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, text.ToString());
    }
}
