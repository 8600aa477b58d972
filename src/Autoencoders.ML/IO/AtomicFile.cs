using System.IO;

namespace Autoencoders.ML.IO;

/// <summary>
/// Writes a file all at once or not at all: the content goes to a temporary file in the target directory, which is
/// then renamed over the target. Readers never see a partial file and a failed write leaves an existing file unchanged.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>. The target directory must exist.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">
    /// The path is under a regular file or is a directory, or the write or the rename failed (the message names the path;
    /// the inner exception has the cause). No file is left behind.
    /// </exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string directory = CheckDirectory(target);

        // Same directory as the target, so the final rename stays on one file system and is atomic.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException(
                    $"Could not write '{target}': {e.Message} Nothing was written (an existing file there is unchanged). " +
                    "Check that the directory is writable and has free space, and that no other process holds the file.",
                    e);
            }

            throw;
        }
    }

    // Checks the cases that have a clearer explanation than the operating system's error; returns the directory.
    private static string CheckDirectory(string target)
    {
        if (Directory.Exists(target))
        {
            throw new IOException($"Cannot write '{target}': it is a directory. Give the path of a file inside it.");
        }

        string directory = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{target}' is a root directory, not a file path.", "path");
        if (Directory.Exists(directory))
        {
            return directory;
        }

        for (string? ancestor = directory; ancestor != null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new IOException(
                    $"Cannot write '{target}': '{ancestor}' is a file, not a directory. Choose a path inside an existing directory.");
            }
        }

        throw new DirectoryNotFoundException(
            $"Cannot write '{target}': the directory '{directory}' does not exist. Create it first or choose another path.");
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one worth reporting; a leftover temporary file is hidden and harmless.
        }
    }
}
