using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
// MixtureVae: the Gaussian-mixture VAE of issue 16.
//   dotnet run --project examples/MixtureVae -c Release -- mnist [--seeds 0,1,2] [--epochs N] [--pretrain-epochs N] [--learning-rate R] [--batch-size B] [--holdout] [--em-iterations N] [--mixture-only] [--cosine-warmup F] [--augment-shift N] [--augment-rotation D] [--augment-scale F] [--augment-shear D] [--threads N] [--bf16] [--consistency L] [--consistency-balance B] [--restarts R] [--runs R] [--out DIR]
//   dotnet run --project examples/MixtureVae -c Release -- defaults [--seeds 0,1,2] [--sets digits,mnist] [--holdout] [--threads N] [--out FILE]
//   dotnet run --project examples/MixtureVae -c Release -- muller-brown [--out DIR]
using System.CommandLine;
using Autoencoders.ML.Runtime;

// Opt in to the process-wide settings measured to help training (docs/runtime.md), before anything loads torch.
TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads | TorchRuntimeSettings.MklAvx512OnAmd);

var outOption = new Option<string>("--out") { DefaultValueFactory = _ => Path.Combine("models", "mixture-vae") };
var seeds = new Option<string>("--seeds") { DefaultValueFactory = _ => "0,1,2" };
var epochs = new Option<int>("--epochs") { Description = "Mixture epochs after pretraining.", DefaultValueFactory = _ => 20 };
var pretrain = new Option<int>("--pretrain-epochs") { Description = "Plain-AE pretraining epochs (also the AE baseline's; 20 chosen on held-out rows).", DefaultValueFactory = _ => 20 };
var hidden = new Option<string>("--hidden") { DefaultValueFactory = _ => "500,500,2000" };
var rowsOption = new Option<int?>("--train-rows") { Description = "Training images (default all 60,000)." };
var learningRate = new Option<double>("--learning-rate") { Description = "Adam learning rate (pretraining and mixture training).", DefaultValueFactory = _ => 2e-3 };
var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 256 };
var holdout = new Option<bool>("--holdout") { Description = "Choose settings: train on training rows 0-49,999, score rows 50,000-59,999; the test set is not read." };
var em = new Option<int>("--em-iterations") { Description = "EM steps of a diagonal Gaussian mixture after the k-means initialisation (the library default).", DefaultValueFactory = _ => 30 };
var mixtureOnly = new Option<bool>("--mixture-only") { Description = "Skip the two KMeans baselines (for choosing settings faster)." };
var cosine = new Option<double?>("--cosine-warmup") { Description = "Mixture epochs on a cosine schedule with this warm-up fraction (default 0.25; 0 = no warm-up).", DefaultValueFactory = _ => 0.25 };
var shift = new Option<int>("--augment-shift") { Description = "Move training images by up to this many pixels (pretraining, mixture epochs and the AE baseline; 0 = off).", DefaultValueFactory = _ => 2 };
var rotation = new Option<double>("--augment-rotation") { Description = "Turn training images by up to this many degrees (0 = off).", DefaultValueFactory = _ => 15 };
var scale = new Option<double>("--augment-scale") { Description = "Resize training images by a factor in [1 − F, 1 + F] (0 = off; 0.1 chosen on held-out rows).", DefaultValueFactory = _ => 0.1 };
var shear = new Option<double>("--augment-shear") { Description = "Slant training images by up to this many degrees (0 = off; 10 chosen on held-out rows).", DefaultValueFactory = _ => 10 };
var threads = new Option<int>("--threads") { Description = "Torch threads (1 leaves a core to other jobs; 2 when the machine is yours).", DefaultValueFactory = _ => 1 };
var consistency = new Option<double>("--consistency") { Description = "MixtureAutoencoderOptions.ConsistencyWeight: weight of I(y; y') between the clusters of two moves of each image (needs --augment-shift or --augment-rotation; 0 = off).", DefaultValueFactory = _ => 200 };
var balance = new Option<double>("--consistency-balance") { Description = "MixtureAutoencoderOptions.ConsistencyBalance: weight b ≥ 1 of the clusters' equal use inside the consistency term (1 = plain I; 2 chosen on held-out rows).", DefaultValueFactory = _ => 2 };
var restarts = new Option<int>("--restarts") { Description = "MixtureAutoencoderOptions.InitialRestarts: k-means + EM initialisations tried, the most likely kept.", DefaultValueFactory = _ => 1 };
var runs = new Option<int>("--runs") { Description = "TrainingOptions.Runs for the mixture VAE: train R times from seeds S, S+10000, … and keep the run with the lowest final training loss (1 = one run, a third of the time).", DefaultValueFactory = _ => 3 };
var bf16 = new Option<bool>("--bf16") { Description = "Multiply in bfloat16 (TrainingPrecision.BFloat16) where the CPU supports it." };
var mnist = new Command("mnist", "MNIST clustering benchmark: GMVAE vs KMeans on pixels and on a plain AE's codes.")
{
    outOption, seeds, epochs, pretrain, hidden, rowsOption, learningRate, batchSize, holdout, em, mixtureOnly, cosine, shift, rotation, threads, bf16, consistency, restarts, balance, runs, scale, shear,
};
mnist.SetAction(parse => MnistClustering.Run(new ClusteringSettings(
    parse.GetValue(outOption)!, parse.GetValue(seeds)!.Split(',').Select(int.Parse).ToArray(), parse.GetValue(epochs), parse.GetValue(pretrain),
    parse.GetValue(hidden)!.Split(',').Select(int.Parse).ToArray(), parse.GetValue(rowsOption),
    parse.GetValue(learningRate), parse.GetValue(batchSize), parse.GetValue(holdout), parse.GetValue(em), parse.GetValue(mixtureOnly), parse.GetValue(cosine),
    parse.GetValue(shift), parse.GetValue(rotation), parse.GetValue(threads), parse.GetValue(bf16), parse.GetValue(consistency), parse.GetValue(restarts), parse.GetValue(balance), parse.GetValue(runs), parse.GetValue(scale), parse.GetValue(shear))));
