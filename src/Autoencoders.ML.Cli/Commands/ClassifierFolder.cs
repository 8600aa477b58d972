using Autoencoders.ML.Classification;
using Autoencoders.ML.Transforms;
using Autoencoders.ML.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>A classifier folder written by <c>finetune</c>: its <c>classifier.onnx</c>, scored with ONNX Runtime, and the classes from its <c>labels</c> metadata.</summary>
internal sealed class ClassifierFolder : IDisposable
{
    private const int BatchSize = 1024;
    private readonly OnnxBatchScorer scorer;

    private ClassifierFolder(string path, OnnxBatchScorer scorer, IReadOnlyList<string> classes)
    {
        Path = path;
        this.scorer = scorer;
        Classes = classes;
    }

    public string Path { get; }

    /// <summary>Class values in output order.</summary>
    public IReadOnlyList<string> Classes { get; }

    public int InputSize => scorer.InputSize;

    // The classifier folder, or a file in it (its model.zip): the graph is classifier.onnx in that folder.
    public static string OnnxPath(string folder) =>
        System.IO.Path.Combine(File.Exists(folder) ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(folder))! : folder, ClassifierOnnx.FileName);

    /// <summary>True when <paramref name="folder"/> holds a classifier (or is a classifier's zip).</summary>
    public static bool IsClassifier(string folder) => File.Exists(OnnxPath(folder)) || ZipEntry(folder) != null;

    public static ClassifierFolder Open(string folder)
    {
        CommonOptions.EnsureModelFolder(folder);
        byte[]? zipped = ZipEntry(folder);
        string onnx = zipped != null ? $"{folder}!{ClassifierOnnx.FileName}" : OnnxPath(folder);
        if (zipped == null && !File.Exists(onnx))
        {
            throw new InputException($"{folder}: no {ClassifierOnnx.FileName} in the folder; make a classifier with 'autoencoders finetune --model PRETRAINED --data labeled.csv --label-column label --out {folder}'.");
        }

        OnnxBatchScorer scorer;
        try
        {
            byte[] graph = zipped ?? File.ReadAllBytes(onnx);
            OnnxIntegrity.Verify(graph, onnx); // a flipped weight would load and score wrongly
            scorer = new OnnxBatchScorer(graph, OnnxNames.Features, inputSize: null, intraOpThreads: null, nameof(ClassifierFolder));
        }
        catch (Exception e) when (e is OnnxRuntimeException or ArgumentException or InvalidDataException)
        {
            throw new InputException($"{onnx}: not a readable classifier graph ({CliRunner.OneLine(e)}); write it again with 'autoencoders finetune'.", e);
        }

        if (!scorer.Metadata.TryGetValue(OnnxNames.LabelsKey, out var labels) || labels.Length == 0)
        {
            scorer.Dispose();
            throw new InputException($"{onnx}: the '{OnnxNames.LabelsKey}' metadata is missing; this is not a classifier written by 'autoencoders finetune'.");
        }

        return new ClassifierFolder(folder, scorer, labels.Split(','));
    }

    // A classifier saved as a zip (AutoencoderClassifier.Save("x.zip")) holds classifier.onnx as an entry.
    private static byte[]? ZipEntry(string path)
    {
        if (!File.Exists(path) || !path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            if (zip.GetEntry(ClassifierOnnx.FileName) is not { } entry)
            {
                return null;
            }

            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{path}: not a readable zip ({CliRunner.OneLine(e)}); save the classifier again.", e);
        }
    }

    /// <summary>Class probabilities of every row, in batches.</summary>
    public float[][] Predict(IReadOnlyList<float[]> rows)
    {
        int classes = Classes.Count;
        var probabilities = scorer.ScoreAll(rows, new ScoredColumn(OnnxNames.Probabilities, OnnxNames.Probabilities, classes, IsScalar: false), BatchSize);
        return Enumerable.Range(0, rows.Count).Select(r => probabilities.AsSpan(r * classes, classes).ToArray()).ToArray();
    }

    /// <summary>The most probable class of each row.</summary>
    public string[] PredictedLabels(IReadOnlyList<float[]> probabilities) =>
        probabilities.Select(p => Classes[Array.IndexOf(p, p.Max())]).ToArray();

    /// <summary>Throws when a label of <paramref name="data"/> is not one of the classes (a class never seen in training).</summary>
    public void CheckLabels(Dataset data, string labelColumn)
    {
        var known = Classes.ToHashSet(StringComparer.Ordinal);
        for (int r = 0; r < data.Labels!.Length; r++)
        {
            if (!known.Contains(data.Labels[r]))
            {
                string where = data.Lines != null ? $"row {data.Lines[r]}" : $"item {r + 1}";
                throw new InputException(
                    $"{data.Source}: {where}, column '{labelColumn}': class '{data.Labels[r]}' was never seen in training (the classifier knows {string.Join(", ", Classes)}); " +
                    "remove those rows or fine-tune with labeled rows of that class.");
            }
        }
    }

    public void Dispose() => scorer.Dispose();
}
