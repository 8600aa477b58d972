// Benchmarks: prints the figures the issues ask for, measured side by side in one process.
//   dotnet run --project examples/Benchmarks -c Release -- [--quick]
using System;
using System.CommandLine;
using Autoencoders.ML.Examples;
using Microsoft.ML;

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
    return 0;
}
