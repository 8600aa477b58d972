using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Autoencoders.ML.Examples.Anomaly;

/// <summary>
/// Issue 27, round 3 (docs/anomaly-defaults.md): each candidate's per-table AUROC (mean over its seeds) beside
/// scikit-learn's baselines computed in the same run (IsolationForest at random_state 0, 1, 2), the criterion
/// Jr(T) = mean_T(AUROC) − 0.5 · max_T(max(0, IF_t − AUROC_t)) over all tables, and the leave-one-table-out report.
/// </summary>
internal static class ShortfallSelection
{
    /// <summary>Candidates whose Jr is within this of the best are tied (fewer models, then fewer parts, then the lower number).</summary>
    public const double TieMargin = 0.002;

    private const int ForestSeeds = 3;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The markdown report: every table, mean, worst, worst shortfall, Jr; the pick over all tables; the leave-one-table-out picks.</summary>
    public static string Report(string dataDirectory, IReadOnlyList<TabularSet> sets, IReadOnlyList<Candidate> candidates, IReadOnlyDictionary<(string Candidate, string Set), List<double>> auroc, string python)
    {
        var forest = new Dictionary<string, double[]>();
        var others = new Dictionary<string, double[]>();
        foreach (var set in sets)
        {
            var scores = SklearnBaselines.Score(Path.Combine(dataDirectory, set.Name + ".csv"), python, set.Rows.Length, ForestSeeds);
            forest[set.Name] = Enumerable.Range(0, ForestSeeds).Select(s => Stats.Auroc(scores[SklearnBaselines.ForestName(s)], set.Labels)).ToArray();
            others[set.Name] = SklearnBaselines.Names.Skip(1).Select(n => Stats.Auroc(scores[n], set.Labels)).ToArray();
            Console.WriteLine($"  {set.Name,-13} IsolationForest {string.Join(" / ", forest[set.Name].Select(v => v.ToString("F3", Invariant)))}  " +
                string.Join("  ", SklearnBaselines.Names.Skip(1).Select((n, i) => $"{n} {others[set.Name][i]:F3}")));
        }

        var names = sets.Select(s => s.Name).ToList();
        var iforest = names.ToDictionary(t => t, t => forest[t].Average());
        var value = candidates.ToDictionary(c => c.Name, c => names.ToDictionary(t => t, t => auroc[(c.Name, t)].Average()));

        var text = new StringBuilder();
        text.AppendLine($"Round 3: AUROC per table, mean over each candidate's seeds (± = standard deviation over them); IsolationForest = mean over random_state 0..{ForestSeeds - 1}; baselines on standardised features, same run");
        text.AppendLine();
        var other = SklearnBaselines.Names.Skip(1).ToList();
        text.AppendLine($"| table | {string.Join(" | ", candidates.Select(c => c.Name))} | IsolationForest (mean) | IF rs 0 / 1 / 2 | {string.Join(" | ", other)} |");
        text.AppendLine($"|---|{string.Concat(candidates.Select(_ => "---|"))}---|---|{string.Concat(other.Select(_ => "---|"))}");
        foreach (string t in names)
        {
            string Cell(Candidate c)
            {
                var list = auroc[(c.Name, t)];
                return list.Count > 1 ? $"{list.Average():F3} ±{Stats.StdDev(list):F3}" : $"{list.Average():F3}";
            }

            text.AppendLine($"| {t} | {string.Join(" | ", candidates.Select(Cell))} | {F(iforest[t])} | {string.Join(" / ", forest[t].Select(F))} | {string.Join(" | ", others[t].Select(F))} |");
        }

        string Row(string label, Func<Dictionary<string, double>, string> candidateCell, string forestCell, string otherCells) =>
            $"| {label} | {string.Join(" | ", candidates.Select(c => candidateCell(value[c.Name])))} | {forestCell} | | {otherCells} |";
        text.AppendLine(Row("**mean**", v => $"**{F(v.Values.Average())}**", $"**{F(iforest.Values.Average())}**",
            string.Join(" | ", other.Select((_, i) => F(names.Average(t => others[t][i]))))));
        text.AppendLine(Row("worst", v => F(v.Values.Min()), F(iforest.Values.Min()), string.Join(" | ", other.Select((_, i) => F(names.Min(t => others[t][i]))))));
        text.AppendLine(Row("worst shortfall vs IF (table)", v => $"{F(Shortfall(v, iforest, names))} ({names.OrderByDescending(t => iforest[t] - v[t]).First()})", "0", string.Join(" | ", other.Select((_, i) => F(names.Max(t => Math.Max(0, iforest[t] - others[t][i])))))));
        text.AppendLine(Row("**Jr (all tables)**", v => $"**{Jr(v, iforest, names):F4}**", F(Jr(iforest, iforest, names)), string.Join(" | ", other.Select((_, i) =>
        {
            var baseline = names.ToDictionary(t => t, t => others[t][i]);
            return Jr(baseline, iforest, names).ToString("F4", Invariant);
        }))));
        text.AppendLine();

        var chosen = Pick(candidates, value, iforest, names);
        text.AppendLine($"**Pick over all {names.Count} tables**: `{chosen.Name}`, Jr {Jr(value[chosen.Name], iforest, names):F4} (chosen by all {names.Count} tables; its figures are not held out). " +
            $"Mean {F(value[chosen.Name].Values.Average())} against IsolationForest's {F(iforest.Values.Average())}: target **{(value[chosen.Name].Values.Average() >= iforest.Values.Average() ? "met" : "not met")}**; " +
            $"worst {F(value[chosen.Name].Values.Min())} against {F(iforest.Values.Min())}.");
        var ranked = candidates.Select(c => (c.Name, Jr: Jr(value[c.Name], iforest, names))).OrderByDescending(x => x.Jr).ToList();
        text.AppendLine($"Jr over all tables, highest first: {string.Join(", ", ranked.Select(x => $"`{x.Name}` {x.Jr:F4}"))}.");
        text.AppendLine();

        text.AppendLine("Leave one table out: each table's pick is the candidate with the highest Jr over the other tables; its AUROC there is the held-out figure");
        text.AppendLine();
        text.AppendLine("| held-out table | pick (Jr over the others) | Jr | held-out AUROC | IsolationForest | held-out − IF |");
        text.AppendLine("|---|---|---|---|---|---|");
        var heldOut = new Dictionary<string, double>();
        foreach (string t in names)
        {
            var rest = names.Where(n => n != t).ToList();
            var pick = Pick(candidates, value, iforest, rest);
            heldOut[t] = value[pick.Name][t];
            text.AppendLine($"| {t} | `{pick.Name}` | {Jr(value[pick.Name], iforest, rest):F4} | **{F(heldOut[t])}** | {F(iforest[t])} | {(heldOut[t] - iforest[t]).ToString("+0.000;−0.000", Invariant)} |");
        }

        text.AppendLine();
        text.AppendLine("| statistic over the tables | **leave-one-table-out** | pick over all tables | IsolationForest (mean of 3) | IsolationForest rs 0 |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine($"| mean | **{F(heldOut.Values.Average())}** | {F(value[chosen.Name].Values.Average())} | {F(iforest.Values.Average())} | {F(names.Average(t => forest[t][0]))} |");
        text.AppendLine($"| worst | **{F(heldOut.Values.Min())}** | {F(value[chosen.Name].Values.Min())} | {F(iforest.Values.Min())} | {F(names.Min(t => forest[t][0]))} |");
        text.AppendLine($"| tables ≥ IsolationForest | {names.Count(t => heldOut[t] >= iforest[t])}/{names.Count} | {names.Count(t => value[chosen.Name][t] >= iforest[t])}/{names.Count} | | |");
        text.AppendLine();
        text.AppendLine($"Leave-one-table-out mean {F(heldOut.Values.Average())} against IsolationForest's {F(iforest.Values.Average())}: target **{(heldOut.Values.Average() >= iforest.Values.Average() ? "met" : "not met")}**.");
        return text.ToString();
    }

    /// <summary>Jr over <paramref name="tables"/>: mean AUROC minus half the largest shortfall against IsolationForest.</summary>
    public static double Jr(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, double> iforest, IReadOnlyList<string> tables) =>
        tables.Average(t => values[t]) - 0.5 * Shortfall(values, iforest, tables);

    /// <summary>The candidate with the highest Jr over <paramref name="tables"/>; within <see cref="TieMargin"/> fewer models, fewer parts, the lower number.</summary>
    public static Candidate Pick(IReadOnlyList<Candidate> candidates, IReadOnlyDictionary<string, Dictionary<string, double>> values, IReadOnlyDictionary<string, double> iforest, IReadOnlyList<string> tables)
    {
        double best = candidates.Max(c => Jr(values[c.Name], iforest, tables));
        return candidates.Where(c => Jr(values[c.Name], iforest, tables) >= best - TieMargin)
            .OrderBy(c => c.Models).ThenBy(c => c.Parts).ThenBy(Number).First();
    }

    private static double Shortfall(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, double> iforest, IReadOnlyList<string> tables) =>
        tables.Max(t => Math.Max(0, iforest[t] - values[t]));

    // The leading number of a candidate's name ("15 R: ..." → 15); names without one sort last.
    private static int Number(Candidate c) => int.TryParse(c.Name.Split(' ')[0], NumberStyles.None, Invariant, out int n) ? n : int.MaxValue;

    private static string F(double v) => v.ToString("F3", Invariant);
}
