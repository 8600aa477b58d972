using System.Globalization;
using CsvHelper;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// Writes rows of numbers (and an optional label column, first or — with <c>labelLast</c> — last) as CSV with a header, to
/// a file or stdout.
/// </summary>
internal static class CsvOutput
{
    public static void Write(string? path, IReadOnlyList<string> header, IReadOnlyList<float[]> rows, IReadOnlyList<string>? labels = null, string labelName = "label", bool labelLast = false)
    {
        using TextWriter writer = path == null ? new StreamWriter(System.Console.OpenStandardOutput()) : new StreamWriter(path);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        if (labels != null && !labelLast)
        {
            csv.WriteField(labelName);
        }

        foreach (string name in header)
        {
            csv.WriteField(name);
        }

        if (labels != null && labelLast)
        {
            csv.WriteField(labelName);
        }

        csv.NextRecord();
        for (int r = 0; r < rows.Count; r++)
        {
            if (labels != null && !labelLast)
            {
                csv.WriteField(labels[r]);
            }

            foreach (float value in rows[r])
            {
                csv.WriteField(value.ToString("R", CultureInfo.InvariantCulture));
            }

            if (labels != null && labelLast)
            {
                csv.WriteField(labels[r]);
            }

            csv.NextRecord();
        }
    }

    public static string[] Names(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray();
}
