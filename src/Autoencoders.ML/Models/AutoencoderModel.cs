using Autoencoders.ML.Runtime;
using Microsoft.ML;

namespace Autoencoders.ML.Models;

/// <summary>
/// A trained autoencoder: its architecture, its weights (a TorchSharp module) and how it was trained. The learned state
/// lives here only; the options it was trained with are kept for reference.
/// </summary>
public sealed partial class AutoencoderModel : IDisposable
{
    private readonly object gate = new();

    internal AutoencoderModel(
        AutoencoderModule network, AutoencoderOptions options, TrainingOptions training, TrainingHistory history, FeatureScaling? scaling = null)
    {
        Network = network;
        Options = options;
        ModelKind = ModelKinds.For(options).Kind;
        Training = training;
        History = history;
        Scaling = scaling;
        Network.eval();
    }

    /// <summary>
    /// The input scaling fitted on the training rows (<see cref="TrainingOptions.Scaling"/>), or null. Every method of
    /// the model and every exported graph applies it: inputs and outputs are in the data's own units.
    /// </summary>
    internal FeatureScaling? Scaling { get; }

    /// <summary>The architecture the weights belong to.</summary>
    public AutoencoderSpec Spec => Network.Spec;

    /// <summary>Size of an input row.</summary>
    public int InputSize => Spec.InputSize;

    /// <summary>Size of the latent code.</summary>
    public int LatentSize => Spec.LatentSize;

    /// <summary>The model's kind (plain, variational or Gaussian mixture); <see cref="Kind"/> is its name in the files.</summary>
    public ModelKind ModelKind { get; }

    /// <summary>The model family: <c>dense</c>, <c>denoising</c> (trained on corrupted input) or another kind's name.</summary>
    public string Kind => Training.Corruption != null ? "denoising" : Network.Kind;

    /// <summary>Reconstruction loss the model was trained with.</summary>
    public ReconstructionLoss Loss => Options.Loss;

    /// <summary>Architecture hyperparameters used for training.</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>Training hyperparameters used for training.</summary>
    public TrainingOptions Training { get; }

    /// <summary>Per-epoch losses and how training ended.</summary>
    public TrainingHistory History { get; }

    internal AutoencoderModule Network { get; }

    /// <summary>Encodes rows to latent codes with the TorchSharp module (evaluation mode).</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public float[][] Encode(IReadOnlyList<float[]> rows) => Run(rows, x => Network.Encode(ScaleInput(x)));

    /// <summary>Reconstructs rows with the TorchSharp module (evaluation mode).</summary>
    /// <param name="rows">Rows of <see cref="InputSize"/> values.</param>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public float[][] Reconstruct(IReadOnlyList<float[]> rows) => Run(rows, Forward);

    /// <summary>Decodes latent codes to data with the TorchSharp module (evaluation mode).</summary>
    /// <param name="codes">Rows of <see cref="LatentSize"/> values.</param>
    /// <exception cref="ArgumentException">A row has another length or holds NaN or ±∞ (the row and index are named).</exception>
    public float[][] Decode(IReadOnlyList<float[]> codes) => Run(codes, z => UnscaleOutput(Network.Decode(z)), LatentSize);

    /// <summary>Reconstruction error of every row of <paramref name="columnName"/> in <paramref name="data"/>.</summary>
    /// <param name="data">Rows to evaluate (streamed, any size).</param>
    /// <param name="columnName">A known-size vector column of <see cref="InputSize"/> floats.</param>
    public ReconstructionMetrics Evaluate(IDataView data, string columnName = Microsoft.ML.AutoencodersCatalog.DefaultFeatureColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        int width = FeatureColumn.GetVectorSize(data.Schema, columnName, "input");
        CheckWidth(width, InputSize, columnName);
        var rows = new StreamingRows(data, columnName, width, 4096);
        double total = 0;
        long count = 0;
        EachBatch(rows, batch =>
        {
            total += (Forward(batch) - batch).Squared().sum().ToDouble();
            count += batch.shape[0];
        });

        return count == 0
            ? throw new InvalidOperationException($"Column '{columnName}' has no rows to evaluate.")
            : new ReconstructionMetrics(total / count / width, total / count, count);
    }

    /// <summary>
    /// Measures denoising (or any paired mapping): the model maps <paramref name="noisyColumnName"/> and the result is
    /// compared with <paramref name="cleanColumnName"/>, next to the noisy input itself when the sizes match.
    /// </summary>
    /// <param name="data">Rows with both columns (streamed, any size).</param>
    /// <param name="noisyColumnName">The corrupted input, <see cref="InputSize"/> values.</param>
    /// <param name="cleanColumnName">The clean reference, <see cref="AutoencoderSpec.OutputSize"/> values.</param>
    /// <param name="peak">Largest possible value, for PSNR (1 for data in [0, 1]).</param>
    public DenoisingMetrics EvaluateDenoising(IDataView data, string noisyColumnName, string cleanColumnName, double peak = 1.0)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(FeatureColumn.GetVectorSize(data.Schema, noisyColumnName, "noisy input"), InputSize, noisyColumnName);
        CheckWidth(FeatureColumn.GetVectorSize(data.Schema, cleanColumnName, "clean"), Spec.OutputSize, cleanColumnName);
        if (!(peak > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(peak), peak, "peak must be positive.");
        }

