// Anomaly-score benchmark (issue 14, item 2): which score and which input scaling should be the default?
// Unsupervised protocol on the six ODDS sets: fit on all rows with the label set aside, score every row, AUROC over
// all rows (rank-based, ties averaged). Every candidate uses ONE setting for every set; ML.NET's RandomizedPca runs
// side by side.
//   dotnet run --project examples/AnomalyBenchmark -c Release
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --seeds 2 --report docs/anomaly-run.md
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --detector --digits 0,1,2,3,4,5,6,7,8,9   (the reported table)
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --choose-image 0,1,2,3,4,5,6,7,8,9       (image recipe choice, training images only)
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --defaults --data ../shared/datasets/anomaly --report docs/anomaly-defaults.md
//        (issue 27: library default + scikit-learn baselines on every table; --python PATH, default /usr/bin/python3)
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --round defaults --choice-half --data ../shared/datasets/anomaly   (issue 27 candidates)
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --round defaults --only "1 R;2 R;3 R;12 RL;15 R" --seeds 3 --shortfall --data ../shared/datasets/anomaly
//        (issue 27, round 3: candidates at three seeds, IsolationForest at random_state 0..2 and the other baselines, Jr, leave-one-table-out)
//   dotnet run --project examples/AnomalyBenchmark -c Release -- --write-planted /tmp/planted/planted.csv   (the library test's planted-outlier rows)
//   options: --round 1|2|3|all|defaults (default: the summary list), --choice-half (issue 27: the 11 choice tables), --sets a,b  --only "prefix;prefix"  --seed S  --seeds N
//            --mnist 0,1,7 (one-class MNIST on these digits instead of the tabular sets)
//            --parallel N (sets run in child processes, N at a time; default 1)  --in-process (no child processes)
//            --data DIR (default: data/anomaly, the bundled copy, found above the current directory)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Autoencoders.ML.Examples.Anomaly;
using Autoencoders.ML.Runtime;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

if (args.Contains("--defaults"))
{
    // Issue 27's report: the library default beside scikit-learn's baselines, every table of --data.
    string dir = Arg("--data") ?? FindDataDirectory();
    var filter = Arg("--sets")?.Split(',');
    var tables = Directory.GetFiles(dir, "*.csv").OrderBy(p => p, StringComparer.Ordinal)
        .Where(p => filter == null || filter.Contains(Path.GetFileNameWithoutExtension(p))).Select(TabularSet.Load).ToList();
    string defaults = DetectorBenchmark.Defaults(dir, tables, Arg("--python") ?? SklearnBaselines.DefaultPython);
    Console.WriteLine();
    Console.WriteLine(defaults);
    if (Arg("--report") is string defaultsReport)
    {
        ReportSection.Replace(defaultsReport, defaults, "dotnet run --project examples/AnomalyBenchmark -c Release -- " + string.Join(' ', args));
    }

    return 0;
}

if (Arg("--write-planted") is string plantedPath)
{
    // The planted-outlier rows of the library's AnomalyScorer test as a table (issue 27, round 3's admissibility check).
    PlantedOutliers.Write(plantedPath);
    Console.WriteLine($"wrote {plantedPath}");
    return 0;
}

if (args.Contains("--detector"))
{
    // The reported benchmark: the committed defaults, tabular sets (--sets) and/or one-class MNIST (--digits, or none).
    var report = new StringBuilder();
    if (!args.Contains("--no-tabular"))
    {
        string dir = Arg("--data") ?? FindDataDirectory();
        var filter = Arg("--sets")?.Split(',');
        report.AppendLine(DetectorBenchmark.Tabular(Directory.GetFiles(dir, "*.csv").OrderBy(p => p, StringComparer.Ordinal)
            .Where(p => filter == null || filter.Contains(Path.GetFileNameWithoutExtension(p))).Select(TabularSet.Load).ToList()));
    }

    if (Arg("--digits") is string digitList && digitList != "none")
    {
        int? trainRows = Arg("--train-rows") is string limit ? int.Parse(limit, CultureInfo.InvariantCulture) : null;
        report.AppendLine(DetectorBenchmark.Mnist(digitList.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToList(), trainRows));
    }

    Console.WriteLine();
    Console.WriteLine(report);
    if (Arg("--report") is string detectorReport)
    {
        File.WriteAllText(detectorReport, report.ToString());
    }

    return 0;
}

if (Arg("--choose-image") is string chooseDigits)
{
    string choice = ImageRecipeSelection.Run(chooseDigits.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToList(), int.Parse(Arg("--epochs") ?? "20", CultureInfo.InvariantCulture));
    Console.WriteLine();
    Console.WriteLine(choice);
    if (Arg("--report") is string choiceReport)
    {
        File.WriteAllText(choiceReport, choice);
    }

    return 0;
}

if (Arg("--mnist") is string mnistDigits)
{
    string mnist = OneClassMnist.Run(mnistDigits.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToList());
    Console.WriteLine();
    Console.WriteLine(mnist);
    if (Arg("--report") is string mnistReport)
    {
        File.WriteAllText(mnistReport, mnist);
    }

    return 0;
}

