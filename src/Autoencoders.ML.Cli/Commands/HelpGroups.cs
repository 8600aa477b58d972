namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// Groups each command's options in <c>--help</c> under headings (data, model, the kinds' own options, training,
/// output): an option is tagged once where it is made, and the help System.CommandLine writes is split into the groups,
/// in a fixed order.
/// </summary>
internal static class HelpGroups
{
    public const string Data = "Data options";
    public const string Model = "Model options";
    public const string Kinds = "Options of one kind (an error with another --kind or --architecture)";
    public const string Training = "Training options";
    public const string Output = "Output options";
    private const string Other = "Other options";

    private static readonly string[] Order = { Data, Model, Kinds, Training, Output, Other };
    private static readonly Dictionary<Option, string> Groups = new();

    /// <summary>Tags each of <paramref name="options"/> with the help group <paramref name="group"/>.</summary>
    public static void Put(string group, params Option[] options)
    {
        foreach (var option in options)
        {
            Groups[option] = group;
        }
    }

    /// <summary>
    /// System.CommandLine's help for <paramref name="command"/> with its "Options:" section split into the groups (rows
    /// and wrapping as System.CommandLine wrote them); other text is returned unchanged.
    /// </summary>
    public static string Regroup(string help, Command command)
    {
        var lines = help.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int header = Array.IndexOf(lines, "Options:");
        if (header < 0)
        {
            return help;
        }

        int end = header + 1;
        while (end < lines.Length && lines[end].Length > 0)
        {
            end++;
        }

        // One entry per option: its first line ("  --data <data>  description") and any wrapped lines after it.
        var rows = new List<(Option? Option, List<string> Lines)>();
        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(c => c.Options)).ToList();
        for (int i = header + 1; i < end; i++)
        {
            string line = lines[i];
            string trimmed = line.TrimStart();
            bool starts = trimmed.StartsWith('-') && line.Length - trimmed.Length <= 4;
            if (starts || rows.Count == 0)
            {
                var names = trimmed.Split(' ', 2)[0].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var option = options.FirstOrDefault(o => names.Contains(o.Name) || o.Aliases.Any(names.Contains));
                rows.Add((option, new List<string> { line }));
            }
            else
            {
                rows[^1].Lines.Add(line);
            }
        }

        var grouped = new List<string>();
        var groups = rows.GroupBy(r => r.Option == null ? Other : GroupOf(r.Option)).OrderBy(g => Array.IndexOf(Order, g.Key)).ToList();
        foreach (var group in groups)
        {
            grouped.Add(groups.Count == 1 ? "Options:" : $"{group.Key}:");
            grouped.AddRange(group.SelectMany(r => r.Lines));
            grouped.Add(string.Empty);
        }

        if (grouped.Count > 0)
        {
            grouped.RemoveAt(grouped.Count - 1); // the blank line after the section stays where it was
        }

        return string.Join(Environment.NewLine, lines.Take(header).Concat(grouped).Concat(lines.Skip(end)));
    }

    private static string GroupOf(Option option) =>
        Groups.TryGetValue(option, out string? group) ? group
        : option.Name switch
        {
            "--data" or "--label-column" or "--features" or "--unlabeled" => Data,
            "--model" => Model,
            "--out" => Output,
            _ => Other,
        };
}
