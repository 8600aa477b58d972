using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Autoencoders.ML.Anomaly;
using Autoencoders.ML.Classification;
using Autoencoders.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// Reloads a saved pipeline with <c>LoadAutoencoderPipeline</c> in ANOTHER process — this test assembly run as a
/// program (<c>dotnet Autoencoders.ML.Tests.dll reload model.zip input.json output.json</c>) — and writes what came
/// back: stage types, column types, every column's values, the tasks' settings and each key column's values mapped back
/// with <c>MapKeyToValue</c>.
/// </summary>
public static class ReloadProcess
{
    /// <summary>The program's entry point (the test runner does not use it).</summary>
    public static int Main(string[] args)
    {
        if (args.Length != 4 || args[0] != "reload")
        {
            Console.Error.WriteLine("usage: Autoencoders.ML.Tests reload <model.zip> <input.json> <output.json>");
            return 2;
        }

        var ml = new MLContext();
        var pipeline = ml.Model.LoadAutoencoderPipeline(args[1], out _);
        var request = JsonSerializer.Deserialize<Request>(File.ReadAllText(args[2]))!;
        var scored = pipeline.Transform(request.ToDataView(ml));
        var stages = Flatten(pipeline).ToList();
        var result = Describe(ml, scored);
        result.Stages = stages.Select(s => s.GetType().Name).ToArray();
        result.Settings = stages.OfType<ScoringTransformer>().Where(s => s.IsTask).SelectMany(Settings).ToDictionary(p => p.Key, p => p.Value);
        File.WriteAllText(args[3], JsonSerializer.Serialize(result));
        foreach (var stage in stages.OfType<IDisposable>())
        {
            stage.Dispose();
        }

        return 0;
    }

