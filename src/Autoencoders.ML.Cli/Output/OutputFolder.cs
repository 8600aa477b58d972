using System.Runtime.InteropServices;
using Autoencoders.ML.IO;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// The --out folder of <c>train</c>: checked before training (a file there, a folder that is not a model, a directory
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
}
