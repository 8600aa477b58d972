using System.Globalization;
using Autoencoders.ML.Cli.Commands;
using Autoencoders.ML.Cli.Input;
using Autoencoders.ML.IO;
using CsvHelper;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// Writes rows of numbers (and an optional label column, first or — with <c>labelLast</c> — last) as CSV with a header, to
/// a file or stdout.
/// </summary>
internal static class CsvOutput
{
    /// <summary>
    /// Writes the CSV to <paramref name="path"/> (atomically: the file appears whole or not at all) or, when it is null,
    /// to stdout. Commands call <see cref="CheckNotAnInput"/> first, before any work.
    /// </summary>
    /// <exception cref="InputException">The path cannot be written (exit code 2).</exception>
    public static void Write(
        string? path, IReadOnlyList<string> header, IReadOnlyList<float[]> rows, IReadOnlyList<string>? labels = null, string labelName = "label",
        bool labelLast = false)
    {
        if (path == null)
        {
            using var stdout = new StreamWriter(System.Console.OpenStandardOutput());
            WriteTo(stdout, header, rows, labels, labelName, labelLast);
            return;
        }

        try
        {
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
                WriteTo(writer, header, rows, labels, labelName, labelLast);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: the output could not be written ({CliRunner.OneLine(e)})", e);
        }
    }

    /// <summary>Refuses an output path that names one of the input files (the same file, by full path).</summary>
    /// <exception cref="InputException">It does.</exception>
    public static void CheckNotAnInput(string path, IReadOnlyList<string?>? inputs)
    {
        string target = Path.GetFullPath(path);
        foreach (string? input in inputs ?? Array.Empty<string?>())
        {
            if (input != null && string.Equals(Path.GetFullPath(input), target, StringComparison.Ordinal))
            {
                throw new InputException($"{path}: --out names the input file (--data); the output would replace the data it comes from. Choose another file.");
            }
        }
    }

    private static void WriteTo(TextWriter writer, IReadOnlyList<string> header, IReadOnlyList<float[]> rows, IReadOnlyList<string>? labels, string labelName, bool labelLast)
    {
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
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
