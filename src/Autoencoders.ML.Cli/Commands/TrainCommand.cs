using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autoencoders.ML.Examples;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.IO;
using Autoencoders.ML.Training;
using Autoencoders.ML.Transforms;
using Microsoft.ML;

namespace Autoencoders.ML.Cli.Commands;

/// <summary><c>autoencoders train</c>: trains a model and writes everything needed to use and deploy it.</summary>
internal static class TrainCommand
{
    private const string DefaultKind = "ae";
    private static readonly string[] Kinds = { "ae", "dae", "vae", "gmvae" };

    // The library's default (on the bundled MNIST in the default budget: test MSE per pixel 0.0081 with 512,128, 0.0099 with 256).
    private static readonly string DenseHidden = string.Join(',', AutoencoderOptions.Defaults.HiddenSizes);

    public static Command Create()
    {
        var data = CommonOptions.Data(required: false);
        var label = CommonOptions.LabelColumn();
        var features = CommonOptions.Features();
        var kind = CommonOptions.WithDefault<string>(
            "--kind", DefaultKind, "ae (plain), dae (denoising, needs --noise), vae (variational) or gmvae (Gaussian-mixture VAE, clusters the rows; see --clusters).");
        kind.AcceptOnlyFromAmong(Kinds);
        var clusters = CommonOptions.WithDefault<int>(
            "--clusters", 10, "K, the mixture components of --kind gmvae. On rows of pixels (a square number of at least 64 values in [0, 1]: IDX images, 8×8 digits) " +
                "every setting not given takes the image recipe (784-500-500-2000-10, images of side 12 and up moved with the consistency term, best of 3 runs; docs/mixture-defaults.md).");
        var restarts = CommonOptions.WithDefault<int>(
            "--restarts", 1, "--kind gmvae: k-means + EM initialisations tried on the pretrained codes; the most likely is kept.");
        var consistency = CommonOptions.WithDefault<double>(
            "--consistency", 0, "--kind gmvae: weight of the mutual information between the clusters of two random moves of each image (needs --max-shift or --max-rotation; 0 = off).");
        var balance = CommonOptions.WithDefault<double>(
            "--consistency-balance", 1, "--kind gmvae with --consistency: weight b ≥ 1 of the clusters' equal use inside the consistency term, I + (b − 1)·(H(y) + H(y′)) (IIC's λ_entropy; 1 = the plain mutual information).");
        var pretrainEpochs = new Option<int?>("--pretrain-epochs")
        {
            Description = "--kind gmvae: epochs of plain-autoencoder pretraining before the k-means that starts the mixture (default 10 for a table; the image recipe's 20, at least 1,000 steps).",
        };
        var architecture = CommonOptions.WithDefault<string>("--architecture", "dense", "dense or conv.");
        architecture.AcceptOnlyFromAmong("dense", "conv");
        var hidden = new Option<string?>("--hidden")
        {
            Description = $"Encoder hidden layer widths, e.g. 512,128 (the decoder mirrors them); empty for none. Default {DenseHidden} for dense (the library's default), " +
                "none for conv (dense layers between the feature maps and the code).",
        };
        var filters = CommonOptions.WithDefault<string>("--filters", "32,64", "Conv: filters of each stride-2 block, e.g. 32,64.");
        var batchNorm = new Option<bool>("--batch-norm") { Description = "Conv: batch normalisation in every block." };
        var activation = CommonOptions.WithDefault<string>(
            "--activation", AutoencoderOptions.Defaults.HiddenActivation.ToString().ToLowerInvariant(), "Hidden-layer activation: relu, leakyrelu, elu, gelu, tanh or sigmoid.");
        activation.AcceptOnlyFromAmong("relu", "leakyrelu", "elu", "gelu", "tanh", "sigmoid");
        var latent = new Option<int?>("--latent") { Description = $"Latent code size. Default {AutoencoderOptions.Defaults.LatentSize}, or half the features (at least 1) for rows of {AutoencoderOptions.Defaults.LatentSize} features or fewer." };
        var imageShape = new Option<string?>("--image-shape") { Description = "CxHxW of image rows, e.g. 1x28x28 (IDX images know theirs)." };
        var loss = CommonOptions.WithDefault<string>(
            "--loss", AutoencoderOptions.Defaults.Loss == ReconstructionLoss.BinaryCrossEntropy ? "bce" : "mse", "mse or bce (bce needs values in [0, 1]).");
        loss.AcceptOnlyFromAmong("mse", "bce");
        var noise = new Option<string[]>("--noise") { Description = "Corruption for --kind dae, repeatable: gaussian:SIGMA, mask:P, saltpepper:P." };
        var clip = new Option<string?>("--clip") { Description = "--kind dae: clip corrupted values to MIN,MAX, e.g. 0,1." };
        var beta = CommonOptions.WithDefault<double>("--beta", 1.0, "Weight of the KL term of --kind vae and gmvae.");
        var importanceSamples = CommonOptions.WithDefault<int>(
            "--importance-samples", 1, "Samples k of the training objective for --kind vae: 1 = ELBO, k > 1 = importance-weighted bound (IWAE).");
        var epochs = new Option<int?>("--epochs")
        {
            Description = $"Training epochs. Default: automatic, until the validation loss has not improved for {TrainingOptions.Defaults.AutomaticPatience} epochs " +
                $"(best epoch kept; at most {TrainingOptions.Defaults.MaxEpochs} epochs or --max-steps steps).",
        };
        var batch = CommonOptions.WithDefault<int>("--batch-size", TrainingOptions.Defaults.BatchSize, "Rows per step.");
        var lr = CommonOptions.WithDefault<double>("--lr", TrainingOptions.Defaults.LearningRate, "Learning rate (Adam).");
        var schedule = CommonOptions.WithDefault<string>(
            "--lr-schedule", "constant", "Learning-rate schedule: constant, cosine (annealed to 0 over all epochs) or plateau (halved after 2 epochs without improvement).");
        schedule.AcceptOnlyFromAmong("constant", "cosine", "plateau");
        var seed = CommonOptions.WithDefault<int>(
            "--seed", TrainingOptions.Defaults.Seed, "Seed for weights, shuffling, noise and the validation split.");
        var runs = CommonOptions.WithDefault<int>(
            "--runs", 1, "Train R times from seeds SEED, SEED+10000, … and keep the run with the lowest final loss (validation loss with validation rows, " +
                "else training loss); every run's loss goes to model.json (runLosses, chosenRun). Costs R trainings; not with --checkpoint-every or --resume.");
        var validation = CommonOptions.WithDefault<double>("--validation-fraction", 0.1, "Rows held out for validation.");
        var patience = new Option<int?>("--patience") { Description = "Early stopping: epochs without validation improvement (restores the best epoch)." };
        var threads = new Option<int?>("--threads") { Description = "Threads torch may use." };
        var scale = CommonOptions.WithDefault<string>("--scale", "none", "Input scaling fitted on the training data: none, minmax or standard.");
        scale.AcceptOnlyFromAmong("none", "minmax", "standard");
        var output = CommonOptions.WithDefault<string>("--out", "autoencoder-model", "Output folder.");
        var device = CommonOptions.WithDefault<string>(
            "--device", "auto", "cpu, cuda or auto (a CUDA GPU when there is one, else the CPU). cuda without a GPU or a CUDA libtorch is an error saying what to add.");
        device.AcceptOnlyFromAmong("cpu", "cuda", "auto");
        var checkpointEvery = new Option<int?>("--checkpoint-every")
        {
            Description = "Write a checkpoint every N epochs (weights, optimizer, schedule, random state, history) to --checkpoint; resume it with --resume.",
        };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file for --checkpoint-every (default: OUT.checkpoint.zip beside the output folder)." };
        var precision = CommonOptions.WithDefault<string>(
            "--precision", "fp32", "Number type of the dense layers' matrix multiplies while training: fp32, bf16 (mixed precision: bfloat16 products, " +
                "float32 weights, optimizer and loss; faster on CPUs with AVX-512 BF16 or AMX), or auto (bf16 where the CPU multiplies it natively, " +
                "else fp32; model.json records the choice). The saved model and its ONNX files are float32 either way.");
        precision.AcceptOnlyFromAmong("fp32", "bf16", "auto");
        var maxShift = CommonOptions.WithDefault<int>(
            "--max-shift", 0, "Augmentation for image rows: move every training image by up to this many pixels (it is both input and target; 0 = off).");
        var maxRotation = CommonOptions.WithDefault<double>(
            "--max-rotation", 0, "Augmentation for image rows: turn every training image by up to this many degrees (0 = off).");
        var maxScale = CommonOptions.WithDefault<double>(
            "--max-scale", 0, "Augmentation for image rows: resize every training image by a random factor in [1 − F, 1 + F] (0 = off).");
        var maxShear = CommonOptions.WithDefault<double>(
            "--max-shear", 0, "Augmentation for image rows: slant every training image by up to this many degrees (0 = off).");
        var maxSteps = CommonOptions.WithDefault<int>(
            "--max-steps", TrainingOptions.Defaults.MaxSteps, "Cap of the automatic budget (no --epochs) in optimizer steps, rounded up to whole epochs; raise it to train longer for a lower error.");
        var anomaly = new Option<bool>("--anomaly")
        {
            Description = "Also train the anomaly detector on the same rows (without the label) and write anomaly.onnx into the folder, for 'score'.",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Resume the interrupted run from this checkpoint, with the same data and options: the result equals the uninterrupted run's.",
        };

        var command = new Command("train", "Train an autoencoder and write model.zip, encoder/decoder/autoencoder.onnx, model.json, report.html, loss.png and (for images) reconstructions.png; with --anomaly also anomaly.onnx.")
        {
            data, label, features, kind, clusters, pretrainEpochs, consistency, balance, restarts, architecture, hidden, activation, filters, batchNorm, latent, imageShape, loss, noise, clip, beta, importanceSamples, epochs, batch, lr, schedule, seed,
            runs, validation, patience, threads, scale, output, device, checkpointEvery, checkpoint, resume, precision, maxShift, maxRotation, maxScale, maxShear,
            maxSteps, anomaly,
        };
        HelpGroups.Put(HelpGroups.Data, data, label, features, imageShape, scale, validation, maxShift, maxRotation, maxScale, maxShear);
        HelpGroups.Put(HelpGroups.Model, kind, architecture, hidden, activation, latent, loss);
        HelpGroups.Put(HelpGroups.Kinds, noise, clip, beta, importanceSamples, clusters, pretrainEpochs, restarts, consistency, balance, filters, batchNorm);
        HelpGroups.Put(HelpGroups.Training, epochs, maxSteps, batch, lr, schedule, seed, runs, patience, threads, device, precision, checkpointEvery, checkpoint, resume);
        HelpGroups.Put(HelpGroups.Output, output, anomaly);

        // Options that belong to one kind or architecture: checked at parse time, with the other parse errors (an option
        // validator on --kind, which always has a result; a command validator would hide the options' own errors).
        kind.Validators.Add(kindResult =>
        {
            var result = (System.CommandLine.Parsing.CommandResult)kindResult.Parent!;

            // The tokens as given (defaults are not applied yet, and a malformed value is reported by its own option).
            string? Given(Option option) => result.GetResult(option) is { Implicit: false } r ? r.Tokens.FirstOrDefault()?.Value ?? string.Empty : null;
            bool Differs(Option option, double neutral) =>
                Given(option) is string text && !(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v == neutral);
            string kindValue = Given(kind) ?? DefaultKind;
            if (!Kinds.Contains(kindValue))
            {
                return; // --kind's own check names the kinds; an error here would take its place
            }

            bool withConsistency = Differs(consistency, 0);
            // Every broken rule is reported, in this order.
            var rules = new (bool Broken, string Message)[]
            {
                (kindValue == "dae" && string.IsNullOrEmpty(Given(noise)), "--kind dae needs at least one --noise, e.g. --noise gaussian:0.5 --clip 0,1."),
                (kindValue != "dae" && Given(noise) != null, "--noise corrupts the input of a denoising autoencoder: add --kind dae."),
                (kindValue != "dae" && Given(clip) != null, "--clip bounds the corrupted input of a denoising autoencoder: add --kind dae and --noise."),
                (kindValue is not ("vae" or "gmvae") && Given(beta) != null, "--beta weighs the KL term of a variational autoencoder: add --kind vae or --kind gmvae."),
                (kindValue != "vae" && Differs(importanceSamples, 1), "--importance-samples is the training objective of a variational autoencoder: add --kind vae."),
                (kindValue != "gmvae" && Differs(restarts, 1), "--restarts is the Gaussian-mixture VAE's initialisation: add --kind gmvae."),
                (kindValue != "gmvae" && withConsistency, "--consistency is a term of the Gaussian-mixture VAE's loss: add --kind gmvae."),
                (Differs(balance, 1) && (kindValue != "gmvae" || !withConsistency), "--consistency-balance weighs part of the consistency term: add --kind gmvae and --consistency L (> 0)."),
                (kindValue != "gmvae" && Given(pretrainEpochs) != null, "--pretrain-epochs is the Gaussian-mixture VAE's pretraining: add --kind gmvae."),
                (kindValue != "gmvae" && Given(clusters) != null, "--clusters is the number of mixture components of a Gaussian-mixture VAE: add --kind gmvae."),
                (Given(architecture) != "conv" && (Given(filters) != null || result.GetResult(batchNorm) is { Implicit: false }),
                    "--filters and --batch-norm shape the convolutional blocks: add --architecture conv."),
            };
            foreach (var (broken, message) in rules.Where(rule => rule.Broken))
            {
                kindResult.AddError(message);
            }
        });
        command.SetAction(parse => CliRunner.Run(() =>
        {
            string kindValue = parse.GetValue(kind)!;
            OutputFolder.Check(parse.GetValue(output)!); // before the data is read and the model trained

            var corruption = NoiseSpec.Parse(parse.GetValue(noise), ParseClip(parse.GetValue(clip)).Min, ParseClip(parse.GetValue(clip)).Max);
            var dataset = DatasetLoader.Load(parse.GetValue(data), parse.GetValue(label), CommonOptions.SplitList(parse.GetValue(features)));
            if (parse.GetValue(imageShape) is string shape)
            {
                dataset.ImageShape = ParseShape(shape, dataset.Width);
            }

            AutoencoderOptions modelOptions = kindValue switch
            {
                "vae" => new VariationalAutoencoderOptions { Beta = CheckBeta(parse.GetValue(beta)), ImportanceSamples = parse.GetValue(importanceSamples) },
                "gmvae" => new MixtureAutoencoderOptions
                {
                    Beta = CheckBeta(parse.GetValue(beta)), Clusters = CheckClusters(parse.GetValue(clusters)), ConsistencyWeight = CheckConsistency(parse.GetValue(consistency)),
                    InitialRestarts = CheckRestarts(parse.GetValue(restarts)), ConsistencyBalance = CheckBalance(parse.GetValue(balance)),
                    PretrainEpochs = CheckPretrainEpochs(parse.GetValue(pretrainEpochs) ?? new MixtureAutoencoderOptions().PretrainEpochs),
                },
                _ => new AutoencoderOptions(),
            };
            if (modelOptions is MixtureAutoencoderOptions mixtureOptions)
            {
                // The image recipe fills settings left at their defaults; a flag given keeps its value even when it equals the default.
                foreach (var (setting, flags) in RecipeSettings(pretrainEpochs, hidden, latent, loss, epochs, lr, schedule, runs, precision, maxShift, maxRotation, maxScale, maxShear, consistency, balance))
                {
                    if (flags.Any(flag => parse.GetResult(flag) is { Implicit: false }))
                    {
                        mixtureOptions.GivenExplicitly.Add(setting);
                    }
                }
            }

            bool conv = parse.GetValue(architecture) == "conv";
            modelOptions.HiddenSizes = ParseSizes(parse.GetValue(hidden) ?? (conv ? string.Empty : DenseHidden), "--hidden");
            if (conv)
            {
                if (dataset.ImageShape is not var (c, h, w))
                {
                    throw new InputException("--architecture conv needs the image shape: give --image-shape CxHxW (IDX images know theirs).");
                }

                modelOptions.Convolution = new ConvolutionalAutoencoderOptions
                {
                    ImageShape = new ImageShape(c, h, w),
                    Filters = ParseSizes(parse.GetValue(filters)!, "--filters"),
                    BatchNorm = parse.GetValue(batchNorm),
                };
            }

            modelOptions.HiddenActivation = Enum.Parse<Activation>(parse.GetValue(activation)!, ignoreCase: true);
            modelOptions.LatentSize = parse.GetValue(latent) ?? (dataset.Width > AutoencoderOptions.Defaults.LatentSize ? AutoencoderOptions.Defaults.LatentSize : Math.Max(1, dataset.Width / 2));
            modelOptions.Loss = parse.GetValue(loss) == "bce" ? ReconstructionLoss.BinaryCrossEntropy : ReconstructionLoss.MeanSquaredError;
            var trainingOptions = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                MaxSteps = parse.GetValue(maxSteps),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                CosineAnnealing = parse.GetValue(schedule) == "cosine" ? new CosineSchedule() : null,
                ReduceOnPlateau = parse.GetValue(schedule) == "plateau" ? new PlateauSchedule() : null,
                Seed = parse.GetValue(seed),
                Runs = parse.GetValue(runs),
                // gmvae: no --validation-fraction leaves the library's default (its image recipe trains on every row).
                ValidationFraction = kindValue == "gmvae" && parse.GetResult(validation) is null or { Implicit: true } ? null : parse.GetValue(validation),
                EarlyStoppingPatience = parse.GetValue(patience),
                Threads = parse.GetValue(threads),
                Corruption = corruption,
                Scaling = parse.GetValue(scale) switch { "minmax" => ScalingKind.MinMax, "standard" => ScalingKind.Standard, _ => ScalingKind.None },
                Device = parse.GetValue(device) switch { "cpu" => TrainingDevice.Cpu, "cuda" => TrainingDevice.Cuda, _ => TrainingDevice.Automatic },
                CheckpointEvery = parse.GetValue(checkpointEvery),
                ResumeFrom = parse.GetValue(resume),
                Precision = parse.GetValue(precision) switch { "bf16" => TrainingPrecision.BFloat16, "auto" => TrainingPrecision.Automatic, _ => TrainingPrecision.Float32 },
                Augmentation = Augmentation(dataset, parse.GetValue(maxShift), parse.GetValue(maxRotation), parse.GetValue(maxScale), parse.GetValue(maxShear)),
            };
            string outDir = parse.GetValue(output)!;
            if (trainingOptions.CheckpointEvery != null)
            {
                trainingOptions.CheckpointPath = Path.GetFullPath(parse.GetValue(checkpoint) ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir)) + ".checkpoint.zip");
                Directory.CreateDirectory(Path.GetDirectoryName(trainingOptions.CheckpointPath)!);
            }

            return Train(dataset, parse.GetValue(label), modelOptions, trainingOptions, outDir, parse.GetValue(anomaly));
        }));
        return command;
    }

    /// <summary>The mixture recipe's settings (<see cref="MixtureAutoencoderOptions.GivenExplicitly"/>) and the flags that give each.</summary>
    private static IEnumerable<(string Setting, Option[] Flags)> RecipeSettings(
        Option pretrainEpochs, Option hidden, Option latent, Option loss, Option epochs, Option lr, Option schedule, Option runs, Option precision,
        Option maxShift, Option maxRotation, Option maxScale, Option maxShear, Option consistency, Option balance) => new (string, Option[])[]
    {
        ("PretrainEpochs", new[] { pretrainEpochs }), ("HiddenSizes", new[] { hidden }), ("LatentSize", new[] { latent }), ("Loss", new[] { loss }), ("Epochs", new[] { epochs }),
        ("LearningRate", new[] { lr }), ("Schedule", new[] { schedule }), ("Runs", new[] { runs }), ("Precision", new[] { precision }),
        ("Augmentation", new[] { maxShift, maxRotation, maxScale, maxShear }), ("ConsistencyWeight", new[] { consistency }), ("ConsistencyBalance", new[] { balance }),
    };

    /// <summary>--max-shift / --max-rotation / --max-scale / --max-shear as the training options' image augmentation, or null when all are 0.</summary>
    private static ImageAugmentation? Augmentation(Dataset dataset, int maxShift, double maxRotation, double maxScale, double maxShear)
    {
        if (maxShift == 0 && maxRotation == 0 && maxScale == 0 && maxShear == 0)
        {
            return null;
        }

        if (dataset.ImageShape is not var (c, h, w))
        {
            throw new InputException("--max-shift, --max-rotation, --max-scale and --max-shear move images: give the rows' shape with --image-shape CxHxW (IDX images know theirs).");
        }

        // A value out of range is the library's ArgumentException, which CliRunner reports with the option's flag.
        return new ImageAugmentation(new ImageShape(c, h, w), maxShift, maxRotation, maxScale, maxShear);
    }

    private static int Train(Dataset dataset, string? labelColumn, AutoencoderOptions modelOptions, TrainingOptions trainingOptions, string outDir, bool withDetector)
    {
        if (modelOptions.Loss == ReconstructionLoss.BinaryCrossEntropy && trainingOptions.Scaling == ScalingKind.None)
        {
            dataset.CheckRange(0f, 1f, "--loss bce; scale the data into [0, 1] (e.g. --scale minmax) or use --loss mse.");
        }

        // --device auto: GPU 0 when CUDA is available, else the CPU (ML.NET's GpuDeviceId with FallbackToCpu).
        var ml = new MLContext(seed: trainingOptions.Seed) { GpuDeviceId = trainingOptions.Device == TrainingDevice.Automatic ? 0 : null, FallbackToCpu = true };
        IDataView view = dataset.ToDataView(ml);
        var trainer = new AutoencoderTrainer(ml, modelOptions, trainingOptions); // bad options: CliRunner names the flag

        Console.Error.WriteLine($"training on {dataset.Rows.Length:N0} rows × {dataset.Width} features from {dataset.Source}");
        using var model = ProgressView.Run(trainingOptions.EpochLimit, progress => trainer.Fit(view, progress: progress));
        var metrics = model.Evaluate(view);

        var notes = new Dictionary<string, JsonNode?>
        {
            ["data"] = JsonSerializer.SerializeToNode(dataset.Describe()),
            ["labelColumn"] = labelColumn,
            ["finalMetrics"] = new JsonObject
            {
                ["trainingMse"] = metrics.MeanSquaredError,
                ["trainingSquaredErrorPerRow"] = metrics.SquaredErrorPerRow,
                ["rows"] = metrics.Rows,
                ["bestEpoch"] = model.History.BestEpoch,
                ["finalValidationLoss"] = model.History.Epochs[^1].ValidationLoss,
                ["pca"] = model.History.Pca is { } pca
                    ? new JsonObject
                    {
                        ["components"] = pca.Components,
                        ["validationRows"] = pca.Rows,
                        ["autoencoderMse"] = pca.AutoencoderMeanSquaredError,
                        ["pcaMse"] = pca.PcaMeanSquaredError,
                        ["autoencoderBeatsPca"] = pca.AutoencoderBeatsPca,
                    }
                    : null,
            },
        };

        string? anomalyNote = null;
        // The whole folder is built beside --out and swapped in: a failure or Ctrl+C leaves no partial folder.
        var writing = System.Diagnostics.Stopwatch.StartNew();
        bool interrupted = OutputFolder.Write(outDir, staging =>
        {
            // model.json is the library's (architecture, options, history) plus the tool's notes: data and final metrics.
            OutputFolder.WriteModel(staging, model, ml, view, notes);
            var timings = new List<(string, double)>();
            if (withDetector)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                anomalyNote = AnomalyCommands.WriteDetector(staging, dataset, trainingOptions);
                timings.Add(("anomaly detector (--anomaly)", clock.Elapsed.TotalSeconds));
            }

            OutputFolder.WritePictures(staging, model, dataset, trainingOptions.Seed);
            OutputFolder.WriteReport(staging, model, dataset, labelColumn, timings, outDir);

        });

        if (interrupted)
        {
            Console.Error.WriteLine($"interrupted: the output was written completely to {Path.GetFullPath(outDir)} before stopping");
            return 130;
        }

        var last = model.History.Epochs[^1];
        if (model.Options is MixtureAutoencoderOptions { RecipeReason: { } reason } mixture)
        {
            Console.WriteLine($"recipe: {mixture.Recipe} ({reason}); model.json holds every setting it chose");
        }

        Console.WriteLine(
            $"trained {model.Spec} ({model.Kind}) in {last.Elapsed.TotalSeconds:F0} s: training MSE per value {metrics.MeanSquaredError:G4}" +
            (last.ValidationLoss is double v ? $", last validation loss {v:G4}" : string.Empty) +
            (model.History.StoppedEarly ? $", best epoch {model.History.BestEpoch} of {last.Epoch}" : string.Empty) +
            $"; wrote {Path.GetFullPath(outDir)} in {writing.Elapsed.TotalSeconds:F0} s; open {ReportPage.FileName} there");
        if (anomalyNote != null)
        {
            Console.WriteLine(anomalyNote);
        }

        if (model.Training.IsAutomatic && !model.History.StoppedEarly && last.Epoch < trainingOptions.MaxEpochs)
        {
            // The budget, not the data, ended the run: say how to buy a lower error with time.
            Console.WriteLine(
                $"the automatic budget stopped at its cap of {trainingOptions.MaxSteps:N0} steps ({last.Epoch} epochs) with the validation loss still falling; " +
                $"train longer for a lower error with --max-steps {trainingOptions.MaxSteps * 5} (about 5x the training time{LongerGain(dataset, trainingOptions)}) or --epochs N.");
        }

        if (model.History.Pca is { } comparison)
        {
            // The yardstick, said plainly: a user whose autoencoder loses to PCA should know before deploying it.
            Console.WriteLine(comparison.ToString());
        }

        return 0;
    }

    // Measured on the bundled MNIST (test MSE per pixel of the 10,000 test images): the default's and 5x its steps'.
    private static string LongerGain(Dataset dataset, TrainingOptions options) =>
        dataset.Source.StartsWith("bundled MNIST", StringComparison.Ordinal) && options.MaxSteps == TrainingOptions.Defaults.MaxSteps && options.Seed == TrainingOptions.Defaults.Seed
            ? "; on this data test MSE per pixel 0.0064 instead of 0.0081"
            : string.Empty;

    private static double CheckConsistency(double value) =>
        value >= 0 && double.IsFinite(value) ? value : throw new InputException($"--consistency {value}: the weight must be ≥ 0.");

    private static double CheckBalance(double value) =>
        value >= 1 && double.IsFinite(value) ? value : throw new InputException($"--consistency-balance {value}: the weight must be ≥ 1 (1 = the plain mutual information).");

    private static int CheckPretrainEpochs(int value) =>
        value >= 0 ? value : throw new InputException($"--pretrain-epochs {value}: the pretraining epochs must be ≥ 0.");

    private static int CheckRestarts(int value) =>
        value >= 1 ? value : throw new InputException($"--restarts {value}: at least one initialisation is needed.");

    private static int CheckClusters(int value) =>
        value >= 2 ? value : throw new InputException($"--clusters {value}: a mixture needs at least 2 components.");

    private static double CheckBeta(double beta) =>
        beta >= 0 && double.IsFinite(beta) ? beta : throw new InputException($"--beta {beta}: the KL weight must be ≥ 0.");

    private static int[] ParseSizes(string text, string option) =>
        CommonOptions.SplitList(text)!.Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new InputException($"{option} '{text}': '{s}' is not an integer; expected e.g. 32,64.")).ToArray();

    private static (float? Min, float? Max) ParseClip(string? text)
    {
        if (text == null)
        {
            return (null, null);
        }

        var parts = CommonOptions.SplitList(text)!;
        if (parts.Length != 2
            || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float min)
            || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float max))
        {
            throw new InputException($"--clip '{text}': expected MIN,MAX, e.g. 0,1.");
        }

        return (min, max);
    }

    private static (int, int, int) ParseShape(string text, int width)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 3 || parts.Any(p => !int.TryParse(p, out int v) || v <= 0))
        {
            throw new InputException($"--image-shape '{text}': expected CxHxW with positive integers, e.g. 1x28x28.");
        }

        var (c, h, w) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
        return c * h * w == width
            ? (c, h, w)
            : throw new InputException($"--image-shape {text} has {c * h * w} values but the rows have {width}.");
    }
}
