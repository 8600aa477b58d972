using System.IO;
using System.Threading;

namespace Autoencoders.ML.IO;

/// <summary>
/// Writes a folder all at once or not at all: it is built beside the target under a hidden name, then renamed into
/// place; an existing folder is moved aside first and deleted only after the new one is in place. A failed or
/// interrupted write leaves the previous folder as it was and no partial folder at the target.
/// </summary>
internal static class AtomicFolder
{
    /// <summary>Test seam: called with the staging folder after <c>build</c> and before the swap (simulates a crash).</summary>
    internal static readonly AsyncLocal<Action<string>?> BeforeSwap = new();

    /// <summary>Builds the folder <paramref name="path"/> with <paramref name="build"/> and swaps it in.</summary>
    /// <param name="path">The folder to create or replace. Its parent is created if needed.</param>
    /// <param name="build">Writes every file into the (empty, hidden) staging folder it is given.</param>
    /// <param name="mayReplace">
    /// Whether an existing folder at <paramref name="path"/> may be replaced as a whole; when false the write is refused
    /// with the reason returned by <paramref name="refusal"/>.
    /// </param>
    /// <param name="refusal">The sentence explaining why an existing folder is not replaced.</param>
    /// <exception cref="IOException">The path is a file, the folder may not be replaced, or a write or a rename failed (nothing changed).</exception>
    public static void Write(string path, Action<string> build, Func<string, bool> mayReplace, Func<string, string> refusal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string parent = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{target}' is a root directory; give a folder inside it.", nameof(path));
        if (File.Exists(target))
        {
            throw new IOException($"Cannot write the folder '{target}': a file of that name exists. Choose another path or remove the file.");
        }

        bool replacing = Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any();
        if (replacing && !mayReplace(target))
        {
            throw new IOException(refusal(target));
        }

        CreateParent(target, parent);
        string name = Path.GetFileName(target);
        RemoveStale(parent, name, Directory.Exists(target));
        string id = Guid.NewGuid().ToString("N");
        string staging = Path.Combine(parent, $".{name}.saving-{id}");
        string aside = Path.Combine(parent, $".{name}.replaced-{id}");

        // Held for the whole write: a later save sees the lock and leaves this write's folders alone; the file goes with
        // the handle (a killed process leaves it unlocked, and the next save removes it with the folders).
        using var held = Lock(LockPath(parent, name, id), FileMode.CreateNew)
            ?? throw new IOException($"Could not write '{target}': the lock file beside it could not be created.");
        try
        {
            Directory.CreateDirectory(staging);
            build(staging);
            BeforeSwap.Value?.Invoke(staging);
            if (Directory.Exists(target))
            {
                Directory.Move(target, aside);
                try
                {
                    Directory.Move(staging, target);
                }
                catch
                {
                    Directory.Move(aside, target); // put the previous folder back
                    throw;
                }

                TryDelete(aside);
            }
            else
            {
                Directory.Move(staging, target);
            }
        }
        catch (Exception e)
        {
            TryDelete(staging);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException(
                    $"Could not write '{target}': {e.Message} Nothing was changed (a previous folder there is intact). " +
                    "Check that the directory is writable and has free space.",
                    e);
            }

            throw;
        }
    }

    /// <summary>Writes a file inside a staging folder and flushes it to disk, so that the swap publishes complete files.</summary>
    public static void WriteFile(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    private static string LockPath(string parent, string name, string id) => Path.Combine(parent, $".{name}.saving-{id}.lock");

    /// <summary>The lock file opened exclusively (deleted when closed), or null when another write holds it.</summary>
    private static FileStream? Lock(string path, FileMode mode)
    {
        try
        {
            return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Removes what writes of the same folder left when their process was killed: staging folders, and folders moved
    /// aside once the target exists again (while it is absent, the folder moved aside is the previous model and stays).
    /// A folder whose write still holds its lock is left alone.
    /// </summary>
    private static void RemoveStale(string parent, string name, bool targetExists)
    {
        string saving = $".{name}.saving-", replaced = $".{name}.replaced-";
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(parent, $".{name}.*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            string file = Path.GetFileName(entry);
            string? id = file.StartsWith(saving, StringComparison.Ordinal) ? file[saving.Length..]
                : file.StartsWith(replaced, StringComparison.Ordinal) && targetExists ? file[replaced.Length..]
                : null;
            if (id != null && id.EndsWith(".lock", StringComparison.Ordinal))
            {
                id = id[..^".lock".Length];
            }

            if (id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower))
            {
                ids.Add(id);
            }
        }

        foreach (string id in ids)
        {
            using var stale = Lock(LockPath(parent, name, id), FileMode.OpenOrCreate);
            if (stale == null)
            {
                continue; // a write under way
            }

            TryDelete(Path.Combine(parent, saving + id));
            if (targetExists)
            {
                TryDelete(Path.Combine(parent, replaced + id));
            }
        }
    }

    private static void CreateParent(string target, string parent)
    {
        for (string? ancestor = parent; ancestor != null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new IOException($"Cannot write '{target}': '{ancestor}' is a file, not a directory. Choose a path inside a directory.");
            }

            if (Directory.Exists(ancestor))
            {
                break;
            }
        }

        try
        {
            Directory.CreateDirectory(parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write '{target}': the directory '{parent}' could not be created ({e.Message}).", e);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A hidden leftover is harmless; the failure worth reporting (if any) is the original one.
        }
    }
}
