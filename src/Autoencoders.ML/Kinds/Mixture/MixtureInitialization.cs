using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>
/// The guard against collapse at the start of a fresh run: the encoder and decoder are first trained as a plain
/// autoencoder (z = μ, reconstruction only) in the one <see cref="TrainingLoop{TBatch}"/> — the run's optimizer, learning
/// rate, weight decay, gradient clipping and divergence check, at a constant rate — for
/// <see cref="MixtureAutoencoderOptions.PretrainEpochs"/> epochs, then ML.NET's KMeans (k-means++, one thread, seeded by
/// the run's seed) clusters the codes of the training rows, and each component starts at a cluster: μ_k its centroid,
/// σ_k² the per-dimension variance of its rows, π_k its share of rows (when the weights are learned); then
/// <see cref="MixtureAutoencoderOptions.InitialEmIterations"/> EM steps of a diagonal Gaussian mixture
/// (<see cref="GaussianMixtureFit"/>) refine these components, as VaDE initialises from a Gaussian mixture fitted to the
/// pretrained codes. The encoder's log-variance head, untouched by the pretraining, then starts narrow
/// (<see cref="StartPosteriorNarrow"/>). The pretraining moves the images as <see cref="Training.TrainingOptions.DataPipelineOptions.Augmentation"/>
/// asks and multiplies in the run's <see cref="Training.TrainingOptions.ExecutionOptions.Precision"/>; the codes clustered are those of the
/// rows as they are.
/// </summary>
internal static class MixtureInitialization
{
    /// <summary>Floor of an initial component variance, so that a tight or one-row cluster cannot start degenerate.</summary>
    private const float MinimumVariance = 1e-2f;

    /// <summary>Pretrains, clusters the codes and sets the prior of <paramref name="network"/>.</summary>
    public static void Run(MixtureAutoencoderNetwork network, VariationalAutoencoderNetwork vae, TrainingPreparation preparation)
    {
        var spec = network.Spec;
        var options = network.Options;
        if (options.PretrainEpochs > 0)
        {
            Pretrain(network, vae, preparation);
        }

        network.eval();
        using var codes = Codes(network, preparation);
        // Restarts: the k-means (seeded by the run's seed, then seed + 1000·r) and its EM refinement are repeated and the
        // fit with the highest likelihood of the codes is kept; which digits end up merged or split is decided here.
        (Tensor Means, Tensor LogVariances, Tensor Weights, long[] Sizes, double LogLikelihood)? best = null;
        var likelihoods = new List<double>();
        for (int restart = 0; restart < options.InitialRestarts; restart++)
        {
            var (kMeans, kLogVariances, kWeights, sizes) = KMeans(codes, options.Clusters, preparation.Options.Seed + (1000 * restart));
            using (kMeans)
            using (kLogVariances)
            using (kWeights)
            {
                var (means, logVariances, weights) = GaussianMixtureFit.Refine(
                    codes, kMeans, kLogVariances, kWeights, options.InitialEmIterations, options.LearnWeights, MinimumVariance);
                double likelihood = GaussianMixtureFit.MeanLogLikelihood(codes, means, logVariances, weights);
                likelihoods.Add(likelihood);
                if (best is not { } kept || likelihood > kept.LogLikelihood)
                {
                    best?.Means.Dispose();
                    best?.LogVariances.Dispose();
                    best?.Weights.Dispose();
                    best = (means, logVariances, weights, sizes, likelihood);
                }
                else
                {
                    means.Dispose();
                    logVariances.Dispose();
                    weights.Dispose();
                }
            }
        }

        var chosen = best!.Value;
        using (chosen.Means)
        using (chosen.LogVariances)
        using (chosen.Weights)
        {
            network.SetPrior(chosen.Means, chosen.LogVariances, chosen.Weights);
            StartPosteriorNarrow(vae, chosen.LogVariances);
        }

        network.train();
        preparation.Log(
            $"Mixture VAE prior initialised from a k-means of {codes.shape[0]:N0} codes (component sizes {string.Join(", ", chosen.Sizes)}), " +
            $"refined by {options.InitialEmIterations} EM steps of a diagonal Gaussian mixture" +
            (options.InitialRestarts > 1
                ? $"; best of {options.InitialRestarts} restarts by log-likelihood per code ({string.Join(", ", likelihoods.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))})."
                : "."));
    }

    /// <summary>
    /// Trains the encoder and decoder as a plain autoencoder (z = μ, reconstruction only) in the one training loop: the
    /// run's optimizer, learning rate, weight decay, clipping and precision, a constant rate, no early stopping.
    /// </summary>
    private static void Pretrain(MixtureAutoencoderNetwork network, VariationalAutoencoderNetwork vae, TrainingPreparation preparation)
    {
        var training = preparation.Options;
        var plan = TrainingPlan.Fixed(network.Options.PretrainEpochs, preparation.Rows.RowCount, training.BatchSize, training.LearningRate);
        var settings = LoopSettings.From(training, plan, new[] { new ParameterGroup(vae.parameters().ToArray()) }) with
        {
            Schedule = null, // the run's schedule spans the mixture epochs
            Patience = null,
            NoiseSeed = (ulong)training.Seed + 0xA06,
            CheckpointEvery = null, // the run's checkpoints start after the preparation
            CheckpointPath = null,
            ResumeFrom = null,
            Phase = TrainingPhases.Pretraining,
        };
        var loop = new TrainingLoop<Tensor>(network, new PretrainingHooks(network, preparation), settings);
        loop.Run(preparation.Log, preparation.Progress, preparation.CancellationToken);
    }

