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
    internal ClassLabels Classes { get; }

    /// <summary>The class labels as text, in key order (the order of the <c>Score</c> vector and of <c>classifier.onnx</c>'s probabilities).</summary>
    public IReadOnlyList<string> ClassNames => Classes.Text;

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
            return RowArrays.Split(probabilities, rows.Count, Classes.Count);
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
    /// Saves the classifier as a model folder (or a <c>.zip</c>): the fine-tuned autoencoder's files
    /// (<see cref="AutoencoderModel.Save"/>), <c>classifier.json</c> (classes, head weights, schedule) and
    /// <c>classifier.onnx</c>, all listed in the manifest with their checksums. <see cref="Load"/> reads it back.
    /// </summary>
    /// <param name="path">The folder (created if needed; an existing model folder is replaced atomically) or a <c>.zip</c> file.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        IO.ModelArchive.Save(Model, path, Files());
    }

    /// <summary>
    /// As <see cref="Save"/> into <paramref name="folder"/> (an empty staging folder of the caller), with
    /// <paramref name="notes"/> as extra top-level properties of model.json (the command-line tool's data description).
    /// </summary>
    internal void SaveInto(string folder, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> notes) =>
        IO.ModelArchive.SaveInto(Model, folder, notes, Files());

    private (string Name, byte[] Content)[] Files() =>
        new[] { (ClassifierState.FileName, System.Text.Encoding.UTF8.GetBytes(State().ToJson())), (ClassifierOnnx.FileName, ToOnnx()) };

    /// <summary>Loads a classifier saved with <see cref="Save"/> (the folder or the <c>.zip</c>).</summary>
    /// <param name="path">The folder or zip.</param>
    /// <returns>The classifier, the same probabilities as the one saved.</returns>
    /// <exception cref="InvalidDataException">A file is missing, damaged or changed; the message names the model and the file.</exception>
    public static AutoencoderClassifier Load(string path)
    {
        var (model, extra) = IO.ModelArchive.Load(path, ClassifierState.FileName);
        try
        {
            string source = $"{path}!{ClassifierState.FileName}";
            return Restore(model, ClassifierState.FromJson(System.Text.Encoding.UTF8.GetString(extra[0]), source), source);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Everything besides <see cref="Model"/>, to save and rebuild the classifier exactly.</summary>
    internal ClassifierState State()
    {
        lock (gate)
        {
            using var noGrad = no_grad();
            return new ClassifierState
            {
                LabelType = Classes.ItemKind,
                Labels = Classes.Text.ToArray(),
                HeadWeight = ClassifierState.Bytes(Network.Head.weight!.contiguous().data<float>().ToArray()),
                HeadBias = ClassifierState.Bytes(Network.Head.bias!.contiguous().data<float>().ToArray()),
                Dropout = Network.HeadSpec.Dropout,
                TrainingLoss = TrainingLoss,
                FineTuning = FineTuning,
            };
        }
    }

    /// <summary>The classifier <paramref name="state"/> describes, on the fine-tuned <paramref name="model"/> (owned from now on).</summary>
    internal static AutoencoderClassifier Restore(AutoencoderModel model, ClassifierState state, string source)
    {
        var classes = state.Classes(source);
        var (weight, bias) = state.Head(model.LatentSize, source);
        var network = new ClassifierNetwork(model.Network, classes.Count, state.Dropout);
        try
        {
            using (no_grad())
            {
                using var w = tensor(weight, new long[] { classes.Count, model.LatentSize });
                using var b = tensor(bias, new long[] { classes.Count });
                network.Head.weight!.copy_(w);
                network.Head.bias!.copy_(b);
            }

            return new AutoencoderClassifier(network, classes, model, state.FineTuning!, state.TrainingLoss);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Releases the native weights (the classifier's and <see cref="Model"/>'s).</summary>
    public void Dispose() => Network.Dispose();
}