    /// <summary>Runs the program on <paramref name="zip"/> and <paramref name="request"/> and reads its output.</summary>
    public static Result Run(string folder, string zip, Request request)
    {
        string input = Path.Combine(folder, $"input-{Guid.NewGuid():N}.json");
        string output = Path.Combine(folder, $"output-{Guid.NewGuid():N}.json");
        File.WriteAllText(input, JsonSerializer.Serialize(request));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { typeof(ReloadProcess).Assembly.Location, "reload", zip, input, output })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"the reload process failed: {error.Result}");
        return JsonSerializer.Deserialize<Result>(File.ReadAllText(output))!;
    }

    /// <summary>Column types, values (keys and Booleans as numbers) and key columns mapped back to their values, as text.</summary>
    public static Result Describe(MLContext ml, IDataView scored)
    {
        var result = new Result();
        foreach (var column in scored.Schema.Where(c => !c.IsHidden))
        {
            result.Types[column.Name] = column.Type.ToString() ?? string.Empty;
            float[][]? values = column.Type switch
            {
                NumberDataViewType n when n == NumberDataViewType.Single => scored.GetColumn<float>(column).Select(v => new[] { v }).ToArray(),
                BooleanDataViewType => scored.GetColumn<bool>(column).Select(v => new[] { v ? 1f : 0f }).ToArray(),
                KeyDataViewType => scored.GetColumn<uint>(column).Select(v => new[] { (float)v }).ToArray(),
                VectorDataViewType { ItemType: NumberDataViewType i } when i == NumberDataViewType.Single => scored.GetColumn<float[]>(column).ToArray(),
                VectorDataViewType { ItemType: BooleanDataViewType } => scored.GetColumn<VBuffer<bool>>(column).Select(v => v.DenseValues().Select(b => b ? 1f : 0f).ToArray()).ToArray(),
                VectorDataViewType { ItemType: KeyDataViewType } => scored.GetColumn<VBuffer<uint>>(column).Select(v => v.DenseValues().Select(k => (float)k).ToArray()).ToArray(),
                _ => null,
            };
            if (values != null)
            {
                result.Columns[column.Name] = values;
            }

            if ((column.Type is KeyDataViewType || column.Type is VectorDataViewType { ItemType: KeyDataViewType }) && column.Name != "Label")
            {
                // The README's pipeline shape: MapKeyToValue gives the class back.
                var mapped = ml.Transforms.Conversion.MapKeyToValue(column.Name + ".Value", column.Name).Fit(scored).Transform(scored);
                var valueColumn = mapped.Schema[column.Name + ".Value"];
                result.Types[valueColumn.Name] = valueColumn.Type.ToString() ?? string.Empty;
                result.Labels[column.Name] = ReadAsText(mapped, valueColumn);
            }
        }

        return result;
    }

    private static string[] ReadAsText(IDataView view, DataViewSchema.Column column)
    {
        var preview = view.Preview(maxRows: 100_000);
        return preview.RowView.Select(r => r.Values.First(v => v.Key == column.Name).Value switch
        {
            VBuffer<ReadOnlyMemory<char>> v => string.Join("|", v.DenseValues()),
            VBuffer<float> v => string.Join("|", v.DenseValues().Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            ReadOnlyMemory<char> m => m.ToString(),
            float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
        }).ToArray();
    }

    internal static IEnumerable<KeyValuePair<string, string>> Settings(ScoringTransformer task)
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        string name = task.GetType().Name;
        yield return new($"{name}.ScoringBatchSize", task.ScoringBatchSize.ToString(culture));
        switch (task)
        {
            case AutoencoderAnomalyTransformer detector:
                yield return new($"{name}.Threshold", detector.Threshold.ToString("R", culture));
                yield return new($"{name}.Contamination", detector.Contamination?.ToString("R", culture) ?? "null");
                yield return new($"{name}.Scorer.Threshold", detector.Scorer.Threshold.ToString("R", culture));
                yield return new($"{name}.Scorer.Contamination", detector.Scorer.Contamination.ToString("R", culture));
                yield return new($"{name}.Scorer.Neighbours", detector.Scorer.Neighbours.ToString(culture));
                yield return new($"{name}.Scorer.TrainingScores", string.Join(",", detector.Scorer.TrainingScores.Select(s => s.ToString("R", culture))));
                yield return new($"{name}.Columns", $"{detector.FeatureColumnName},{detector.ScoreColumnName},{detector.PredictedLabelColumnName}");
                break;
            case AutoencoderClassifierTransformer classifier:
                yield return new($"{name}.Classes", string.Join(",", classifier.Classifier.Classes.Text));
                yield return new($"{name}.TrainingLoss", classifier.Classifier.TrainingLoss.ToString("R", culture));
                yield return new($"{name}.FineTuning.Steps", classifier.Classifier.FineTuning.Steps.ToString(culture));
                yield return new($"{name}.Columns", $"{classifier.FeatureColumnName},{classifier.ScoreColumnName},{classifier.PredictedLabelColumnName}");
                break;
            case MixtureClusterTransformer clusters:
                yield return new($"{name}.Clusters", clusters.Model.Clusters.ToString(culture));
                var c = clusters.Columns;
                yield return new($"{name}.Columns", $"{c.InputColumnName},{c.LatentColumnName},{c.ProbabilitiesColumnName},{c.ScoreColumnName},{c.PredictedLabelColumnName}");
                break;
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { transformer };

    /// <summary>Rows to score: a known-size vector column, and optionally a Single label column named Label.</summary>
    public sealed class Request
    {
        public string Column { get; set; } = "Features";

        public float[][] Rows { get; set; } = Array.Empty<float[]>();

        public float[]? Labels { get; set; }

        public IDataView ToDataView(MLContext ml)
        {
            var schema = SchemaDefinition.Create(typeof(Row));
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Rows[0].Length);
            schema[nameof(Row.Features)].ColumnName = Column;
            var data = ml.Data.LoadFromEnumerable(Rows.Select((r, i) => new Row { Features = r, Label = Labels?[i] ?? 0 }).ToList(), schema);
            return Labels == null ? ml.Transforms.DropColumns("Label").Fit(data).Transform(data) : data;
        }

        private sealed class Row
        {
            public float[] Features { get; set; } = Array.Empty<float>();

            public float Label { get; set; }
        }
    }

    /// <summary>What the program wrote.</summary>
    public sealed class Result
    {
        public string[] Stages { get; set; } = Array.Empty<string>();

        public Dictionary<string, string> Types { get; set; } = new();

        public Dictionary<string, float[][]> Columns { get; set; } = new();

        public Dictionary<string, string[]> Labels { get; set; } = new();

        public Dictionary<string, string> Settings { get; set; } = new();
    }
}