string dataDir = Arg("--data") ?? FindDataDirectory();
var setFilter = Arg("--sets")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var only = Arg("--only")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
int seed = int.Parse(Arg("--seed") ?? "0", CultureInfo.InvariantCulture);
int seeds = int.Parse(Arg("--seeds") ?? "1", CultureInfo.InvariantCulture);
string? reportPath = Arg("--report");

var allSets = Directory.GetFiles(dataDir, "*.csv").OrderBy(p => p, StringComparer.Ordinal)
    .Where(p => setFilter == null || setFilter.Contains(Path.GetFileNameWithoutExtension(p)))
    .Where(p => !args.Contains("--choice-half") || Candidates.ChoiceHalf.Contains(Path.GetFileNameWithoutExtension(p)))
    .Select(TabularSet.Load).ToList();
var sets = allSets;
var candidates = (Arg("--round") switch
    {
        "1" => Candidates.Round1(),
        "2" => Candidates.Round2(),
        "3" => Candidates.Round3(),
        "all" => Candidates.All(),
        "defaults" => Candidates.Defaults(),
        _ => Candidates.Summary(),
    }).Where(c => only == null || only.Any(o => c.Name.StartsWith(o, StringComparison.Ordinal))).ToList();
Console.WriteLine($"data: {dataDir}; {sets.Count} sets; {candidates.Count} candidates; seeds {seed}..{seed + seeds - 1}; {Environment.ProcessorCount} cores");

var auroc = new Dictionary<(string Candidate, string Set), List<double>>();
var seconds = new Dictionary<(string Candidate, string Set), List<double>>();
string? childResults = Arg("--child");
if (childResults == null && !args.Contains("--in-process"))
{
    // Each set and seed runs in a child process (up to --parallel at a time): a native crash (seen in long multi-model
    // processes, inside TorchSharp: "Unknown scalar type", "INTERNAL ASSERT FAILED at c10/core/Scalar.h") is retried up to
    // twice and does not lose the other sets; a set and seed that fails three times leaves no partial results behind.
    int parallel = int.Parse(Arg("--parallel") ?? "1", CultureInfo.InvariantCulture);
    var files = new List<string>();
    var work = sets.SelectMany(set => Enumerable.Range(seed, seeds).Select(s => (Set: set, Seed: s))).ToList();
    System.Threading.Tasks.Parallel.ForEach(work, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parallel }, item =>
    {
        string file = Path.Combine(Path.GetTempPath(), $"anomaly-{Environment.ProcessId}-{item.Set.Name}-{item.Seed}.tsv");
        const int attempts = 3;
        for (int attempt = 1; attempt <= attempts; attempt++)
        {
            File.Delete(file);
            int code = RunChild(item.Set.Name, item.Seed, file);
            if (code == 0)
            {
                break;
            }

            File.Delete(file);
            Console.WriteLine($"!! {item.Set.Name} seed {item.Seed}: child exited with code {code} (attempt {attempt}){(attempt < attempts ? "; retrying" : "; no results for it")}");
        }

        lock (files)
        {
            files.Add(file);
        }
    });
    foreach (var file in files.Where(File.Exists))
    {
        foreach (var line in File.ReadAllLines(file))
        {
            var f = line.Split('\t');
            if (int.Parse(f[2], CultureInfo.InvariantCulture) != seed && candidates.Any(c => c.Name == f[0] && !c.Seeded))
            {
                continue; // a seedless candidate counts once, at the first seed, as in-process
            }

            Add(auroc, (f[0], f[1]), double.Parse(f[3], CultureInfo.InvariantCulture));
            Add(seconds, (f[0], f[1]), double.Parse(f[4], CultureInfo.InvariantCulture));
        }

        File.Delete(file);
    }

    // A set is reported only with every candidate at every seed (a seedless candidate runs at the first seed only).
    sets = sets.Where(s => candidates.All(c => auroc.TryGetValue((c.Name, s.Name), out var v) && v.Count == (c.Seeded ? seeds : 1))).ToList();
}
else
{
    foreach (var set in sets)
    {
        Console.WriteLine($"== {set.Name}: {set.Rows.Length} rows, {set.Width} features, {set.Anomalies} anomalies");
        for (int s = seed; s < seed + seeds; s++)
        {
            foreach (var candidate in candidates)
            {
                if (s != seed && !candidate.Seeded)
                {
                    continue;
                }

                Detectors.FreshSeconds = 0;
                var clock = Stopwatch.StartNew();
                var result = candidate.Score(set, s);
                // Cost as if run alone: models shared with earlier candidates count here too.
                double elapsed = clock.Elapsed.TotalSeconds - Detectors.FreshSeconds + result.TrainingSeconds;
                double value = Stats.Auroc(result.Scores, set.Labels);
                Add(auroc, (candidate.Name, set.Name), value);
                Add(seconds, (candidate.Name, set.Name), elapsed);
                Console.WriteLine($"  {set.Name,-12} {candidate.Name,-48} seed {s}  AUROC {value:F3}  {elapsed,6:F1} s");
                if (childResults != null)
                {
                    File.AppendAllText(childResults, string.Create(CultureInfo.InvariantCulture, $"{candidate.Name}\t{set.Name}\t{s}\t{value:R}\t{elapsed:R}\n"));
                }
            }
        }

        // Models are kept across seeds of a set: a seed ensemble at seed s reuses the models of seeds s+1, s+2.
        Detectors.ClearCache();
    }

    if (childResults != null)
    {
        return 0;
    }
}

