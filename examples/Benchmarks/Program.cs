// Benchmarks: every figure the issues ask for, measured side by side in one run, printed as a table and written to
// artifacts/benchmarks.md (with plots; --report PATH to choose). docs/benchmarks.md is written by hand from these reports,
// so a run never overwrites it.
//   dotnet run --project examples/Benchmarks -c Release              full run (~20 minutes on 2 cores)
//   dotnet run --project examples/Benchmarks -c Release -- --quick   smoke run (a few minutes), report in artifacts/
//   ... -- --only training [--busy-core] [--threads N]             training efficiency (with one core kept busy)
//   ... -- --only profile                                           where a training step's time goes, before/after
//   ... -- --only finetuning                                        ms per fine-tuning step, classifier objective vs Ladder
//   ... -- --only deepae --minutes 15 [--precision bf16] [--selection-epochs N]   784-1000-500-250-30 within a training budget
//   ... -- --only precision                                         validation MSE after 10 epochs, float32 vs bfloat16
//   ... -- --only iwae --minutes 15 [--selection-minutes M] [--training-samples 1,5]  VAE NLL (k = 5000) within a training budget
using System;
using System.CommandLine;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Runtime;
using Autoencoders.ML.Training;
using Microsoft.ML;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

if (args.Length == 3 && args[0] == MemoryBenchmark.ProbeArgument)
{
    return MemoryBenchmark.RunProbe(long.Parse(args[1], CultureInfo.InvariantCulture), streamed: args[2] == "streamed");
}

