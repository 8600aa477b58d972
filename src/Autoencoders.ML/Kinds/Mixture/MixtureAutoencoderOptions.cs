
namespace Autoencoders.ML.Kinds.Mixture;

/// <summary>
/// Hyperparameters of a Gaussian-mixture variational autoencoder (GMVAE, after Bozkurt Varolgunes, Bereau &amp;
/// Rudzinski 2020 and VaDE, Jiang et al. 2017): the prior is a mixture of <see cref="Clusters"/> Gaussians
/// p(z|y = k) = N(μ_k, diag σ_k²) with weights π_k, learned with the network, so that one model both reduces dimension
/// and clusters. The encoder is the VAE's (a trunk and two heads giving q(z|x) = N(μ, diag σ²)); the cluster posterior
/// q(y|x) is computed from it and the prior. Dense or convolutional (<see cref="AutoencoderOptions.Convolution"/>);
/// Bernoulli decoder with <see cref="ReconstructionLoss.BinaryCrossEntropy"/>, Gaussian with mean squared error.
/// </summary>
/// <remarks>
/// <para><b>Loss</b> per row, marginalised over y in closed form:
/// <c>reconstruction + β·w·(Σ_k q(k|x)·KL(q(z|x) ‖ p(z|k)) + KL(q(y|x) ‖ π))</c>, averaged over the batch; the history
/// reports the three parts as <c>reconstruction</c>, <c>kl</c> and <c>cluster_kl</c>. q(z|x, y) is shared by every
/// y (the mean-field factorisation q(z, y|x) = q(z|x)·q(y|x) of VaDE): one decoder pass per row instead of K, which is
/// what makes MNIST-sized training affordable on a CPU. Given q(z|x), the q(y|x) that maximises the ELBO is
/// <c>q(k|x) ∝ π_k·exp(−KL(q(z|x) ‖ p(z|k)))</c>, computed exactly (a softmax), so no separate cluster network is needed
/// and the bound is tight in y. With β = 1 and w = 1 the loss is the negative ELBO (up to the Gaussian constant for mean
/// squared error, as for the VAE).</para>
/// <para><b>Against collapse into one component</b> (the known failure: one Gaussian takes every row, the others
/// starve): (1) the prior is initialised from a k-means (ML.NET's KMeans, k-means++) of the codes of a plain
/// autoencoder — the same encoder and decoder trained first for <see cref="PretrainEpochs"/> epochs on the
/// reconstruction only — refined by <see cref="InitialEmIterations"/> EM steps of a diagonal Gaussian mixture (VaDE's
/// initialisation), so training starts from populated, separated components; the encoder's log-variance head, which
/// the pretraining does not train, starts at a tenth of the tightest component's variance, so the first samples stay
/// inside their clusters; (2) the mixture weights are fixed and
/// uniform unless <see cref="LearnWeights"/> is set, so a component cannot lose its weight and with it its rows;
/// (3) <see cref="AutoencoderOptions"/>'s KL warm-up (<see cref="GaussianLatentOptions.KlWarmupFraction"/>) lets the decoder settle before the
/// prior pulls the codes together; (4) for images, <see cref="ConsistencyWeight"/> with
/// <see cref="TrainingOptions.Augmentation"/> adds the mutual information between the clusters of two moves of each
/// image, whose marginal-entropy half is largest when every component is used equally.</para>
/// </remarks>
public sealed partial class MixtureAutoencoderOptions : GaussianLatentOptions
{
    private int clusters = 10;
    private int pretrainEpochs = 10;
    private int initialEmIterations = 30;
    private double consistencyWeight;
    private double consistencyBalance = 1;
    private int initialRestarts = 1;

    /// <summary>Creates the options with their defaults.</summary>
    public MixtureAutoencoderOptions()
        : base("A Gaussian-mixture VAE")
    {
    }