var table = new StringBuilder();
table.AppendLine($"| candidate | {string.Join(" | ", sets.Select(s => s.Name))} | **mean** | worst | J = (mean + worst) / 2 | s/set |");
table.AppendLine($"|---|{string.Concat(sets.Select(_ => "---|"))}---|---|---|---|");
foreach (var candidate in candidates)
{
    var values = sets.Select(s => auroc[(candidate.Name, s.Name)].Average()).ToList();
    var spread = sets.Select(s => auroc[(candidate.Name, s.Name)]).ToList();
    string Cell(int i) => spread[i].Count > 1 ? $"{values[i]:F3} ±{Stats.StdDev(spread[i]):F3}" : $"{values[i]:F3}";
    double time = sets.Average(s => seconds[(candidate.Name, s.Name)].Average());
    table.AppendLine($"| {candidate.Name} | {string.Join(" | ", Enumerable.Range(0, sets.Count).Select(Cell))} | **{values.Average():F3}** | {values.Min():F3} | {(values.Average() + values.Min()) / 2:F3} | {time:F1} |");
}

var perSetTime = new StringBuilder();
perSetTime.AppendLine($"| candidate | {string.Join(" | ", sets.Select(s => s.Name))} |");
perSetTime.AppendLine($"|---|{string.Concat(sets.Select(_ => "---|"))}");
foreach (var candidate in candidates)
{
    perSetTime.AppendLine($"| {candidate.Name} | {string.Join(" | ", sets.Select(s => seconds[(candidate.Name, s.Name)].Average().ToString("F1", CultureInfo.InvariantCulture)))} |");
}

string markdown = $"AUROC (all rows; seeds {seed}..{seed + seeds - 1}, ± = standard deviation over seeds)\n\n{table}\nSeconds per set (training + scoring, 2 shared cores, Threads = 1)\n\n{perSetTime}";
if (args.Contains("--shortfall"))
{
    // Issue 27, round 3: scikit-learn's baselines on the same rows in this run, the criterion Jr and the leave-one-table-out report.
    markdown += "\n" + ShortfallSelection.Report(dataDir, sets, candidates, auroc, Arg("--python") ?? SklearnBaselines.DefaultPython);
}

Console.WriteLine();
Console.WriteLine(markdown);
if (reportPath != null)
{
    File.WriteAllText(reportPath, markdown);
}

return 0;

static void Add(Dictionary<(string, string), List<double>> map, (string, string) key, double value)
{
    if (!map.TryGetValue(key, out var list))
    {
        map[key] = list = new List<double>();
    }

    list.Add(value);
}

int RunChild(string setName, int childSeed, string resultFile)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
    {
        start.ArgumentList.Add(typeof(Candidate).Assembly.Location);
    }

    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] is "--sets" or "--report" or "--parallel" or "--seed" or "--seeds")
        {
            i++;
            continue;
        }

        start.ArgumentList.Add(args[i]);
    }

    foreach (var extra in new[] { "--data", dataDir, "--sets", setName, "--seed", childSeed.ToString(CultureInfo.InvariantCulture), "--seeds", "1", "--child", resultFile })
    {
        start.ArgumentList.Add(extra);
    }

    using var child = Process.Start(start)!;
    child.OutputDataReceived += (_, e) =>
    {
        if (e.Data != null && !e.Data.StartsWith("data:", StringComparison.Ordinal))
        {
            Console.WriteLine(e.Data);
        }
    };
    var errors = new StringBuilder();
    child.ErrorDataReceived += (_, e) =>
    {
        if (e.Data != null && errors.Length < 4000)
        {
            errors.AppendLine(e.Data);
        }
    };
    child.BeginOutputReadLine();
    child.BeginErrorReadLine();
    child.WaitForExit();
    if (child.ExitCode != 0)
    {
        Console.WriteLine($"!! {setName}: {errors.ToString().Split('\n').FirstOrDefault()}");
    }

    return child.ExitCode;
}

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindDataDirectory()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
        {
            // The copy bundled in the repository (data/anomaly), else the shared one beside it.
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", "anomaly"), Path.Combine(dir.FullName, "shared", "datasets", "anomaly") })
            {
                if (File.Exists(Path.Combine(candidate, "thyroid.csv")))
                {
                    return candidate;
                }
            }
        }
    }

    throw new DirectoryNotFoundException("The ODDS CSVs were not found (looked for data/anomaly and shared/datasets/anomaly above the current directory); pass --data DIR.");
}
