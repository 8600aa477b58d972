using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;

namespace Autoencoders.ML.Cli.Input;

/// <summary>
/// Reads a CSV file with a header. Every numeric column (every cell a number) is a feature unless <c>--features</c> selects some; the
/// <c>--label-column</c> is kept aside. Any problem names the file, the row (the 1-based line: the header is row 1) and
/// the CSV column.
/// </summary>
/// <remarks>
/// The file is read once, record by record, into one float per kept cell (the label column as text): no string copy of
/// the file is held, and when every kept column is a feature (the chosen or training columns, or a file of numbers and
/// a label) those floats are the rows, so the numbers are held once; a text column left out costs one copy more. A column whose
/// cells are numbers written with a decimal comma (<c>1,5</c>, a <c>;</c> file from a German or French spreadsheet) is an
/// error naming it, not a column silently left out; so are duplicate header names. With the columns a model was trained
/// on, those columns are read by name, in the training order, wherever they stand in the file; a missing one is an error
/// naming it.
/// </remarks>
internal static partial class CsvDataset
{
    public static Dataset Read(string path, string? labelColumn, IReadOnlyList<string>? selected, IReadOnlyList<string>? trainingColumns = null)
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

        CheckHeader(path, header);
        int labelIndex = -1;
        if (labelColumn != null)
        {
            labelIndex = Array.IndexOf(header, labelColumn);
            if (labelIndex < 0)
            {
                throw new InputException($"{path}: --label-column '{labelColumn}' is not in the header ({string.Join(", ", header)}).");
            }
        }

        int[]? chosen = null;
        bool byModel = trainingColumns != null && (selected is not { Count: > 0 } || selected.ToHashSet(StringComparer.Ordinal).SetEquals(trainingColumns));
        if (byModel)
        {
            // Matched by name: the training order, wherever the columns stand (--features naming the same columns in another order too).
            selected = trainingColumns;
        }

        if (selected != null && selected.Count > 0)
        {
            chosen = selected.Select(name =>
            {
                int index = Array.IndexOf(header, name);
                if (index < 0)
                {
                    throw new InputException(byModel
                        ? $"{path}: the model was trained on column '{name}', which is not in the header ({string.Join(", ", header)}); columns are matched by name. Add or rename the column, or choose the columns with --features (then matched by position)."
                        : $"{path}: --features names '{name}', which is not in the header ({string.Join(", ", header)}).");
                }

                return index != labelIndex ? index : throw new InputException(
                    $"{path}: column '{name}' is both the --label-column and a feature{(byModel ? " the model was trained on" : string.Empty)}; give another --label-column.");
            }).ToArray();
        }

        // The columns a row keeps: the chosen ones in their order, or every column but the label. The kept cells are the
        // feature rows themselves when every kept column is a feature (no second copy of the numbers).
        int[] kept = chosen ?? Enumerable.Range(0, header.Length).Where(i => i != labelIndex).ToArray();

        // One pass: every kept cell as a float (NaN where it is not a number), what each column holds, the first cell that is not a number.
        var cells = new List<float[]>();
        var lines = new List<int>();
        var labels = labelIndex < 0 ? null : new List<string>();
        var columns = new ColumnState[header.Length];
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

            labels?.Add(record[labelIndex]);
            var values = new float[kept.Length];
            for (int k = 0; k < kept.Length; k++)
            {
                int i = kept[k];
                if (float.TryParse(record[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
                {
                    values[k] = value;
                    columns[i].Numbers++;
                }
                else
                {
                    values[k] = float.NaN;
                    if (columns[i].FirstBadLine == 0)
                    {
                        columns[i].FirstBadLine = row;
                        columns[i].FirstBadCell = record[i];
                    }

                    if (DecimalComma().IsMatch(record[i]))
                    {
                        columns[i].DecimalCommas++;
                    }
                }
            }

            cells.Add(values);
            lines.Add(row);
        }

        if (cells.Count == 0)
        {
            throw new InputException($"{path}: the file has a header but no data rows.");
        }

        int[] featureIndices = chosen ?? NumericColumns(path, header, labelIndex, columns, cells.Count);
        foreach (int i in featureIndices)
        {
            if (columns[i].FirstBadLine != 0)
            {
                throw new InputException($"{path}: row {columns[i].FirstBadLine}, column '{header[i]}': '{columns[i].FirstBadCell}' is not a finite number.{CommaHint(columns[i])}");
            }
        }

        if (featureIndices.SequenceEqual(kept))
        {
            return new Dataset(path, featureIndices.Select(i => header[i]).ToArray(), cells.ToArray(), labels?.ToArray(), null) { Lines = lines.ToArray() };
        }

        var slots = featureIndices.Select(i => Array.IndexOf(kept, i)).ToArray();
        var rows = new float[cells.Count][];
        for (int r = 0; r < cells.Count; r++)
        {
            var all = cells[r];
            var row = new float[slots.Length];
            for (int f = 0; f < slots.Length; f++)
            {
                row[f] = all[slots[f]];
            }

            rows[r] = row;
            cells[r] = null!; // let the cell row go as soon as its features are copied
        }

        return new Dataset(path, featureIndices.Select(i => header[i]).ToArray(), rows, labels?.ToArray(), null) { Lines = lines.ToArray() };
    }

    /// <summary>Header names must be non-empty and distinct: columns are matched by name.</summary>
    private static void CheckHeader(string path, string[] header)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(header[i]))
            {
                throw new InputException($"{path}: header cell {i + 1} is empty; every column needs a name (columns are matched by name).");
            }

            if (seen.TryGetValue(header[i], out int first))
            {
                throw new InputException(
                    $"{path}: the header names '{header[i]}' twice (columns {first + 1} and {i + 1}); columns are matched by name, so rename one.");
            }

            seen[header[i]] = i;
        }
    }

    // A column is a feature when every cell is a number; a column where no cell is (names, categories) is left out; a
    // column with both, or numbers written with a decimal comma, is an error naming the first cell — never a silent drop.
    private static int[] NumericColumns(string path, string[] header, int labelIndex, ColumnState[] columns, int rows)
    {
        var numeric = new List<int>();
        for (int i = 0; i < header.Length; i++)
        {
            if (i == labelIndex)
            {
                continue;
            }

            var column = columns[i];
            if (column.Numbers == rows)
            {
                numeric.Add(i);
            }
            else if (column.Numbers > 0 || column.DecimalCommas > 0)
            {
                throw new InputException(
                    $"{path}: row {column.FirstBadLine}, column '{header[i]}': '{column.FirstBadCell}' is not a finite number, but " +
                    $"{(column.Numbers > 0 ? "other cells of the column are numbers" : "the column's cells look like numbers")}.{CommaHint(column)} " +
                    "Fix the cells, or leave the column out with --features.");
            }
        }

        if (numeric.Count == 0)
        {
            throw new InputException($"{path}: no numeric columns (columns whose every cell is a number); give them with --features.");
        }

        return numeric.ToArray();
    }

    private static string CommaHint(ColumnState column) => column.DecimalCommas > 0
        ? " Numbers must use a decimal point ('1.5', not '1,5'): export the file with '.' as the decimal separator."
        : string.Empty;

    [GeneratedRegex(@"^[+-]?\d+,\d+([eE][+-]?\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalComma();

    private struct ColumnState
    {
        public int Numbers;
        public int DecimalCommas;
        public int FirstBadLine;
        public string? FirstBadCell;
    }
}