    /// <summary>K, the number of mixture components, ≥ 2. Default 10.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public int Clusters
    {
        get => clusters;
        set => clusters = value >= 2
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Clusters), value, $"Clusters (K, the mixture components) must be at least 2; got {value}.");
    }

    /// <summary>
    /// Epochs of plain-autoencoder pretraining (reconstruction of the posterior mean, no KL) before the k-means that
    /// initialises the components; ≥ 0. Default 10. 0 runs the k-means on the untrained encoder's codes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int PretrainEpochs
    {
        get => pretrainEpochs;
        set => pretrainEpochs = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PretrainEpochs), value, $"PretrainEpochs must be ≥ 0; got {value}.");
    }

    /// <summary>
    /// EM steps of a diagonal Gaussian mixture fitted to the pretrained codes after the k-means, refining the initial
    /// components (VaDE's initialisation); ≥ 0. Default 30; 0 keeps the k-means clusters as they are. On MNIST
    /// (20,000 training images, 4 + 2 epochs, scored on held-out training rows 50,000–59,999) 30 steps gave 41.5%
    /// accuracy against 38.7% without.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int InitialEmIterations
    {
        get => initialEmIterations;
        set => initialEmIterations = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InitialEmIterations), value, $"InitialEmIterations must be ≥ 0; got {value}.");
    }

    /// <summary>
    /// How many times the initialisation's k-means (seeded by the run's seed, then seed + 1000, seed + 2000, …) and its
    /// EM refinement are run on the pretrained codes; the fit with the highest mean log-likelihood of the codes is kept
    /// (as scikit-learn's <c>n_init</c>). ≥ 1. Default 1. The k-means decides which groups of rows start merged or split.
    /// Experimental: on held-out MNIST rows 5 restarts did not raise accuracy (seed 1: 81.96% vs 89.91% with 1), and one
    /// of two 5-restart runs stopped in its first mixture step with a native libtorch error (a scalar conversion check
    /// inside an in-place add; its likely cause, a TorchSharp Scalar freed by its finalizer during that add, was removed
    /// afterwards, and the 5-restart run was not repeated); the default stays 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int InitialRestarts
    {
        get => initialRestarts;
        set => initialRestarts = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InitialRestarts), value, $"InitialRestarts must be ≥ 1; got {value}.");
    }

    /// <summary>
    /// Which defaults the settings left at their library defaults take when training starts: <see cref="RecipeKind.Auto"/>
    /// (default) chooses <see cref="RecipeKind.Image"/> for rows of pixels and <see cref="RecipeKind.Tabular"/>
    /// otherwise. The trained model's options hold the resolved recipe, every value it set, and <see cref="RecipeReason"/>.
    /// </summary>
    public RecipeKind Recipe { get; set; }

    /// <summary>Why the trained model's <see cref="Recipe"/> was chosen (written in model.json); null before training.</summary>
    [System.Text.Json.Serialization.JsonInclude]
    public string? RecipeReason { get; internal set; }

    /// <summary>
    /// Names of settings given explicitly even where they equal the library default (the CLI fills it from the flags
    /// on its command line), which the image recipe therefore keeps: <c>HiddenSizes</c>, <c>LatentSize</c>, <c>Loss</c>,
    /// <c>PretrainEpochs</c>, <c>Epochs</c>, <c>LearningRate</c>, <c>Schedule</c>, <c>Runs</c>, <c>Precision</c>, <c>Augmentation</c>,
    /// <c>ConsistencyWeight</c>, <c>ConsistencyBalance</c>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal ISet<string> GivenExplicitly { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether the mixture weights π are learned (default false: fixed at 1/K, a guard against collapse).</summary>
    public bool LearnWeights { get; set; }

    /// <summary>
    /// λ ≥ 0, the weight of a consistency term: the loss gains −λ·I(y; y′), the mutual information between the cluster
    /// posteriors q(y|x) of each training image (already moved once by the run) and of a second random move of it (shift/turn by
    /// <see cref="TrainingOptions.Augmentation"/>), estimated over the batch as in IIC (Ji, Henriques &amp; Vedaldi 2019).
    /// It rewards components that a digit keeps when it moves a little, and (through the marginal entropy inside I)
    /// components of equal use, a second guard against collapse. Default 0 (off: the plain negative ELBO). Reported in
    /// the history as <c>consistency</c> (I in nats, at most log K). Needs <see cref="TrainingOptions.Augmentation"/>;
    /// each step encodes the batch twice.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public double ConsistencyWeight
    {
        get => consistencyWeight;
        set => consistencyWeight = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ConsistencyWeight), value, $"ConsistencyWeight must be ≥ 0 and finite; got {value}.");
    }

    /// <summary>
    /// b ≥ 1, IIC's λ_entropy: the consistency term becomes I(y; y′) + (b − 1)·(H(y) + H(y′)), where H(y) and H(y′) are
    /// the entropies of the clusters' shares over the batch under the two moves (each at most log K, when every
    /// component takes an equal share). Default 1: the plain mutual information. Above 1 it pushes harder towards
    /// components of equal size — right for data whose clusters are about equally common (MNIST's digits), a bias for
    /// data whose clusters are not. Only used when <see cref="ConsistencyWeight"/> is above 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or not finite.</exception>
    public double ConsistencyBalance
    {
        get => consistencyBalance;
        set => consistencyBalance = value >= 1 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ConsistencyBalance), value, $"ConsistencyBalance must be ≥ 1 and finite (1 = the plain mutual information); got {value}.");
    }

    /// <summary>Checks the shared rules, and that a consistency term has images to move.</summary>
    /// <param name="training">The training options the model will be trained with.</param>
    internal override void CheckTraining(TrainingOptions training)
    {
        base.CheckTraining(training);
        if (ConsistencyWeight > 0 && training.Augmentation is not { MovesRows: true })
        {
            throw new ArgumentException(
                $"ConsistencyWeight {ConsistencyWeight} compares the clusters of two random moves of each image, but TrainingOptions.Augmentation does not move images. " +
                "Set TrainingOptions.Augmentation (e.g. new ImageAugmentation(new ImageShape(1, 28, 28), maxShift: 2, maxRotation: 10)) or ConsistencyWeight = 0.",
                nameof(ConsistencyWeight));
        }
    }
}
