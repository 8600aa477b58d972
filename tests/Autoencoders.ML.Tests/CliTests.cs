using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>The command-line tool, run as a separate process the way a user runs it.</summary>
public sealed partial class CliTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"ae-cli-{Guid.NewGuid():N}");

    public CliTests()
    {
        Directory.CreateDirectory(folder);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TrainEvaluateEncodeExportAndInfoOnACsvFile()
    {
        string csv = WriteMnistCsv("digits.csv", 600);
        string model = Path.Combine(folder, "model");
        var train = Run("train", "--data", csv, "--label-column", "label", "--hidden", "64", "--latent", "8", "--epochs", "8", "--batch-size", "32",
            "--lr-schedule", "cosine", "--activation", "elu", "--image-shape", "1x28x28", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        foreach (string file in new[] { "model.zip", "encoder.onnx", "decoder.onnx", "autoencoder.onnx", "model.json", "loss.png", "reconstructions.png", "weights.bin", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(model, file)), $"{file} missing");
        }

        Assert.False(File.Exists(Path.Combine(model, "anomaly.onnx")), "train without --anomaly trained a detector"); // only with --anomaly

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json"))))
        {
            var history = json.RootElement.GetProperty("history");
            Assert.Equal(8, history.GetArrayLength());
            // --lr-schedule cosine: the rate falls every epoch, to near zero at the end.
            double firstRate = history[0].GetProperty("learningRate").GetDouble(), lastRate = history[7].GetProperty("learningRate").GetDouble();
            Assert.True(firstRate > lastRate && lastRate < 1e-4, $"learning rates {firstRate} → {lastRate}");
            Assert.Equal("ELU", json.RootElement.GetProperty("options").GetProperty("hiddenActivation").GetString());
            Assert.NotEqual(JsonValueKind.Null, json.RootElement.GetProperty("training").GetProperty("cosineAnnealing").ValueKind);
            Assert.Equal(600, json.RootElement.GetProperty("data").GetProperty("rows").GetInt32());
            Assert.True(json.RootElement.GetProperty("finalMetrics").GetProperty("trainingMse").GetDouble() > 0);
        }

        var evaluate = Run("evaluate", "--model", model, "--data", csv, "--label-column", "label");
        Assert.True(evaluate.Code == 0, evaluate.Error);
        using (var result = JsonDocument.Parse(evaluate.Output))
        {
            Assert.Equal(600, result.RootElement.GetProperty("rows").GetInt32());
            Assert.InRange(result.RootElement.GetProperty("mse").GetDouble(), 0.0, 0.08);
        }

        string codes = Path.Combine(folder, "codes.csv");
        Assert.Equal(0, Run("encode", "--model", model, "--data", csv, "--label-column", "label", "--out", codes).Code);
        var lines = File.ReadAllLines(codes);
        Assert.Equal("label,z0,z1,z2,z3,z4,z5,z6,z7", lines[0]);
        Assert.Equal(601, lines.Length);

        // --out naming the --data file is refused before anything is written: the input stays as it was.
        byte[] input = File.ReadAllBytes(csv);
        var overwrite = Run("encode", "--model", model, "--data", csv, "--label-column", "label", "--out", csv);
        Assert.Equal(2, overwrite.Code);
        Assert.Contains("--out names the input file", overwrite.Error);
        Assert.Equal(input, File.ReadAllBytes(csv));

        var reconstruct = Run("reconstruct", "--model", model, "--data", csv, "--label-column", "label");
        Assert.StartsWith("label,p0,p1,", reconstruct.Output);

        string onnx = Path.Combine(folder, "onnx");
        Assert.Equal(0, Run("export", "--model", model, "--out", onnx).Code);
        Assert.Equal(3, Directory.GetFiles(onnx, "*.onnx").Length);

        var info = Run("info", "--model", model);
        Assert.Contains("\"architecture\": \"784-64-8-64-784\"", info.Output);

        Assert.Contains("needs a variational autoencoder", Run("sample", "--model", model).Error);
        var denoise = Run("denoise", "--model", model, "--data", csv, "--label-column", "label");
        Assert.Equal(2, denoise.Code);
        Assert.Contains("not a denoising autoencoder", denoise.Error);
    }

    [Fact]
    public void TrainWritesCheckpointsAndResumesFromThem()
    {
        string csv = WriteMnistCsv("digits.csv", 200);
        string[] common = { "train", "--data", csv, "--label-column", "label", "--hidden", "32", "--epochs", "4", "--batch-size", "32", "--lr-schedule", "cosine" };
        string first = Path.Combine(folder, "first");
        var train = Run(common.Concat(new[] { "--latent", "4", "--checkpoint-every", "2", "--out", first }).ToArray());
        Assert.True(train.Code == 0, train.Error);
        string checkpoint = first + ".checkpoint.zip";
        Assert.True(File.Exists(checkpoint), "no checkpoint beside the output folder");

        // Resuming the finished run's last checkpoint gives the same weights, byte for byte.
        string again = Path.Combine(folder, "again");
        var resumed = Run(common.Concat(new[] { "--latent", "4", "--resume", checkpoint, "--out", again }).ToArray());
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "weights.bin")), File.ReadAllBytes(Path.Combine(again, "weights.bin")));

        // Another architecture: a usage error naming the file and the difference.
        var wrong = Run(common.Concat(new[] { "--latent", "8", "--resume", checkpoint, "--out", Path.Combine(folder, "wrong") }).ToArray());
        Assert.Equal(2, wrong.Code);
        Assert.Contains(checkpoint, wrong.Error);
        Assert.Contains("architecture", wrong.Error);

        // --precision reaches the run: a float32 checkpoint does not resume in bfloat16, and the error names both.
        var bf16 = Run(common.Concat(new[] { "--latent", "4", "--precision", "bf16", "--resume", checkpoint, "--out", Path.Combine(folder, "bf16") }).ToArray());
        Assert.Equal(2, bf16.Code);
        Assert.Contains("Precision: \"Float32\" in the checkpoint, \"BFloat16\" now", bf16.Error);

        // --precision auto trains in what this CPU multiplies natively, and model.json records the choice, never "Automatic".
        string auto = Path.Combine(folder, "auto");
        var automatic = Run(common.Concat(new[] { "--latent", "4", "--precision", "auto", "--out", auto }).ToArray());
        Assert.True(automatic.Code == 0, automatic.Error);
        using var recorded = JsonDocument.Parse(File.ReadAllText(Path.Combine(auto, "model.json")));
        bool native = CpuFeatures.MultipliesBFloat16Natively();
        string precision = recorded.RootElement.GetProperty("training").TryGetProperty("precision", out var value) ? value.GetString()! : "Float32"; // float32 is left out
        Assert.Equal(native ? "BFloat16" : "Float32", precision);

        // Resuming the float32 checkpoint with --precision auto: where auto means bfloat16 the refusal says why and what
        // to give instead; elsewhere auto means float32 and the run resumes.
        var resumedAuto = Run(common.Concat(new[] { "--latent", "4", "--precision", "auto", "--resume", checkpoint, "--out", Path.Combine(folder, "auto-resumed") }).ToArray());
        if (native)
        {
            Assert.Equal(2, resumedAuto.Code);
            Assert.Contains("\"BFloat16\" now (Precision Automatic: BFloat16, as the CPU multiplies bfloat16 natively", resumedAuto.Error);
            Assert.Contains("Give the checkpoint's precision explicitly to resume it", resumedAuto.Error);
        }
        else
        {
            Assert.True(resumedAuto.Code == 0, resumedAuto.Error);
        }
    }

    [Fact]
    public void EveryCommandTakesTheMLNetModelZipAlone()
    {
        string csv = WriteMnistCsv("digits.csv", 300);
        string model = Path.Combine(folder, "model");
        var train = Run("train", "--data", csv, "--label-column", "label", "--hidden", "32", "--latent", "4", "--epochs", "2", "--out", model);
        Assert.True(train.Code == 0, train.Error);

        // Only the ML.NET zip: the other files are gone.
        string alone = Path.Combine(folder, "alone");
        Directory.CreateDirectory(alone);
        string zip = Path.Combine(alone, "model.zip");
        File.Copy(Path.Combine(model, "model.zip"), zip);
        var encode = Run("encode", "--model", zip, "--data", csv, "--label-column", "label");
        Assert.True(encode.Code == 0, encode.Error);
        var codes = encode.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();

        // The same codes as encoder.onnx gives (TorchSharp against ONNX Runtime: the parity tolerance).
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(model, "encoder.onnx"));
        var onnx = OnnxCheck.Run(session, "features", Mnist.Train(300))["latent"];
        Assert.True(OnnxCheck.MaxAbsDifference(codes, onnx) <= OnnxCheck.Tolerance);

        // The rest of the commands read it through the same path; the folder holding only model.zip works too.
        foreach (var args in new[] { new[] { "info", "--model", zip }, new[] { "info", "--model", alone }, new[] { "evaluate", "--model", zip, "--data", csv, "--label-column", "label" },
                     new[] { "reconstruct", "--model", alone, "--data", csv, "--label-column", "label" }, new[] { "export", "--model", zip, "--out", Path.Combine(folder, "onnx") } })
        {
            var result = Run(args);
            Assert.True(result.Code == 0, $"{string.Join(' ', args)}: {result.Error}");
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(model, "encoder.onnx")), File.ReadAllBytes(Path.Combine(folder, "onnx", "encoder.onnx")));
    }

    [Fact]
    public void DenoisingKindTrainsAndDenoises()
    {
        string csv = WriteMnistCsv("digits.csv", 300);
        string model = Path.Combine(folder, "dae");
        var train = Run("train", "--data", csv, "--label-column", "label", "--kind", "dae", "--noise", "gaussian:0.3", "--noise", "mask:0.1",
            "--clip", "0,1", "--hidden", "32", "--latent", "8", "--epochs", "1", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("\"kind\": \"denoising\"", Run("info", "--model", model).Output);
        Assert.Equal(0, Run("denoise", "--model", model, "--data", csv, "--label-column", "label", "--out", Path.Combine(folder, "clean.csv")).Code);
    }

    [Fact]
    public void MixtureKindClustersEveryRowInOrderAndSamplesPerComponent()
    {
        string csv = WriteMnistCsv("digits.csv", 300);
        string model = Path.Combine(folder, "gmvae");
        var train = Run("train", "--data", csv, "--label-column", "label", "--kind", "gmvae", "--clusters", "3", "--loss", "bce", "--hidden", "64",
            "--latent", "4", "--pretrain-epochs", "10", "--epochs", "2", "--batch-size", "32", "--image-shape", "1x28x28",
            "--max-shift", "2", "--max-rotation", "10", "--max-scale", "0.1", "--max-shear", "10", "--consistency", "20", "--consistency-balance", "1.5", "--restarts", "2", "--runs", "2", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("recipe: Image (chosen automatically", train.Output);
        Assert.Contains("\"learningRate\": 0.002", File.ReadAllText(Path.Combine(model, "model.json"))); // not given: the image recipe's
        Assert.True(File.Exists(Path.Combine(model, "samples.png")));
        string saved = File.ReadAllText(Path.Combine(model, "model.json"));
        Assert.Contains("\"consistencyWeight\": 20", saved);
        Assert.Contains("\"initialRestarts\": 2", saved);
        Assert.Contains("\"consistencyBalance\": 1.5", saved);
        Assert.Contains("\"maxShift\": 2", saved);
        Assert.Contains("\"maxScale\": 0.1", saved);
        Assert.Contains("\"maxShear\": 10", saved);
        Assert.Contains("\"runs\": 2", saved);
        using (var json = JsonDocument.Parse(saved))
        {
            var losses = json.RootElement.GetProperty("runLosses").EnumerateArray().Select(l => l.GetDouble()).ToArray();
            Assert.Equal(2, losses.Length);
            int chosen = json.RootElement.GetProperty("chosenRun").GetInt32();
            Assert.Equal(Array.IndexOf(losses, losses.Min()) + 1, chosen);
        }


        string clusters = Path.Combine(folder, "clusters.csv");
        var cluster = Run("cluster", "--model", model, "--data", csv, "--label-column", "label", "--out", clusters);
        Assert.True(cluster.Code == 0, cluster.Error);
        var lines = File.ReadAllLines(clusters);
        Assert.Equal("cluster,p0,p1,p2,label", lines[0]); // 'cluster' first (the issue's contract), the label kept aside last
        Assert.Equal(301, lines.Length);
        var labels = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[0]).ToArray();
        foreach (var (line, label) in lines.Skip(1).Zip(labels))
        {
            var cells = line.Split(',');
            var p = cells.Skip(1).Take(3).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(Array.IndexOf(p, p.Max()), int.Parse(cells[0], CultureInfo.InvariantCulture));
            Assert.Equal(label, cells[4]); // input order, label kept aside
        }

        string samples = Path.Combine(folder, "samples.csv");
        Assert.Equal(0, Run("sample", "--model", model, "--cluster", "1", "--count", "5", "--out", samples).Code);
        Assert.Equal(6, File.ReadAllLines(samples).Length);
        Assert.Equal(2, Run("sample", "--model", model, "--cluster", "3").Code);
        Assert.Equal(2, Run("train", "--kind", "vae", "--clusters", "3").Code);
        Assert.Contains("add --kind gmvae", Run("train", "--kind", "vae", "--consistency", "5").Error);
        var noRuns = Run("train", "--data", csv, "--label-column", "label", "--runs", "0", "--epochs", "1", "--out", Path.Combine(folder, "r0"));
        Assert.Equal(2, noRuns.Code);
        Assert.StartsWith("--runs", noRuns.Error.Replace("error: ", string.Empty).Trim());
        var balanceAlone = Run("train", "--kind", "gmvae", "--consistency-balance", "2");
        Assert.Equal(2, balanceAlone.Code);
        Assert.Contains("--consistency L", balanceAlone.Error);
        Assert.Contains("must be ≥ 1", Run("train", "--data", csv, "--kind", "gmvae", "--consistency", "5", "--consistency-balance", "0.5").Error);
        var needsMoves = Run("train", "--data", csv, "--label-column", "label", "--kind", "gmvae", "--consistency", "5", "--epochs", "1", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, needsMoves.Code);
        Assert.StartsWith("--consistency", needsMoves.Error.Replace("error: ", string.Empty).Trim());
    }

    [Fact]
    public void VariationalKindEvaluatesLikelihoodAndSamples()
    {
        string csv = WriteMnistCsv("digits.csv", 400);
        string model = Path.Combine(folder, "vae");
        var train = Run("train", "--data", csv, "--label-column", "label", "--kind", "vae", "--loss", "bce", "--beta", "1", "--hidden", "64",
            "--latent", "4", "--epochs", "2", "--batch-size", "32", "--image-shape", "1x28x28", "--out", model);
        Assert.True(train.Code == 0, train.Error);
        Assert.True(File.Exists(Path.Combine(model, "samples.png")));

        var evaluate = Run("evaluate", "--model", model, "--data", csv, "--label-column", "label", "--importance-samples", "5");
        Assert.True(evaluate.Code == 0, evaluate.Error);
        using (var result = JsonDocument.Parse(evaluate.Output))
        {
            double elbo = result.RootElement.GetProperty("elbo").GetDouble();
            double nll = result.RootElement.GetProperty("nll").GetDouble();
            Assert.True(elbo < 0 && nll > 0 && nll <= -elbo + 1e-6, $"elbo {elbo}, nll {nll}");
        }

        string samples = Path.Combine(folder, "samples.csv");
        Assert.Equal(0, Run("sample", "--model", model, "--count", "5", "--seed", "3", "--out", samples).Code);
        Assert.Equal(6, File.ReadAllLines(samples).Length);
        Assert.True(File.Exists(Path.Combine(folder, "samples.png")));
        Assert.Equal(File.ReadAllLines(samples), Run("sample", "--model", model, "--count", "5", "--seed", "3").Output.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries)); // seeded: same draws

        Assert.Equal(2, Run("sample", "--model", model, "--count", "0").Code);
        Assert.Equal(2, Run("train", "--kind", "vae", "--beta", "-1").Code);
        Assert.Contains("--importance-samples", Run("train", "--kind", "vae", "--importance-samples", "0").Error);
        Assert.Contains("--kind vae", Run("train", "--importance-samples", "5").Error);
    }

    [Fact]
    public void ConvolutionalArchitectureAndScalingFromTheCommandLine()
    {
        string csv = WriteMnistCsv("digits.csv", 300);
        string conv = Path.Combine(folder, "conv");
        var train = Run("train", "--data", csv, "--label-column", "label", "--architecture", "conv", "--filters", "4,8", "--latent", "8",
            "--image-shape", "1x28x28", "--epochs", "1", "--batch-size", "32", "--out", conv);
        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("\"kind\": \"convolutional\"", Run("info", "--model", conv).Output);
        Assert.Contains("needs the image shape", Run("train", "--data", csv, "--label-column", "label", "--architecture", "conv").Error);

        string scaled = Path.Combine(folder, "scaled");
        var standard = Run("train", "--data", csv, "--label-column", "label", "--scale", "standard", "--hidden", "32", "--latent", "4",
            "--epochs", "1", "--out", scaled);
        Assert.True(standard.Code == 0, standard.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(scaled, "model.json")));
        Assert.Equal("Standard", json.RootElement.GetProperty("scaling").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("missing", "missing.csv: file not found")]
    [InlineData("nan", "nan.csv: row 3, column 'b': 'NaN' is not a finite number")]
    [InlineData("text", "text.csv: row 4, column 'c': 'abc' is not a finite number")]
    [InlineData("ragged", "ragged.csv: row 3 has 2 cells but the header has 3")]
    [InlineData("empty", "empty.csv: the file is empty")]
    [InlineData("comma", "comma.csv: row 2, column 'b': '1,5' is not a finite number, but the column's cells look like numbers. Numbers must use a decimal point")]
    [InlineData("twice", "twice.csv: the header names 'a' twice (columns 1 and 3)")]
    public void BadDataExitsWithCodeTwoAndOneLineNamingFileRowAndColumn(string name, string expected)
    {
        string content = name switch
        {
            "nan" => "a,b,c\n1,2,3\n4,NaN,6\n",
            "text" => "a,b,c\n1,2,3\n4,5,6\n7,8,abc\n",
            "ragged" => "a,b,c\n1,2,3\n4,5\n",
            "empty" => string.Empty,
            "comma" => "id;b;c\n1;1,5;2,25\n2;3,5;4,75\n3;0,5;1,0\n",
            "twice" => "a,b,a\n1,2,3\n4,5,6\n",
            _ => null!,
        };
        string path = Path.Combine(folder, $"{name}.csv");
        if (content != null)
        {
            File.WriteAllText(path, content);
        }

        var result = Run("train", "--data", path, "--hidden", "", "--latent", "1", "--epochs", "1", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void BadUsageExitsWithCodeTwo()
    {
        var unknown = Run("train", "--kind", "gan");
        Assert.Equal(2, unknown.Code);
        Assert.Single(unknown.Error.Trim().Split('\n'));
        Assert.Equal(2, Run("train", "--kind", "dae", "--epochs", "1").Code);
        Assert.Contains("needs at least one --noise", Run("train", "--kind", "dae").Error);
        Assert.Contains("model folder or model.zip not found", Run("evaluate", "--model", Path.Combine(folder, "none"), "--data", "x.csv").Error);
        var noise = Run("train", "--kind", "dae", "--noise", "gaussian:-1");
        Assert.Equal(2, noise.Code);
        Assert.Contains("σ must be ≥ 0", noise.Error);
        var precision = Run("train", "--precision", "fp16");
        Assert.Equal(2, precision.Code);
        Assert.Contains("fp16", precision.Error);

        // Every parse error in one run, one line each.
        var several = Run("train", "--kind", "gan", "--loss", "l1", "--batch-size", "many");
        Assert.Equal(2, several.Code);
        Assert.Equal(3, several.Error.Trim().Split('\n').Length);
        Assert.Contains("gan", several.Error);
        Assert.Contains("l1", several.Error);
        Assert.Contains("many", several.Error);
    }

    [Fact]
    public void AugmentationFlagsNeedAnImageShapeAndAValidShift()
    {
        string path = Path.Combine(folder, "square.csv");
        File.WriteAllText(path, "a,b,c,d\n0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n0.2,0.1,0.4,0.3\n");
        var noShape = Run("train", "--data", path, "--latent", "1", "--epochs", "1", "--max-shift", "1", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, noShape.Code);
        Assert.Contains("--image-shape", noShape.Error);
        var tooFar = Run("train", "--data", path, "--latent", "1", "--epochs", "1", "--image-shape", "1x2x2", "--max-shift", "2", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, tooFar.Code);
        Assert.StartsWith("--max-shift", tooFar.Error.Replace("error: ", string.Empty).Trim());
        var tooLarge = Run("train", "--data", path, "--latent", "1", "--epochs", "1", "--image-shape", "1x2x2", "--max-scale", "0.7", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, tooLarge.Code);
        Assert.StartsWith("--max-scale", tooLarge.Error.Replace("error: ", string.Empty).Trim());
        Assert.False(Directory.Exists(Path.Combine(folder, "m")));
    }

    [Theory]
    [InlineData("a,b,c,name\n1,,3,x\n4,5,6,y\n7,8,9,z\n", "mixed.csv: row 2, column 'b': '' is not a finite number")]
    [InlineData("a,b,c\nabc,1,2\n4,5,6\n7,8,9\n", "mixed.csv: row 2, column 'a': 'abc' is not a finite number")]
    [InlineData("a,b,c\n0.5,0.2,0.1\n0.3,1.5,0.2\n0.1,0.2,0.3\n", "mixed.csv: row 3, column 'b': value 1.5 is outside [0, 1] required by --loss bce")]
    public void ACellThatIsNotANumberInANumericColumnIsNamedNeverDropped(string content, string expected)
    {
        string path = Path.Combine(folder, "mixed.csv");
        File.WriteAllText(path, content);
        var result = Run("train", "--data", path, "--hidden", "", "--latent", "1", "--epochs", "1", "--loss", "bce", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(folder, "m")));
    }

    [Fact]
    public void ATextColumnIsLeftOutAndTheOutputFolderIsReplacedWhole()
    {
        string path = Path.Combine(folder, "named.csv");
        File.WriteAllText(path, "name,a,b,c,d\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"n{i},{i % 3},{i % 5},{i % 7},{(i % 2) + 0.5}")) + "\n");
        string model = Path.Combine(folder, "named-model");
        var first = Run("train", "--data", path, "--hidden", "", "--latent", "2", "--epochs", "1", "--out", model);
        Assert.True(first.Code == 0, first.Error);
        Assert.Contains("× 4 features", first.Error);
        Assert.True(File.Exists(Path.Combine(model, "manifest.json")));

        // Training again over the same folder replaces it as a whole and leaves no staging folder beside it.
        File.WriteAllText(Path.Combine(model, "stale.txt"), "from before");
        var second = Run("train", "--data", path, "--features", "a,b,c", "--hidden", "", "--latent", "2", "--epochs", "1", "--out", model);
        Assert.True(second.Code == 0, second.Error);
        Assert.False(File.Exists(Path.Combine(model, "stale.txt")));
        Assert.Contains("× 3 features", second.Error);
        Assert.Empty(Directory.GetDirectories(folder, ".*"));
        Assert.Equal(0, Run("info", "--model", model).Code);
    }

    [Fact]
    public void OutIsCheckedBeforeTrainingAndFlagsNameTheProblem()
    {
        string csv = Path.Combine(folder, "small.csv");
        File.WriteAllText(csv, "a,b,c\n1,2,3\n4,5,6\n7,8,9\n");
        string file = Path.Combine(folder, "taken");
        File.WriteAllText(file, "x");
        var onFile = Run("train", "--data", csv, "--hidden", "", "--latent", "1", "--out", file);
        Assert.Equal(2, onFile.Code);
        Assert.Contains("--out", onFile.Error);
        Assert.Contains("a file of that name exists", onFile.Error);
        Assert.DoesNotContain("training on", onFile.Error);

        string documents = Path.Combine(folder, "documents");
        Directory.CreateDirectory(documents);
        File.WriteAllText(Path.Combine(documents, "notes.txt"), "mine");
        var onFolder = Run("train", "--data", csv, "--hidden", "", "--latent", "1", "--out", documents);
        Assert.Equal(2, onFolder.Code);
        Assert.Contains("not a model folder", onFolder.Error);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(documents, "notes.txt")));

        var underFile = Run("train", "--data", csv, "--hidden", "", "--latent", "1", "--out", Path.Combine(file, "model"));
        Assert.Equal(2, underFile.Code);
        Assert.Contains("is a file, not a directory", underFile.Error);

        var fraction = Run("train", "--data", csv, "--hidden", "", "--latent", "1", "--validation-fraction", "1.5", "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, fraction.Code);
        Assert.Contains("--validation-fraction", fraction.Error);
        Assert.DoesNotContain("(Parameter", fraction.Error);

        string idx = Path.Combine(folder, "huge-idx3-ubyte");
        File.WriteAllBytes(idx, new byte[] { 0, 0, 8, 3, 0x7F, 0, 0, 0, 0x7F, 0, 0, 0, 0x7F, 0, 0, 0 });
        var huge = Run("train", "--data", idx, "--out", Path.Combine(folder, "m"));
        Assert.Equal(2, huge.Code);
        Assert.Contains("more than one array can hold", huge.Error);
    }

    private string WriteMnistCsv(string name, int rows)
    {
        var images = Mnist.Train(rows);
        var builder = new StringBuilder("label," + string.Join(',', Enumerable.Range(0, 784).Select(i => $"p{i}")) + "\n");
        for (int r = 0; r < rows; r++)
        {
            builder.Append(r % 10).Append(',').AppendJoin(',', images[r].Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        string path = Path.Combine(folder, name);
        File.WriteAllText(path, builder.ToString());
        return path;
    }

    private (int Code, string Output, string Error) Run(params string[] args) => CliProcess.Run(folder, args);
}