var quickOption = new Option<bool>("--quick") { Description = "Smaller runs for a smoke test (a few minutes); the report goes to artifacts/." };
var onlyOption = new Option<string?>("--only") { Description = "Comma-separated sections to run: training, scoring, reload, memory, pretraining, reconstruction, vae (default: all); also profile, finetuning, precision, deepae, iwae." };
var reportOption = new Option<string?>("--report") { Description = "Markdown report path (default artifacts/benchmarks.md, or artifacts/benchmarks-quick.md with --quick)." };
var busyOption = new Option<bool>("--busy-core") { Description = "Keep one core busy with a spinning thread while measuring (how training behaves when another process takes a core)." };
var threadsOption = new Option<int?>("--threads") { Description = "Torch threads for the whole run (default: the library's default)." };
var precisionOption = new Option<string>("--precision") { Description = "Training precision of the deepae and iwae sections: fp32 or bf16 (TrainingOptions.Precision).", DefaultValueFactory = _ => "fp32" };
precisionOption.AcceptOnlyFromAmong("fp32", "bf16");
var minutesOption = new Option<double>("--minutes") { Description = "Training-time budget of the deepae and iwae sections, in minutes.", DefaultValueFactory = _ => 15 };
var selectionOption = new Option<int>("--selection-epochs") { Description = "Epochs of each deepae candidate on the held-out split (1 compares activations and batch sizes; 20+ compares regularisers).", DefaultValueFactory = _ => 1 };
var selectionMinutesOption = new Option<double?>("--selection-minutes") { Description = "iwae: train each objective on the held-out split for this many minutes (equal time) instead of equal estimated compute." };
var samplesOption = new Option<string>("--training-samples") { Description = "iwae: the objectives to choose between on held-out training rows, as importance samples k (1 = the ELBO), comma-separated.", DefaultValueFactory = _ => "1,5" };
samplesOption.Validators.Add(result =>
{
    string text = result.GetValueOrDefault<string>() ?? string.Empty;
    if (!text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1) || text.Trim().Length == 0)
    {
        result.AddError($"--training-samples takes whole numbers ≥ 1 separated by commas (1 = the ELBO), for example 1,5; got '{text}'.");
    }
});
var testRowsOption = new Option<int>("--test-rows") { Description = "Test images the iwae section evaluates with k = 5000 (default all 10,000).", DefaultValueFactory = _ => 10_000 };
var root = new RootCommand("Autoencoders.ML benchmarks.") { quickOption, onlyOption, reportOption, busyOption, threadsOption, minutesOption, precisionOption, testRowsOption, selectionOption, selectionMinutesOption, samplesOption };
root.SetAction(parse =>
{
    if (parse.GetValue(threadsOption) is int threads)
    {
        Autoencoders.ML.Runtime.TorchRuntime.EnsureInitialized();
        TorchSharp.torch.set_num_threads(threads);
    }

    using var busy = parse.GetValue(busyOption) ? BusyCore.Start() : null;
    var precision = parse.GetValue(precisionOption) == "bf16" ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32;
    int[] samples = parse.GetValue(samplesOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(k => int.Parse(k, CultureInfo.InvariantCulture)).ToArray();
    return Run(parse.GetValue(quickOption), parse.GetValue(reportOption), parse.GetValue(onlyOption), parse.GetValue(minutesOption), parse.GetValue(testRowsOption), precision,
        parse.GetValue(selectionOption), parse.GetValue(selectionMinutesOption), samples);
});
return root.Parse(args).Invoke();

static int Run(bool quick, string? reportPath, string? only, double minutes, int testRows, TrainingPrecision precision, int selectionEpochs, double? selectionMinutes, int[] trainingSamples)
{
    var sections = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    bool Wanted(string name) => sections == null || Array.IndexOf(sections, name) >= 0;
    var ml = new MLContext(seed: 0);
    var report = new BenchmarkReport(quick);
    var train = BundledMnist.Train(ml);
    var test = BundledMnist.Test(ml);
    Console.WriteLine($"machine: {BenchmarkReport.Machine()}; load average {BusyCore.LoadAverage()}; torch threads {TorchThreads()}{(BusyCore.Running ? "; one core kept busy" : string.Empty)}");
    Console.WriteLine($"matrix library: {BenchmarkReport.MatrixLibrary()}");
    Console.WriteLine($"process-wide settings: {TorchRuntime.Configuration}");
    bool named(string name) => sections != null && Array.IndexOf(sections, name) >= 0;
    if (named("profile"))
    {
        Section("training step profile (784-512-128-32, batch 256)");
        report.Profile(TrainingProfile.Run(ml, train, quick ? 50 : 300, precision));
    }

    if (named("finetuning"))
    {
        Section("fine-tuning step: classifier objective vs the Ladder (784-512-128-32, batch 64 + 128)");
        report.FineTuningSteps(FineTuningStepThroughput.Run(ml, train, quick ? 100 : 500, quick ? 1 : 3));
    }

    // Speed figures first, while nothing else has warmed or loaded the machine.
    if (Wanted("training"))
    {
        Section("training efficiency");
        report.Training(TrainingThroughput.Compare(ml, train, quick ? 10_000 : 60_000, quick ? 1 : 3, quick ? 1 : 3, Console.WriteLine));
    }

    if (Wanted("scoring"))
    {
        Section("scoring");
        report.Scoring(ScoringThroughput.Run(ml, train, test, quick ? 1 : 5));
    }

    if (Wanted("reload"))
    {
        Section("scoring a saved pipeline: reloaded vs fresh vs stock");
        report.Reload(ReloadThroughput.Run(ml, train, test, quick ? 1 : 3));
        report.TaskReload(TaskReloadThroughput.Run(ml, train, test, quick ? 1 : 3));
    }

    if (Wanted("memory"))
    {
        Section("memory while streaming");
        report.Memory(quick ? MemoryBenchmark.Run(20_000, 200_000) : MemoryBenchmark.Run(60_000, 6_000_000));
    }

    if (Wanted("pretraining"))
    {
        Section("pretraining with few labels");
        report.Pretraining(PretrainingBenchmark.Run(ml, train, test, labeled: 1000, epochs: quick ? 2 : 30, maskings: quick ? new[] { 0.5 } : new[] { 0.5, 0.7 }));
    }

    if (Wanted("reconstruction"))
    {
        Section("reconstruction (Hinton & Salakhutdinov 2006)");
        var lines = new List<EpochReport>();
        var r = ReconstructionBenchmark.Run(ml, quick ? ml.Data.TakeRows(train, 20_000) : train, test, quick ? 3 : 60, new InlineProgress<EpochReport>(e =>
        {
            lines.Add(e);
            Console.WriteLine("  " + e);
        }));
        report.Reconstruction(r, lines);
    }

    if (Wanted("vae"))
    {
        Section("VAE likelihood");
        report.Vae(VaeBenchmark.Run(ml, train, test, epochs: quick ? 1 : 60, importanceSamples: quick ? 10 : 500, rows: quick ? 10_000 : 60_000));
    }

    if (named("deepae"))
    {
        Section($"deep autoencoder within a training budget (settings chosen on held-out training rows), {precision}");
        report.DeepAutoencoder(DeepAutoencoderBenchmark.Run(ml, train, test, minutes, selectionEpochs, Console.WriteLine, precision), minutes);
    }

    if (named("precision"))
    {
        Section("float32 vs bfloat16 training: validation MSE after the same epochs");
        report.PrecisionQuality(PrecisionQuality.Run(ml, train, quick ? 10_000 : 60_000, quick ? 2 : 10, Console.WriteLine));
    }

    if (named("iwae"))
    {
        Section($"VAE likelihood within a training budget (objective chosen on held-out training rows), {precision}");
        report.Iwae(IwaeBenchmark.Run(ml, train, test, minutes, quick ? 2 : 6, trainingSamples, quick ? 100 : 5000, testRows, Console.WriteLine, precision, selectionMinutes), minutes);
    }

    report.Add("load average while measuring (1, 5, 15 min)", BusyCore.LoadAverage(), string.Empty, null);
    report.Add("matrix library (MKL's kernels; AUTOENCODERS_MKL_AMD=off leaves MKL's own choice)", BenchmarkReport.MatrixLibrary(), string.Empty, null);
    string path = reportPath ?? Path.Combine("artifacts", quick ? "benchmarks-quick.md" : "benchmarks.md");
    report.Write(path);
    Console.WriteLine();
    Console.WriteLine(report.Table());
    Console.WriteLine($"report: {Path.GetFullPath(path)}");
    return 0;
}

static int TorchThreads()
{
    Autoencoders.ML.Runtime.TorchRuntime.EnsureInitialized();
    return TorchSharp.torch.get_num_threads();
}

static void Section(string name)
{
    Console.WriteLine();
    Console.WriteLine($"## {name}");
}
