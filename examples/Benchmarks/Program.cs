// Benchmarks: prints the figures the issues ask for, measured side by side in one process.
//   dotnet run --project examples/Benchmarks -c Release -- [--quick]
using System;
using System.CommandLine;
using Autoencoders.ML.Examples;
using Microsoft.ML;
using Microsoft.ML.Data;

var quickOption = new Option<bool>("--quick") { Description = "Smaller runs for a smoke test (a minute or so)." };
var root = new RootCommand("Autoencoders.ML benchmarks.") { quickOption };
root.SetAction(parse => Run(parse.GetValue(quickOption)));
return root.Parse(args).Invoke();

static int Run(bool quick)
{
    var ml = new MLContext(seed: 0);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

    var train = BundledMnist.Train(ml);
    var t = TrainingThroughput.Run(ml, train, quick ? 10_000 : 60_000, quick ? 1 : 3);
    Console.WriteLine();
    Console.WriteLine("## Training throughput");
    Console.WriteLine($"architecture {t.Architecture}, batch {t.BatchSize}, {t.Rows:N0} MNIST rows × {t.Epochs} timed epochs");
    Console.WriteLine($"samples/s           {t.SamplesPerSecond:N0}");
    Console.WriteLine($"MFLOP per sample    {t.MegaFlopPerSample:F2} (forward + weight grads + input grads)");
    Console.WriteLine($"achieved GFLOP/s    {t.AchievedGflops:F1}");
    Console.WriteLine($"peak matmul GFLOP/s {t.PeakGflops:F1} (2048³ float32, same process)");
    Console.WriteLine($"efficiency          {t.Efficiency:F2} (target ≥ 0.6)");

    var test = BundledMnist.Test(ml);
    var s = ScoringThroughput.Run(ml, train, test, quick ? 1 : 3);
    Console.WriteLine();
    Console.WriteLine("## Scoring (encode transform)");
    Console.WriteLine($"encoder of {s.Architecture}, {s.Rows:N0} MNIST rows, best of {(quick ? 1 : 3)} runs after a warm-up");
    Console.WriteLine($"our transform (batch {s.BatchSize})      {s.Transform,12:N0} rows/s");
    Console.WriteLine($"raw ONNX Runtime Run (batch {s.BatchSize}) {s.RawOnnxRuntime,12:N0} rows/s");
    Console.WriteLine($"ML.NET ApplyOnnxModel            {s.ApplyOnnxModel,12:N0} rows/s");
    Console.WriteLine($"transform / raw                  {s.VersusRaw,12:F2} (target ≥ 0.8)");
    Console.WriteLine($"transform / ApplyOnnxModel       {s.VersusApplyOnnxModel,12:F2} (target ≥ 4)");
    return 0;
}
