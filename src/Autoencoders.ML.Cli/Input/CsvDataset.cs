using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Autoencoders.ML.Cli.Input;

/// <summary>
/// Reads a CSV file with a header. Every numeric column (every cell a number) is a feature unless <c>--features</c> selects some; the
/// <c>--label-column</c> is kept aside. Any problem names the file, the row (the 1-based line: the header is row 1) and
/// the CSV column.
/// </summary>
internal static class CsvDataset
{
    public static Dataset Read(string path, string? labelColumn, IReadOnlyList<string>? selected)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found.");
        }

        using var reader = new StreamReader(path);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = true, TrimOptions = TrimOptions.Trim, BadDataFound = null };
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
        {
            throw new InputException($"{path}: the file is empty; expected a header row and at least one data row.");
        }

        var records = new List<string[]>();
        var lines = new List<int>();
        while (csv.Read())
        {
            int row = csv.Parser.RawRow;
            var record = csv.Parser.Record ?? Array.Empty<string>();
            if (record.Length == 1 && string.IsNullOrWhiteSpace(record[0]))
            {
                continue;
            }

            if (record.Length != header.Length)
            {
                throw new InputException($"{path}: row {row} has {record.Length} cells but the header has {header.Length} (ragged row).");
            }

            records.Add(record);
            lines.Add(row);
        }

        if (records.Count == 0)
        {
            throw new InputException($"{path}: the file has a header but no data rows.");
        }

        int labelIndex = -1;
        if (labelColumn != null)
        {
            labelIndex = Array.IndexOf(header, labelColumn);
            if (labelIndex < 0)
            {
                throw new InputException($"{path}: --label-column '{labelColumn}' is not in the header ({string.Join(", ", header)}).");
            }
        }

        int[] featureIndices;
        if (selected != null && selected.Count > 0)
        {
            featureIndices = selected.Select(name =>
            {
                int index = Array.IndexOf(header, name);
                return index >= 0 ? index : throw new InputException($"{path}: --features names '{name}', which is not in the header ({string.Join(", ", header)}).");
            }).ToArray();
        }
        else
        {
            // A column is a feature when every cell parses as a number; a column where no cell does (names, categories) is
            // left out; a column with both is an error naming the first cell that is not a number — never a silent drop.
            var numeric = new List<int>();
            foreach (int i in Enumerable.Range(0, header.Length).Where(i => i != labelIndex))
            {
                int firstBad = records.FindIndex(r => !IsNumber(r[i]));
                if (firstBad < 0)
                {
                    numeric.Add(i);
                }
                else if (records.Any(r => IsNumber(r[i])))
                {
                    throw new InputException(
                        $"{path}: row {lines[firstBad]}, column '{header[i]}': '{records[firstBad][i]}' is not a finite number, but other cells of " +
                        "the column are numbers. Fix the cell, or leave the column out with --features.");
                }
            }

            featureIndices = numeric.ToArray();
            if (featureIndices.Length == 0)
            {
                throw new InputException($"{path}: no numeric columns (columns whose every cell is a number); give them with --features.");
            }
        }

        var rows = new float[records.Count][];
        for (int r = 0; r < records.Count; r++)
        {
            rows[r] = new float[featureIndices.Length];
            for (int f = 0; f < featureIndices.Length; f++)
            {
                string cell = records[r][featureIndices[f]];
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw new InputException(
                        $"{path}: row {lines[r]}, column '{header[featureIndices[f]]}': '{cell}' is not a finite number.");
                }

                rows[r][f] = value;
            }
        }

        string[]? labels = labelIndex < 0 ? null : records.Select(r => r[labelIndex]).ToArray();
        return new Dataset(path, featureIndices.Select(i => header[i]).ToArray(), rows, labels, null) { Lines = lines.ToArray() };
    }

    private static bool IsNumber(string cell) => float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
