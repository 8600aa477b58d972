using Autoencoders.ML.Classification;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>A classifier folder written by <c>finetune</c>: its <c>classifier.onnx</c>, scored with ONNX Runtime, and the classes from its <c>labels</c> metadata.</summary>
internal sealed class ClassifierFolder : IDisposable
{
    private const int BatchSize = 1024;
    private readonly InferenceSession session;

    private ClassifierFolder(string path, InferenceSession session, IReadOnlyList<string> classes, int inputSize)
    {
        Path = path;
        this.session = session;
        Classes = classes;
        InputSize = inputSize;
    }

    public string Path { get; }

    /// <summary>Class values in output order.</summary>
    public IReadOnlyList<string> Classes { get; }

    public int InputSize { get; }

    public static string OnnxPath(string folder) => System.IO.Path.Combine(folder, ClassifierOnnx.FileName);

    /// <summary>True when <paramref name="folder"/> holds a classifier.</summary>
    public static bool IsClassifier(string folder) => File.Exists(OnnxPath(folder));

    public static ClassifierFolder Open(string folder)
    {
        CommonOptions.EnsureModelFolder(folder);
        string onnx = OnnxPath(folder);
        if (!File.Exists(onnx))
        {
            throw new InputException($"{folder}: no {ClassifierOnnx.FileName} in the folder; make a classifier with 'autoencoders finetune --model PRETRAINED --data labeled.csv --label-column label --out {folder}'.");
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(onnx);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InputException($"{onnx}: not a readable ONNX model ({CliRunner.OneLine(e)}); write it again with 'autoencoders finetune'.", e);
        }

        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(ClassifierOnnx.LabelsKey, out var labels) || labels.Length == 0)
        {
            session.Dispose();
            throw new InputException($"{onnx}: the '{ClassifierOnnx.LabelsKey}' metadata is missing; this is not a classifier written by 'autoencoders finetune'.");
        }

        int inputSize = (int)session.InputMetadata[ClassifierOnnx.Features].Dimensions[1];
        return new ClassifierFolder(folder, session, labels.Split(','), inputSize);
    }

    /// <summary>Class probabilities of every row, in batches.</summary>
    public float[][] Predict(IReadOnlyList<float[]> rows)
    {
        var result = new float[rows.Count][];
        for (int start = 0; start < rows.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, rows.Count - start);
            var input = new DenseTensor<float>(new[] { count, InputSize });
            for (int r = 0; r < count; r++)
            {
                rows[start + r].CopyTo(input.Buffer.Span.Slice(r * InputSize, InputSize));
            }

            using var outputs = session.Run(new[] { NamedOnnxValue.CreateFromTensor(ClassifierOnnx.Features, input) });
            var probabilities = outputs.First(o => o.Name == ClassifierOnnx.Probabilities).AsTensor<float>().ToArray();
            for (int r = 0; r < count; r++)
            {
                result[start + r] = probabilities.AsSpan(r * Classes.Count, Classes.Count).ToArray();
            }
        }

        return result;
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

    public void Dispose() => session.Dispose();
}
