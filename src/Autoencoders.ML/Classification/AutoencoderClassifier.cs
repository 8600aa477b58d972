using System.IO;
using Autoencoders.ML.Runtime;
using Google.Protobuf;

namespace Autoencoders.ML.Classification;

/// <summary>
/// A classifier made by fine-tuning a pretrained autoencoder (<see cref="AutoencoderClassifierTrainer"/>): the
/// fine-tuned autoencoder (<see cref="Model"/>, encoder and decoder), a dense head on its code and the classes.
/// </summary>
public sealed class AutoencoderClassifier : IDisposable
{
    private readonly object gate = new();

    internal AutoencoderClassifier(ClassifierNetwork network, ClassLabels classes, AutoencoderModel pretrained, FineTuningOptions fineTuning, double trainingLoss)
    {
        Network = network;
        Classes = classes;
        FineTuning = fineTuning;
        TrainingLoss = trainingLoss;
        Model = new AutoencoderModel(network.Autoencoder, pretrained.Options, pretrained.Training, pretrained.History, pretrained.Scaling);
        network.eval();
    }

    /// <summary>The fine-tuned autoencoder (shares its weights with the classifier; do not dispose it separately).</summary>
    public AutoencoderModel Model { get; }

    /// <summary>The classes, in output order.</summary>
    public ClassLabels Classes { get; }

    /// <summary>The schedule it was fine-tuned with.</summary>
    public FineTuningOptions FineTuning { get; }

    /// <summary>Mean cross-entropy on the labeled rows over the last 100 training steps.</summary>
    public double TrainingLoss { get; }

    /// <summary>Values per input row.</summary>
    public int InputSize => Model.InputSize;

    internal ClassifierNetwork Network { get; }

    /// <summary>Class probabilities of each row, computed with TorchSharp (evaluation mode).</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values, in the data's units.</param>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public float[][] PredictProbabilities(IReadOnlyList<float[]> rows)
    {
        var flat = Data.RowArrays.Flatten(rows, InputSize, nameof(rows), "the classifier");

        TorchRuntime.EnsureInitialized();
        lock (gate)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var x = tensor(flat, new long[] { rows.Count, InputSize });
            var probabilities = nn.functional.softmax(Network.Logits(Model.ScaleInput(x), trainEncoder: false), 1).contiguous().data<float>().ToArray();
            int k = Classes.Count;
            return Enumerable.Range(0, rows.Count).Select(i => probabilities.AsSpan(i * k, k).ToArray()).ToArray();
        }
    }

    /// <summary>The <c>classifier.onnx</c> graph as bytes (see <see cref="ClassifierOnnx"/>).</summary>
    public byte[] ToOnnx()
    {
        lock (gate)
        {
            return ClassifierOnnx.Build(this).ToByteArray();
        }
    }

    /// <summary>Writes <c>classifier.onnx</c> (<c>features</c> → <c>probabilities</c>, metadata <c>labels</c>) atomically.</summary>
    /// <param name="path">The file to write.</param>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = ToOnnx();
        IO.AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Saves the fine-tuned autoencoder as a model folder (<see cref="AutoencoderModel.Save"/>) and adds
    /// <c>classifier.onnx</c> to it.
    /// </summary>
    /// <param name="folder">The folder (created if needed; an existing model folder is replaced).</param>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Model.Save(folder);
        ExportOnnx(Path.Combine(folder, ClassifierOnnx.FileName));
    }

    /// <summary>Releases the native weights (the classifier's and <see cref="Model"/>'s).</summary>
    public void Dispose() => Network.Dispose();
}