    /// <summary>The pretraining's batches and loss: reconstruction of the (moved) rows from z = μ.</summary>
    private sealed class PretrainingHooks : TrainingHooks<Tensor>
    {
        private readonly MixtureAutoencoderNetwork network;
        private readonly TrainingPreparation preparation;

        public PretrainingHooks(MixtureAutoencoderNetwork network, TrainingPreparation preparation)
        {
            this.network = network;
            this.preparation = preparation;
        }

        public override IEnumerable<Tensor> Batches(int epoch, Random shuffle) =>
            preparation.Rows.TrainingBatches(preparation.Options.BatchSize, shuffle);

        public override (LossBreakdown Loss, long Rows) Loss(Tensor batch, BatchPosition position, torch.Generator noise)
        {
            var spec = network.Spec;
            var input = batch.narrow(1, 0, spec.InputSize);
            var target = batch.shape[1] > spec.InputSize ? batch.narrow(1, spec.InputSize, spec.OutputSize) : input;
            if (preparation.Options.Augmentation is { } augmentation)
            {
                input = target = augmentation.Apply(input, noise); // as the mixture epochs see them
            }

            var loss = VariationalMath.ReconstructionPerRow(network.DecodeLogits(network.Encode(input)), target, preparation.Loss, spec.OutputActivation).mean();
            return (new LossBreakdown(loss, new Dictionary<string, Tensor>()), batch.shape[0]);
        }

        public override IEnumerable<string> Describe(EpochReport report) => new[]
        {
            $"Mixture VAE pretraining as a plain autoencoder, epoch {report.Epoch}/{report.Epochs}: reconstruction {report.TrainingLoss:G5} per row.",
        };
    }

    /// <summary>
    /// The pretraining never trains the log-variance head, so its random start would give every row σ² ≈ 1: noise that
    /// can exceed the clusters' own spread, blur the decoder's input and make q(y|x) favour the widest component. The
    /// head starts instead at a constant, a tenth of the tightest component's variance in each latent dimension (zero
    /// weights), so that the first mixture epochs start from the pretrained codes and their clusters.
    /// </summary>
    private static void StartPosteriorNarrow(VariationalAutoencoderNetwork vae, Tensor priorLogVariances)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var head = vae.LogVarianceLayer;
        head.weight!.zero_();
        head.bias!.copy_(priorLogVariances.min(0L).values.Minus(Math.Log(10)));
    }

    private static Tensor Codes(MixtureAutoencoderNetwork network, TrainingPreparation preparation)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        try
        {
            foreach (var batch in preparation.Rows.Batches(1024, shuffle: null))
            {
                using var owned = batch;
                using var scope = torch.NewDisposeScope();
                parts.Add(network.Encode(batch.narrow(1, 0, network.Spec.InputSize)).MoveToOuterDisposeScope());
            }

            return torch.cat(parts, 0);
        }
        finally
        {
            parts.ForEach(p => p.Dispose());
        }
    }

    private static (Tensor Means, Tensor LogVariances, Tensor Weights, long[] Sizes) KMeans(Tensor codes, int clusters, int seed)
    {
        long n = codes.shape[0];
        int width = (int)codes.shape[1];
        if (n < clusters)
        {
            throw new ArgumentException(
                $"A mixture of {clusters} components needs at least {clusters} training rows to initialise from; got {n}. Use fewer Clusters or more rows.");
        }

        var flat = codes.contiguous().data<float>().ToArray();
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(CodeRow));
        VectorColumns.Declare(schema, nameof(CodeRow.Features), width);
        var rows = Enumerable.Range(0, (int)n).Select(i => new CodeRow { Features = flat.AsSpan(i * width, width).ToArray() });
        var trainer = ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = nameof(CodeRow.Features),
            NumberOfClusters = clusters,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(rows, schema));
        VBuffer<float>[] centroids = default!;
        model.Model.GetClusterCentroids(ref centroids, out int k);
        var centres = torch.tensor(centroids.SelectMany(c => c.DenseValues()).ToArray(), new long[] { k, width });
        using var scope = torch.NewDisposeScope();
        var assignment = torch.cdist(codes, centres).argmin(1);
        var means = centres.clone();
        var variances = torch.ones(k, width);
        var sizes = new long[k];
        for (int c = 0; c < k; c++)
        {
            var members = codes[KeptScalars.With(c, index => assignment.eq(index))];
            sizes[c] = members.shape[0];
            if (sizes[c] > 1)
            {
                variances[c] = (members - centres[c]).Squared().mean(new long[] { 0 }).ClampMin(MinimumVariance);
            }
        }

        var weights = torch.tensor(sizes.Select(s => (float)Math.Max(s, 1) / n).ToArray());
        centres.Dispose();
        return (means.MoveToOuterDisposeScope(), variances.log().MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope(), sizes);
    }

    private sealed class CodeRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