var mullerBrown = new Command("muller-brown", "Langevin dynamics on the Müller–Brown potential, lifted to 20-d, clustered by a GMVAE with a 1-d latent.") { outOption };
mullerBrown.SetAction(parse => MullerBrown.Run(parse.GetValue(outOption)!));
var defaultsOut = new Option<string>("--out") { Description = "The table's file (rewritten after every row).", DefaultValueFactory = _ => Path.Combine("docs", "mixture-defaults-table.md") };
var defaultsSeeds = new Option<string>("--seeds") { DefaultValueFactory = _ => "0,1,2" };
var sets = new Option<string>("--sets") { Description = "mnist, digits or both (comma-separated).", DefaultValueFactory = _ => "digits,mnist" };
var defaultsHoldout = new Option<bool>("--holdout") { Description = "MNIST: train on training rows 0-49,999, score rows 50,000-59,999 (for choosing; the test set is not read)." };
var defaultsThreads = new Option<int?>("--threads") { Description = "Torch threads (an execution setting, not part of the recipe)." };
var digits = new Option<string>("--digits") { Description = "The 8×8 digits CSV.", DefaultValueFactory = _ => Path.Combine("..", "shared", "datasets", "digits", "digits.csv") };
var defaults = new Command("defaults", "The library's defaults (nothing set but Clusters = 10 and the seed) on MNIST and the 8×8 digits, KMeans on raw features beside.")
{
    defaultsOut, defaultsSeeds, sets, defaultsHoldout, defaultsThreads, digits,
};
defaults.SetAction(parse => DefaultsBenchmark.Run(
    parse.GetValue(defaultsOut)!, parse.GetValue(defaultsSeeds)!.Split(',').Select(int.Parse).ToArray(), parse.GetValue(sets)!.Split(','),
    parse.GetValue(defaultsHoldout), parse.GetValue(defaultsThreads), parse.GetValue(digits)!));
var root = new RootCommand("The Gaussian-mixture VAE: MNIST clustering benchmark, the defaults' benchmark and the Müller–Brown example.") { mnist, defaults, mullerBrown };
return root.Parse(args).Invoke();