        var columns = new[]
        {
            new RowColumn(noisyColumnName, "noisy input", InputSize, ValueRange.Finite),
            new RowColumn(cleanColumnName, "clean", Spec.OutputSize, ValueRange.Finite),
        };
        var rows = new StreamingRows(data, columns, 0, _ => true, 4096);
        double noisy = 0;
        double denoised = 0;
        long count = 0;
        EachBatch(rows, batch =>
        {
            var input = batch.narrow(1, 0, InputSize);
            var clean = batch.narrow(1, InputSize, Spec.OutputSize);
            denoised += (Forward(input) - clean).Squared().sum().ToDouble();
            if (InputSize == Spec.OutputSize)
            {
                noisy += (input - clean).Squared().sum().ToDouble();
            }

            count += batch.shape[0];
        });

        if (count == 0)
        {
            throw new InvalidOperationException("There are no rows to evaluate.");
        }

        double values = (double)count * Spec.OutputSize;
        return new DenoisingMetrics(InputSize == Spec.OutputSize ? noisy / values : double.NaN, denoised / values, peak, count);
    }

    /// <summary>
    /// Saves the model as a folder, or as a zip when <paramref name="path"/> ends in <c>.zip</c>: <c>model.json</c>
    /// (architecture, options, per-epoch history), <c>weights.bin</c> (TorchSharp weights), the three ONNX graphs and
    /// <c>manifest.json</c> (size and SHA-256 of each file, verified by <see cref="Load"/>). The folder is built beside the
    /// target and swapped in, so a failed save leaves the previous model intact; an existing folder is replaced only if it
    /// holds a saved model.
    /// </summary>
    /// <param name="path">A folder (created if needed) or a <c>.zip</c> file (written atomically).</param>
    public void Save(string path) => IO.ModelArchive.Save(this, path);

    /// <summary>
    /// Loads a model written by <see cref="Save"/>, or the model inside an ML.NET model zip saved with
    /// <c>mlContext.Model.Save</c> from a pipeline with one autoencoder transform (or a folder holding only such a
    /// <c>model.zip</c>): the pipeline keeps the whole model, weights and history included.
    /// </summary>
    /// <param name="path">The folder, the model's <c>.zip</c>, or an ML.NET model zip.</param>
    /// <exception cref="System.IO.InvalidDataException">
    /// The model is not ours, a file is missing, corrupt, truncated or edited (checksum mismatch), or a model.json value is
    /// invalid; the message names the file and what to do.
    /// </exception>
    public static AutoencoderModel Load(string path) => IO.ModelArchive.Load(path);

    /// <summary>Input (N, D) in data units → reconstruction (N, D') in data units.</summary>
    internal Tensor Forward(Tensor x) => UnscaleOutput(Network.forward(ScaleInput(x)));

    internal Tensor ScaleInput(Tensor x) => Scaling == null ? x : Scaling.ScaleInput(x);

    internal Tensor UnscaleOutput(Tensor y) => Scaling == null ? y : Scaling.UnscaleOutput(y);

    /// <summary>Releases the native weights.</summary>
    public void Dispose() => Network.Dispose();

    private float[][] Run(IReadOnlyList<float[]> rows, Func<Tensor, Tensor> map, int? width = null)
    {
        int expected = width ?? InputSize;
        var flat = RowArrays.Flatten(rows, expected, width == null ? "rows" : "codes");

        TorchRuntime.EnsureInitialized();
        lock (gate)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var output = map(torch.tensor(flat, new long[] { rows.Count, expected }));
            return RowArrays.Split(output.contiguous().data<float>().ToArray(), rows.Count, (int)output.shape[1]);
        }
    }

    /// <summary>Runs <paramref name="body"/> on every batch of <paramref name="rows"/> under the model's lock, without gradients; each batch and everything made from it is freed afterwards.</summary>
    private void EachBatch(StreamingRows rows, Action<Tensor> body)
    {
        lock (gate)
        {
            using var noGrad = torch.no_grad();
            foreach (var batch in rows.Batches(1024, shuffle: null))
            {
                using var owned = batch;
                using var scope = torch.NewDisposeScope();
                body(batch);
            }
        }
    }

    private static void CheckWidth(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"'{what}' has {actual} values per row; the model expects {expected}.");
        }
    }
}
