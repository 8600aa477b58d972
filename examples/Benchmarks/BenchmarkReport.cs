using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Autoencoders.ML.Training;
using Autoencoders.ML.Runtime;

namespace Autoencoders.ML.Examples;

/// <summary>Collects the measured figures, prints the table and writes the report (artifacts/benchmarks.md unless told) with its plots.</summary>
internal sealed class BenchmarkReport
{
    private readonly bool quick;
    private readonly List<(string Figure, string Measured, string Target, string Verdict)> rows = new();
    private readonly StringBuilder details = new();
    private readonly List<(string File, Action<string> Draw)> plots = new();

    public BenchmarkReport(bool quick) => this.quick = quick;

    public static string Machine()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        return $"{Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}, no GPU";
    }

    /// <summary>What the library did about MKL's kernels on this CPU, and MKL's version.</summary>
    public static string MatrixLibrary()
    {
        string? version = TorchRuntime.MklVersion;
        return $"{TorchRuntime.MklDispatch} ({TorchRuntime.MklDispatchDetail}); {version ?? "libtorch without MKL"}";
    }

    public void Reconstruction(ReconstructionBenchmark.Result r, IReadOnlyList<EpochReport> epochs)
    {
        Add("MNIST 784-1000-500-250-30 AE: test squared error per image", F(r.Autoencoder), "≤ 3.00 (published AE 3.00)", r.Autoencoder <= 3.0);
        Add("the same AE on its training images", F(r.TrainingError), string.Empty, null);
        Add("PCA-30, same run", F(r.Pca), "published 13.87", null);
        Add("linear AE-30, same run", F(r.LinearAutoencoder), "≈ PCA-30", null);
        Add("deep AE training time", $"{r.TrainSeconds / 60:F1} min, {r.Epochs} epochs", "≤ 15 min", r.TrainSeconds <= 900);
        plots.Add(("benchmarks-reconstruction-loss.png", path =>
        {
            var plot = new ScottPlot.Plot();
            double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
            plot.Add.Scatter(x, epochs.Select(e => e.TrainingLoss).ToArray()).LegendText = "training BCE per pixel";
            if (epochs.All(e => e.ValidationLoss != null))
            {
                plot.Add.Scatter(x, epochs.Select(e => e.ValidationLoss!.Value).ToArray()).LegendText = "validation BCE per pixel";
            }

            plot.Title("784-1000-500-250-30 autoencoder on MNIST");
            plot.XLabel("epoch");
            plot.ShowLegend();
            plot.SavePng(path, 800, 450);
        }));
    }

    public void Pretraining(PretrainingBenchmark.Result r)
    {
        Add($"few labels ({r.Labeled:N0}): accuracy, raw pixels", P(r.RawPixels), string.Empty, null);
        Add($"few labels ({r.Labeled:N0}): accuracy, PCA-32 codes", P(r.Pca), string.Empty, null);
        Add($"few labels ({r.Labeled:N0}): accuracy, AE-32 codes (masking {r.ChosenMasking:G2}, chosen by 5-fold CV on the labeled rows)", P(r.Autoencoder), "≥ 3 points above both",
            r.Autoencoder - r.RawPixels >= 0.03 && r.Autoencoder - r.Pca >= 0.03);
        Add("few labels: 5-fold CV accuracy on the labeled rows per masking level",
            string.Join(", ", r.Candidates.Select(c => $"{c.Masking:G2}: {P(c.CrossValidated)}")), string.Empty, null);
        plots.Add(("benchmarks-pretraining.png", path =>
        {
            var plot = new ScottPlot.Plot();
            double[] values = { r.RawPixels * 100, r.Pca * 100, r.Autoencoder * 100 };
            plot.Add.Bars(values);
            plot.Axes.Bottom.SetTicks(new double[] { 0, 1, 2 }, new[] { "raw pixels", "PCA-32", "autoencoder-32" });
            plot.Axes.SetLimitsY(Math.Floor(values.Min() / 5) * 5 - 5, 100);
            plot.Title($"Test accuracy with {r.Labeled:N0} labeled MNIST images");
            plot.YLabel("accuracy (%)");
            plot.SavePng(path, 700, 450);
        }));
    }

    /// <summary>Float32 and bfloat16 rows side by side, and the mean bfloat16 ÷ float32 samples/s of the alternating runs.</summary>
    public void Training(IReadOnlyList<TrainingThroughput.Result> runs)
    {
        foreach (var precision in new[] { TrainingPrecision.Float32, TrainingPrecision.BFloat16 })
        {
            var these = runs.Where(r => r.Precision == precision).ToArray();
            var t = these[0];
            string name = precision == TrainingPrecision.Float32 ? "float32" : "bfloat16 (Precision = BFloat16)";
            Add($"training {t.Architecture}, batch {t.BatchSize}, {name}",
                $"{string.Join(", ", these.Select(r => r.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} samples/s " +
                $"({string.Join(", ", these.Select(r => r.AchievedGflops.ToString("F1", CultureInfo.InvariantCulture)))} GFLOP/s)", string.Empty, null);
            // A peak read low (other tenants, or a kernel path not yet warm) inflates an efficiency: the target is judged
            // against the highest peak of the type read in this run.
            double highest = these.Max(r => r.PeakOfItsType);
            Add($"training efficiency, {name} (achieved ÷ peak matmul GFLOP/s of that type read before the pair; judged against the run's highest peak, {highest:F0})",
                $"{string.Join(", ", these.Select(r => $"{F(r.Efficiency)} (peak {r.PeakOfItsType:F0})"))}; against {highest:F0}: " +
                $"{string.Join(", ", these.Select(r => F(r.AchievedGflops / highest)))}; {t.Threads} torch threads, wait policy {t.WaitPolicy}" +
                (BusyCore.Running ? ", one core kept busy" : string.Empty),
                string.Empty, null);
            Add($"ceiling of that efficiency, {name}: the step's matrix multiplies timed alone (same shapes and type, best of 20) ÷ the same peak",
                string.Join(", ", these.Select(r => $"{F(r.Ceiling)} ({r.MatmulOnlyGflops:F0} GFLOP/s)")), string.Empty, null);
            double meanStep = these.Average(r => r.StepOverCeiling);
            Add($"step ÷ ceiling, {name}: the training step's GFLOP/s ÷ its own multiplies timed alone, right after it",
                $"{string.Join(", ", these.Select(r => F(r.StepOverCeiling)))} (mean {F(meanStep)})",
                precision == TrainingPrecision.Float32 ? "≥ 0.80" : string.Empty, precision == TrainingPrecision.Float32 ? meanStep >= 0.80 : null);
        }

        var pairs = runs.Chunk(2).Where(pair => pair.Length == 2).ToArray();
        var ratios = pairs.Select(pair => pair[1].SamplesPerSecond / pair[0].SamplesPerSecond).ToArray();
        Add("bfloat16 ÷ float32 samples/s (each pair run back to back)", $"{string.Join(", ", ratios.Select(F))} (mean {F(ratios.Average())})", "≥ 1.5", ratios.Average() >= 1.5);
        var allowed = pairs.Select(pair => pair[1].MatmulOnlyGflops / pair[0].MatmulOnlyGflops).ToArray();
        Add("what the multiplies allow: the step's bfloat16 multiplies ÷ its float32 ones, each timed alone",
            $"{string.Join(", ", allowed.Select(F))} (mean {F(allowed.Average())})", string.Empty, null);

        // Precision = Automatic decides from the CPU's flags, not from timings: this row checks the decision against the
        // timings of this run.
        var (automatic, reason) = Autoencoders.ML.Layers.MatmulPrecision.Resolve(TrainingPrecision.Automatic, TorchSharp.torch.CPU);
        bool pays = ratios.Average() > 1.0;
        Add("Precision = Automatic on this CPU: its choice, and whether bfloat16 paid in this run",
            $"{reason} In this run bfloat16 {(pays ? "paid" : "did not pay")}: {F(ratios.Average())}× float32's samples/s.",
            "bfloat16 where it pays", (automatic == TrainingPrecision.BFloat16) == pays);
    }

    /// <summary>Validation MSE of the same network trained in float32 and in bfloat16.</summary>
    public void PrecisionQuality(PrecisionQuality.Result r)
    {
        foreach (var run in r.Runs)
        {
            Add($"{r.Architecture}, {r.Epochs} epochs, {run.Precision}: validation MSE (on {r.Rows / 10:N0} of the first {r.Rows:N0} MNIST training images, trained on the rest)",
                $"{run.ValidationLoss:F5} ({run.Seconds:F0} s training)", string.Empty, null);
        }

        double fp32 = r.Runs.Single(x => x.Precision == TrainingPrecision.Float32).ValidationLoss;
        double bf16 = r.Runs.Single(x => x.Precision == TrainingPrecision.BFloat16).ValidationLoss;
        Add("bfloat16's validation MSE ÷ float32's after the same epochs", F(bf16 / fp32), "≤ 1.02", bf16 / fp32 <= 1.02);
    }

    public void Profile(TrainingProfile.Result p)
    {
        foreach (var (name, parts) in new[]
        {
            ("autograd, batches read in line", p.Before), ("autograd, batches prepared ahead", p.After),
            ("without autograd (the trainer's dense step), batches prepared ahead", p.WithoutAutograd),
        })
        {
            double total = parts.Sum(x => x.Milliseconds);
            Add($"step profile, {name} ({p.Threads} torch threads, peak {p.PeakGflops:F0} GFLOP/s)",
                $"{total:F2} ms/step: " + string.Join("; ", parts.Select(x => $"{x.Name} {x.Milliseconds:F2} ms ({x.Milliseconds / total:P0})")), string.Empty, null);
        }

        Add("step profile: per-call overhead (the same step at batch 1)", $"autograd {p.PerCallOverheadMs:F2} ms/step, without autograd {p.PerCallOverheadWithoutAutogradMs:F2} ms/step", string.Empty, null);

        // The target proposed in place of step ÷ multiplies: the optimizer's update is memory-bound work no multiply can
        // hide, so the ceiling is the step's multiplies plus its update, both timed in the same loop as the step.
        double Of(string part) => p.WithoutAutograd.Where(x => x.Name == part).Sum(x => x.Milliseconds);
        // The parts without the streamed read (measured beside the step, not in it) add up to the step: "rest" is forward
        // and backward less the multiplies timed alone.
        double step = p.WithoutAutograd.Sum(x => x.Milliseconds) - Of("batch, streamed from IDataView");
        double ceiling = Of("matrix multiplies of forward and backward") + Of("optimizer");
        Add("the trainer's dense step against its multiplies + its optimizer update, timed in the same loop (proposed target)",
            $"{F(ceiling / step)} ({ceiling:F2} of {step:F2} ms)", "≥ 0.80", ceiling / step >= 0.80);
    }

    public void FineTuningSteps(FineTuningStepThroughput.Result r) =>
        Add(
            $"fine-tuning step (784-512-128-32, 64 labeled + 128 unlabeled rows, {r.Steps} steps per fit)",
            $"classifier + pseudo-labels {r.ClassifierMs:F2} ms; Ladder {r.LadderMs:F2} ms; Ladder + pseudo-labels {r.LadderPseudoMs:F2} ms",
            string.Empty,
            null);

    public void DeepAutoencoder(DeepAutoencoderBenchmark.Result r, double minutes)
    {
        foreach (var c in r.Candidates)
        {
            Add($"deep AE candidate {c.Name}, {c.HeldOutEpochs} epochs on images 0–49,999: held-out (images 50,000–59,999) squared error per image", F(c.HeldOutError), string.Empty, null);
        }

        Add($"MNIST 784-1000-500-250-30 AE ({r.Chosen.Name}, chosen on held-out rows): test squared error per image", F(r.TestError), "≤ 2.46 (Martens 2010)", r.TestError <= 2.46);
        Add("the same AE on its training images", F(r.TrainingError), string.Empty, null);
        Add("deep AE training time", $"{r.TrainSeconds / 60:F1} min, {r.Epochs} epochs (budget {minutes:G} min)", "≤ 15 min", r.TrainSeconds <= 900);
    }

    public void Iwae(IwaeBenchmark.Result r, double minutes)
    {
        foreach (var c in r.Candidates)
        {
            Add($"VAE candidate k = {c.TrainingSamples} ({(c.TrainingSamples == 1 ? "ELBO" : "IWAE")}), {c.Epochs} epochs: held-out NLL (k = 500, 1,000 images)", $"{F(c.HeldOutNll)} nats", string.Empty, null);
        }

        string objective = r.Chosen.TrainingSamples == 1 ? "ELBO" : $"IWAE k = {r.Chosen.TrainingSamples}";
        Add($"VAE-32 ({objective}) test NLL, dynamically binarized MNIST, k = {r.Test.ImportanceSamples}, {r.Test.Rows:N0} test images",
            $"{F(r.Test.NegativeLogLikelihood)} nats (ELBO {F(r.Test.Elbo)}, KL {F(r.Test.Kl)})", "≤ 84.0 nats", r.Test.NegativeLogLikelihood <= 84.0);
        Add("VAE training time", $"{r.TrainSeconds / 60:F1} min, {r.Epochs} epochs (budget {minutes:G} min); evaluation {r.EvaluateSeconds / 60:F1} min", "≤ 15 min", r.TrainSeconds <= 900);
    }

    public void Scoring(ScoringThroughput.Result s)
    {
        Add("scoring: our transform", $"{s.Transform:N0} rows/s", string.Empty, null);
        Add($"scoring: ÷ raw batched ONNX Runtime (same batches, {(s.Threads is int t ? $"{t} intra-op threads as the transform" : "ONNX Runtime's default threads")})", $"{s.VersusRaw:F2} ({s.RawOnnxRuntime:N0} rows/s)", "≥ 0.95", s.VersusRaw >= 0.95);
        Add("scoring: raw ONNX Runtime with its own default threads (pinned workers)", $"{s.RawDefaultThreads:N0} rows/s", string.Empty, null);
        Add("scoring: the source view alone (reading its rows)", $"{s.Source:N0} rows/s; read then raw ONNX Runtime: {s.SourceThenRaw:N0} rows/s, transform ÷ that {s.Transform / s.SourceThenRaw:F2}", string.Empty, null);
        Add("scoring: ÷ stock ApplyOnnxModel", $"{s.VersusApplyOnnxModel:F1} ({s.ApplyOnnxModel:N0} rows/s)", "≥ 4", s.VersusApplyOnnxModel >= 4);
    }

    public void Reload(ReloadThroughput.Result r)
    {
        Add($"saved pipeline: fresh transform (Latent + Error, {r.Architecture})", $"{r.Fresh:N0} rows/s", string.Empty, null);
        Add($"saved pipeline: LoadAutoencoderPipeline ({r.ReloadedStage}, Error {r.ErrorType})", $"{r.Reloaded:N0} rows/s, {r.ReloadedVersusFresh:F2} of fresh", "≈ fresh", r.ReloadedVersusFresh >= 0.9);
        Add($"saved pipeline: stock Model.Load ({r.StockStage})", $"{r.Stock:N0} rows/s; reloaded ÷ stock {r.ReloadedVersusStock:F1}", "reloaded ≥ 4× stock", r.ReloadedVersusStock >= 4);
        Add("saved pipeline: model.zip size (graph + whole model)", $"{r.ZipBytes / 1048576.0:F1} MiB", string.Empty, null);
    }

    public void TaskReload(IReadOnlyList<TaskReloadThroughput.Result> tasks)
    {
        foreach (var t in tasks)
        {
            Add($"saved {t.Task} ({t.Columns}): LoadAutoencoderPipeline ({t.ReloadedStage}) vs fresh vs stock Model.Load ({t.StockStage})",
                $"{t.Reloaded:N0} vs {t.Fresh:N0} vs {t.Stock:N0} rows/s; reloaded ÷ stock {t.ReloadedVersusStock:F1}", "reloaded ≥ 4× stock", t.ReloadedVersusStock >= 4);
        }
    }

    public void Vae(VaeBenchmark.Result v)
    {
        Add($"VAE-32 test NLL, binarized MNIST (IWAE k = {v.ImportanceSamples})", $"{F(v.Nll)} nats (ELBO {F(v.Elbo)}, KL {F(v.Kl)})", "≤ 89 nats", v.Nll <= 89);
        Add("VAE training time", $"{v.TrainSeconds / 60:F1} min, {v.Epochs} epochs", string.Empty, null);
    }

    public void Memory(MemoryBenchmark.Result m)
    {
        Add($"peak RSS streaming {m.Small.Rows:N0} vs {m.Large.Rows:N0} rows (one epoch each)", $"{m.Small.PeakMiB:F0} vs {m.Large.PeakMiB:F0} MiB, ratio {m.Ratio:F2}", "ratio ≤ 1.05", m.Ratio <= 1.05);
        Add($"rows/s streaming {m.Large.Rows:N0} rows vs the {m.InMemory.Rows:N0} held in memory (the trainer's own rate; peak RSS in memory {m.InMemory.PeakMiB:F0} MiB)",
            $"{m.Large.RowsPerSecond:N0} vs {m.InMemory.RowsPerSecond:N0} rows/s, ratio {m.SpeedRatio:F2} (streaming {m.Small.Rows:N0} rows: {m.Small.RowsPerSecond:N0})", "ratio ≥ 0.9", m.SpeedRatio >= 0.9);
    }

    public string Table()
    {
        var text = new StringBuilder("| figure | measured | target | met |\n|---|---|---|---|\n");
        foreach (var (figure, measured, target, verdict) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {figure} | {measured} | {target} | {verdict} |\n");
        }

        return text.ToString();
    }

    public void Write(string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        foreach (var (file, draw) in plots)
        {
            draw(Path.Combine(folder, file));
        }

        var text = new StringBuilder();
        text.Append("# Benchmarks\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Measured on {DateTime.UtcNow:yyyy-MM-dd} on {Machine()}.\n\n");
        text.Append(quick
            ? "This is a **--quick** smoke run (smaller data and fewer epochs): its figures are not the headline ones.\n\n"
            : "Reproduce: `dotnet run --project examples/Benchmarks -c Release` (writes this file). Every figure comes from that one run.\n\n");
        text.Append(Table()).Append('\n');
        foreach (var (file, _) in plots)
        {
            text.Append(CultureInfo.InvariantCulture, $"![{file}]({file})\n\n");
        }

        text.Append("""
            ## What is measured

            - **Reconstruction**: 784-1000-500-250-30 with ELU hidden units, a linear 30-d code, sigmoid output and
              binary cross-entropy, Adam (lr 1e-3 annealed to 0 along a cosine, batch 128) on all 60,000 training
              images. Error = squared error per test image summed over the 784 pixels in [0, 1]. PCA-30 is exact
              (float64 eigendecomposition) and a linear AE-30 is trained with MSE, both in the same run. Hinton &
              Salakhutdinov used RBM pretraining; this is plain end-to-end training.
            - **Few labels**: denoising autoencoders (784-1000-500-250-32, ReLU, masking noise: each pixel zeroed with
              probability p, 30 epochs) and PCA-32 are fitted on all 60,000 training images without labels; a
              multiclass logistic regression (ML.NET L-BFGS maximum entropy, inputs standardised) learns from the first
              1,000 labeled training images; accuracy on the 10,000 test images. The masking level p is chosen by
              5-fold cross-validation on those 1,000 labeled rows, so no test label takes part in any choice.
            - **Training efficiency**: matrix-multiply FLOPs of forward, weight gradients and input gradients per sample ×
              samples/s of the real trainer, divided by the best 2048³ float32 matmul rate of torch in the same process.
            - **Scoring**: the encoder of 784-512-128-32 over all 70,000 MNIST rows: our transform (batch 512), raw
              `InferenceSession.Run` on batches of 512 from arrays, and ML.NET's `ApplyOnnxModel` (one row per call).
            - **VAE**: 784-512-256-32 with ELU units and a Bernoulli decoder, trained on dynamically binarized digits
              (each pixel drawn from Bernoulli(intensity) afresh every epoch), Adam 1e-3 annealed along a cosine, KL
              warm-up over the first 10%; the test set is binarized once with a fixed seed; NLL is the
              importance-weighted bound with k samples, in nats.
            - **Memory**: a child process per size streams the rows (`MaxInMemoryBytes = 0`) through one epoch and
              reports its peak resident set size (VmHWM).

            """);
        File.WriteAllText(path, text.ToString());
    }

    public void Add(string figure, string measured, string target, bool? met) =>
        rows.Add((figure, measured, target, met switch { true => "yes", false => "no", null => string.Empty }));

    private static string F(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string P(double value) => (value * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
