using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Autoencoders.ML.Examples;
using Autoencoders.ML.IO;
using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// The --out folder of <c>train</c> and <c>import</c>: checked before training (a file there, a folder that is not a model, a directory
/// that cannot be written), then written whole — built beside the target and swapped in, so a failure or Ctrl+C while
/// writing leaves the previous folder (or nothing) there, never a partial folder.
/// </summary>
internal static class OutputFolder
{
    /// <summary>Throws <see cref="InputException"/> naming --out unless the folder can be written.</summary>
    public static void Check(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (File.Exists(full))
        {
            throw new InputException($"--out {path}: a file of that name exists; give a folder path (the model, ONNX files and pictures go inside).");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !ModelArchive.IsModelFolder(full))
        {
            throw new InputException(
                $"--out {path}: the folder exists and is not a model folder (it holds {string.Join(", ", Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Take(3))}); " +
                "train replaces its output folder as a whole, so give a new or empty folder.");
        }

        // The nearest existing ancestor must be a directory we can create files in.
        string? existing = Path.GetDirectoryName(full);
        while (existing != null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new InputException($"--out {path}: '{existing}' is a file, not a directory; choose a path inside a directory.");
            }

            existing = Path.GetDirectoryName(existing);
        }

        if (existing == null)
        {
            throw new InputException($"--out {path}: no existing directory above it; give a path inside a directory.");
        }

        string probe = Path.Combine(existing, $".autoencoders-write-check-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--out {path}: cannot write in '{existing}' ({e.Message}); choose a writable folder.", e);
        }
    }

    /// <summary>
    /// Builds the folder with <paramref name="build"/> in a hidden staging folder and swaps it in. Ctrl+C or SIGTERM
    /// while this runs is held until the folder is complete; the return value says whether one arrived.
    /// </summary>
    public static bool Write(string path, Action<string> build)
    {
        bool interrupted = false;
        void Hold(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted = true;
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Hold);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Hold);
        AtomicFolder.Write(path, build, ModelArchive.IsModelFolder, ModelArchive.NotReplaced);
        return interrupted;
    }

    /// <summary>
    /// The files of every model folder the tool writes: the library's (model.json with <paramref name="notes"/>,
    /// weights.bin, the ONNX graphs, manifest.json), model.zip (an ML.NET pipeline scoring rows of <paramref name="view"/>'s
    /// schema) and loss.png.
    /// </summary>
    public static void WriteModel(string staging, AutoencoderModel model, MLContext ml, IDataView view, IReadOnlyDictionary<string, JsonNode?> notes)
    {
        ModelArchive.SaveInto(model, staging, notes);
        using (var transformer = ml.Transforms.ApplyAutoencoder(model, new AutoencoderColumns { ReconstructionColumnName = "Reconstruction" }).Fit(view))
        {
            ml.Model.Save(transformer, view.Schema, Path.Combine(staging, "model.zip"));
        }

        LossPlot.Save(Path.Combine(staging, "loss.png"), model.History);
    }

    /// <summary>For image rows: reconstructions.png, and samples.png for a variational or mixture model.</summary>
    public static void WritePictures(string staging, AutoencoderModel model, Dataset dataset, int seed)
    {
        if (dataset.ImageShape is not var (c, h, w) || c * h * w != dataset.Width)
        {
            return;
        }

        var originals = dataset.Rows.Take(12).ToArray();
        ImageGrid.Save(Path.Combine(staging, "reconstructions.png"), new[] { originals, model.Reconstruct(originals) }, h, w, c);
        if (model.IsMixture)
        {
            // One row of samples per mixture component.
            ImageGrid.Save(Path.Combine(staging, "samples.png"), Enumerable.Range(0, model.Clusters).Select(k => model.SampleMixture(12, seed, k)).ToArray(), h, w, c);
        }
        else if (model.IsVariational)
        {
            var samples = model.SamplePrior(36, seed);
            ImageGrid.Save(Path.Combine(staging, "samples.png"), Enumerable.Range(0, 3).Select(r => samples.Skip(r * 12).Take(12).ToArray()).ToArray(), h, w, c);
        }
    }

    /// <summary>report.html; a failure is a note on stderr, not an error: the page is a view of the model, not the model.</summary>
    public static void WriteReport(string staging, AutoencoderModel model, Dataset? dataset, string? labelColumn, IReadOnlyList<(string Step, double Seconds)> timings, string outDir)
    {
        try
        {
            ModelReport.Write(staging, model, dataset, labelColumn, timings, outDir);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"note: report.html not written ({Commands.CliRunner.OneLine(e)}); 'autoencoders report --model {outDir}' tries again.");
        }
    }
}
