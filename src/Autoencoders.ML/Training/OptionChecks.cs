namespace Autoencoders.ML.Training;

/// <summary>
/// The checks every options class runs (training, fine-tuning, the kinds, the trainers): each throws an
/// <see cref="ArgumentException"/> that names the option, the value received and what to give instead.
/// </summary>
internal static class OptionChecks
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for the option <paramref name="name"/> unless <paramref name="valid"/>.</summary>
    public static void Require(bool valid, string name, object? value, string message)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, message);
        }
    }

    /// <summary>Requires <paramref name="value"/> &gt; 0.</summary>
    public static void Positive(int value, string name) => Require(value > 0, name, value, $"{name} must be positive.");

    /// <summary>Requires <paramref name="value"/> ≥ 0.</summary>
    public static void NonNegative(int value, string name) => Require(value >= 0, name, value, $"{name} must be zero or positive.");

    /// <summary>Requires <paramref name="value"/> in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="hint"/> says what the option is.</summary>
    public static void InRange(int value, int min, int max, string name, string hint) =>
        Require(
            value >= min && value <= max,
            name,
            value,
            value < 1 ? $"{name} must be positive ({hint}); got {value}." : $"{name} must be at most {max:N0} ({hint}); got {value:N0}.");

    /// <summary>
    /// Requires the named columns (an option or parameter name and the column it names; null: the column is not asked
    /// for) to be different columns: a stage cannot write one column twice, nor overwrite the column it reads.
    /// </summary>
    public static void DistinctColumns(params (string? Column, string Name)[] columns)
    {
        for (int i = 0; i < columns.Length; i++)
        {
            for (int j = i + 1; j < columns.Length; j++)
            {
                if (columns[i].Column != null && columns[i].Column == columns[j].Column)
                {
                    throw new ArgumentException(
                        $"{columns[i].Name} and {columns[j].Name} are both '{columns[i].Column}'; give them different names.", columns[j].Name);
                }
            }
        }
    }

    /// <summary>
    /// The file options of checkpointing, checked the same way wherever a run writes checkpoints: a checkpoint every
    /// <paramref name="every"/> (when set) needs <paramref name="checkpointPath"/> in a folder that exists, and
    /// <paramref name="resumeFrom"/> (when set) must be a file.
    /// </summary>
    public static void CheckpointFiles(int? every, string? checkpointPath, string? resumeFrom)
    {
        if (every != null)
        {
            if (string.IsNullOrWhiteSpace(checkpointPath))
            {
                throw new ArgumentException($"CheckpointEvery ({every}) needs CheckpointPath: the file to write the checkpoint to.", "CheckpointPath");
            }

            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(checkpointPath));
            if (folder != null && !System.IO.Directory.Exists(folder))
            {
                throw new ArgumentException($"CheckpointPath '{checkpointPath}': the folder '{folder}' does not exist. Create it or choose another path.", "CheckpointPath");
            }
        }

        if (resumeFrom != null && !System.IO.File.Exists(resumeFrom))
        {
            throw new ArgumentException(
                $"ResumeFrom '{resumeFrom}': the checkpoint file does not exist. Give the checkpoint written by CheckpointEvery, or leave ResumeFrom null.", "ResumeFrom");
        }
    }
}
