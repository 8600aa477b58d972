using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autoencoders.ML.Training;

/// <summary>What a training run is — a checkpoint may only be resumed by the same run.</summary>
/// <param name="Architecture">The network's spec as JSON.</param>
/// <param name="Loss">The reconstruction loss.</param>
/// <param name="Training">The training options as JSON.</param>
/// <param name="Continuing">Whether the run continues a trained model.</param>
/// <param name="TrainingRows">Training rows.</param>
/// <param name="ValidationRows">Validation rows.</param>
/// <param name="Widths">Values per row of each column (input, then target).</param>
internal sealed record RunIdentity(string Architecture, string Loss, JsonObject Training, bool Continuing, long TrainingRows, long ValidationRows, int[] Widths)
{
    /// <summary>Why an option holds this run's value, by its fingerprint name; a refusal naming that option repeats it.</summary>
    public IReadOnlyDictionary<string, string>? Notes { get; init; }

    public JsonObject ToJson() => new()
    {
        ["architecture"] = Architecture,
        ["loss"] = Loss,
        ["training"] = Training.DeepClone(),
        ["continuing"] = Continuing,
        ["trainingRows"] = TrainingRows,
        ["validationRows"] = ValidationRows,
        ["widths"] = new JsonArray(Widths.Select(w => (JsonNode)w).ToArray()),
    };

    /// <summary>Throws naming every difference between this run and the one <paramref name="saved"/> describes.</summary>
    public void CheckSame(string path, JsonObject saved, IReadOnlyCollection<string> freeOptions)
    {
        var differences = new List<string>();
        var widths = saved["widths"]?.AsArray().Select(n => (int)n!).ToArray() ?? Array.Empty<int>();
        if (!widths.SequenceEqual(Widths))
        {
            differences.Add($"data width: the checkpoint's run read {string.Join(" + ", widths)} values per row, this run reads {string.Join(" + ", Widths)}");
        }

        if ((string?)saved["architecture"] != Architecture)
        {
            string before = Describe(saved["architecture"]), now = Describe(Architecture);
            differences.Add(before != now
                ? $"architecture: the checkpoint's is {before}, this run's is {now}"
                : $"architecture: the checkpoint's is {(string?)saved["architecture"]}, this run's is {Architecture}");
        }

        Compare(differences, "loss", (string?)saved["loss"], Loss);
        Compare(differences, "training rows", (long?)saved["trainingRows"], TrainingRows);
        Compare(differences, "validation rows", (long?)saved["validationRows"], ValidationRows);
        Compare(differences, "continuing a trained model", (bool?)saved["continuing"], Continuing);
        var options = saved["training"]?.AsObject() ?? new JsonObject();
        foreach (string name in options.Select(p => p.Key).Union(Training.Select(p => p.Key)).Where(n => !freeOptions.Contains(n)))
        {
            string before = options[name]?.ToJsonString() ?? "null";
            string now = Training[name]?.ToJsonString() ?? "null";
            if (before != now)
            {
                string note = Notes != null && Notes.TryGetValue(name, out var why) ? $" ({why})" : string.Empty;
                differences.Add($"training option {char.ToUpperInvariant(name[0])}{name[1..]}: {before} in the checkpoint, {now} now{note}");
            }
        }

        if (differences.Count > 0)
        {
            throw new InvalidDataException(
                $"'{path}' is a checkpoint of another run: {string.Join("; ", differences)}. Resume with the same architecture, data and options " +
                "(only Threads, Device, CheckpointEvery, CheckpointPath and ResumeFrom may change), or start without ResumeFrom.");
        }
    }

    private static void Compare<T>(List<string> differences, string what, T? saved, T now)
    {
        if (!Equals(saved, now))
        {
            differences.Add($"{what}: {saved} in the checkpoint, {now} now");
        }
    }

    // The spec JSON is long: its one-line form (e.g. 784-64-8-64-784) says enough.
    private static string Describe(JsonNode? spec)
    {
        string? text = (string?)spec;
        try
        {
            return text == null ? "none" : AutoencoderSpec.FromJson(text).ToString();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return text ?? "none";
        }
    }
}
