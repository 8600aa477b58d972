using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>CSV columns matched by name at scoring time (issue 28, item 7).</summary>
public sealed partial class CliTests
{
    [Fact]
    public void ScoringMatchesCsvColumnsByNameNotPosition()
    {
        // Before: encode on the training columns in reverse order exited 0 with codes off by up to 0.94.
        string[] names = { "a", "b", "c", "d", "e", "f" };
        var rows = Enumerable.Range(0, 60).Select(i => names.Select((_, j) => Math.Round(Math.Sin((i * 0.37) + (j * 1.3)) * (j + 1), 4)).ToArray()).ToArray();
        string inOrder = WriteColumns("in-order.csv", new[] { "id" }.Concat(names).ToArray(), rows.Select((r, i) => new[] { $"r{i}" }.Concat(r.Select(Text)).ToArray()));
        int[] reversed = Enumerable.Range(0, names.Length).Reverse().ToArray();
        string shuffled = WriteColumns(
            "reversed.csv", reversed.Select(j => names[j]).Append("id").ToArray(), rows.Select((r, i) => reversed.Select(j => Text(r[j])).Append($"r{i}").ToArray()));
        string model = Path.Combine(folder, "columns-model");
        var train = Run("train", "--data", inOrder, "--label-column", "id", "--hidden", "8", "--latent", "2", "--epochs", "2", "--anomaly", "--out", model);
        Assert.True(train.Code == 0, train.Error);

        foreach (string command in new[] { "encode", "reconstruct", "score", "evaluate" })
        {
            var expected = Run(command, "--model", model, "--data", inOrder, "--label-column", "id");
            Assert.True(expected.Code == 0, expected.Error);
            var actual = Run(command, "--model", model, "--data", shuffled, "--label-column", "id");
            Assert.True(actual.Code == 0, actual.Error);
            Assert.Equal(expected.Output, actual.Output);
        }

        // --features naming the training columns in another order is matched by name too.
        var named = Run("encode", "--model", model, "--data", shuffled, "--label-column", "id", "--features", string.Join(",", reversed.Select(j => names[j])));
        Assert.Equal(Run("encode", "--model", model, "--data", inOrder, "--label-column", "id").Output, named.Output);

        // A training column missing from the file: an error naming it, exit 2.
        string missing = WriteColumns("missing.csv", new[] { "id", "a", "b", "c", "d", "e", "g" }, rows.Select((r, i) => new[] { $"r{i}" }.Concat(r.Select(Text)).ToArray()));
        foreach (string command in new[] { "encode", "score" })
        {
            var error = Run(command, "--model", model, "--data", missing, "--label-column", "id");
            Assert.Equal(2, error.Code);
            Assert.Contains("the model was trained on column 'f', which is not in the header", error.Error);
        }

        // A feature that is also the label column is refused, not read as zeros.
        var both = Run("encode", "--model", model, "--data", inOrder, "--label-column", "a");
        Assert.Equal(2, both.Code);
        Assert.Contains("column 'a' is both the --label-column and a feature", both.Error);

        static string Text(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void PredictMatchesCsvColumnsByNameAsFinetuneRecordedThem()
    {
        string[] names = { "a", "b", "c", "d", "e", "f" };
        var rows = Enumerable.Range(0, 80).Select(i => names.Select((_, j) => Math.Round(Math.Sin((i * 0.41) + (j * 1.7)) * (j + 1), 4)).ToArray()).ToArray();
        string Class(int i) => rows[i][0] > 0 ? "up" : "down";
        string inOrder = WriteColumns("labeled.csv", names.Append("cls").ToArray(), rows.Select((r, i) => r.Select(Text).Append(Class(i)).ToArray()));
        int[] reversed = Enumerable.Range(0, names.Length).Reverse().ToArray();
        string shuffled = WriteColumns(
            "labeled-reversed.csv", new[] { "cls" }.Concat(reversed.Select(j => names[j])).ToArray(), rows.Select((r, i) => new[] { Class(i) }.Concat(reversed.Select(j => Text(r[j]))).ToArray()));
        string model = Path.Combine(folder, "predict-columns-model");
        string classifier = Path.Combine(folder, "predict-columns-classifier");
        var train = Run("train", "--data", inOrder, "--label-column", "cls", "--hidden", "8", "--latent", "2", "--epochs", "2", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        var fine = Run("finetune", "--model", model, "--data", inOrder, "--label-column", "cls", "--steps", "100", "--head-steps", "10", "--out", classifier);
        Assert.True(fine.Code == 0, fine.Error);

        var expected = Run("predict", "--model", classifier, "--data", inOrder, "--label-column", "cls");
        Assert.True(expected.Code == 0, expected.Error);
        var actual = Run("predict", "--model", classifier, "--data", shuffled, "--label-column", "cls");
        Assert.True(actual.Code == 0, actual.Error);
        Assert.Equal(expected.Output, actual.Output);

        static string Text(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void AnOutThatCannotBeWrittenAndADamagedPipelineZipAreTheUsersFilesExitTwo()
    {
        // Issue 28, item 8: --out into a read-only folder exited 1 (our fault) instead of 2 (the user's files).
        string csv = WriteColumns("small.csv", new[] { "a", "b", "c", "d" }, Enumerable.Range(0, 40).Select(i => new[] { $"{i % 3}", $"{i % 5}", $"{i % 7}", $"{(i % 2) + 0.5}" }));
        string model = Path.Combine(folder, "small-model");
        var train = Run("train", "--data", csv, "--hidden", "", "--latent", "2", "--epochs", "1", "--out", model);
        Assert.True(train.Code == 0, train.Error);

        if (Unwritable() is { } readOnly)
        {
            var encode = Run("encode", "--model", model, "--data", csv, "--out", Path.Combine(readOnly, "codes.csv"));
            Assert.Equal(2, encode.Code);
            Assert.Contains(Path.Combine(readOnly, "codes.csv"), encode.Error);
            var again = Run("train", "--data", csv, "--hidden", "", "--latent", "2", "--epochs", "1", "--out", Path.Combine(readOnly, "model"));
            Assert.Equal(2, again.Code);
            Assert.StartsWith("error:", again.Error.Trim());
            var export = Run("export", "--model", model, "--out", readOnly);
            Assert.Equal(2, export.Code);
            Assert.Contains(readOnly, export.Error);
        }

        // A damaged model.zip (the ML.NET pipeline): an error naming the file, exit 2.
        string zip = Path.Combine(folder, "cut.zip");
        byte[] bytes = File.ReadAllBytes(Path.Combine(model, "model.zip"));
        File.WriteAllBytes(zip, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        foreach (string[] args in new[] { new[] { "info", "--model", zip }, new[] { "encode", "--model", zip, "--data", csv } })
        {
            var result = Run(args);
            Assert.Equal(2, result.Code);
            Assert.Contains(zip, result.Error);
        }
    }

    // A folder this process cannot write into: read-only by its mode, or (for root, whom modes do not stop) /sys.
    private string? Unwritable()
    {
        string path = Path.Combine(folder, "read-only");
        Directory.CreateDirectory(path);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(path, "probe"), "x");
        }
        catch (UnauthorizedAccessException)
        {
            return path;
        }

        File.Delete(Path.Combine(path, "probe"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return OperatingSystem.IsLinux() && Directory.Exists("/sys") ? "/sys" : null;
    }

    private string WriteColumns(string name, string[] header, System.Collections.Generic.IEnumerable<string[]> cells)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllLines(path, new[] { string.Join(",", header) }.Concat(cells.Select(c => string.Join(",", c))));
        return path;
    }
}
