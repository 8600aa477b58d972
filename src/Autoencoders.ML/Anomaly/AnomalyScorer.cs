using Autoencoders.ML.Kinds.Variational;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// The library's default anomaly score, measured on six ODDS sets (docs/anomaly-experiments.md): a trained autoencoder
/// (by default a VAE on robust-scaled input, see <see cref="Train"/>) gives two views of each row,
/// <list type="bullet">
/// <item>the reconstruction part: a VAE's negative ELBO (squared error of the mean reconstruction plus
/// KL(q(z|x) ‖ N(0, I))), or the squared reconstruction error of a plain autoencoder, in the model's scaled space;</item>
/// <item>the neighbour part (when <see cref="Neighbours"/> &gt; 0): the distance from the row's latent code (the
/// posterior mean) to the k-th nearest latent code of the training rows;</item>
/// <item>the input-neighbour part (when <see cref="InputNeighbours"/> &gt; 0): the distance from the row, as the model
/// sees it (after <see cref="InputScaling"/>), to the k-th nearest training row;</item>
/// </list>
/// and the score is the average of the parts' empirical CDFs over the training rows (interpolated between the sorted
/// training values, tied values sharing their mid-rank): a number in [0, 1],
/// higher = more anomalous. Rows are flagged when their score exceeds <see cref="Threshold"/>, which comes from an
/// expected contamination fraction and can be changed after fitting without retraining.
/// </summary>
internal sealed class AnomalyScorer : IDisposable
{
    /// <summary>k of the recipes' kNN distances (the tabular recipe's input-space part; the latent part when a scorer is fitted with one).</summary>
    public const int DefaultNeighbours = 5;

    /// <summary>Default expected fraction of anomalies, which sets the default threshold.</summary>
    public const double DefaultContamination = 0.1;

    private readonly float[][] referenceCodes;
    private readonly float[][] referenceRows;
    private readonly EmpiricalCdf reconstructionCdf;
    private readonly EmpiricalCdf? distanceCdf;
    private readonly EmpiricalCdf? inputDistanceCdf;
    private readonly Lazy<double[]> trainingScores;
    private readonly Lazy<double[]> sortedTrainingScores;
    private readonly double[] trainingReconstruction;
    private readonly double[] trainingDistance;
    private readonly double[] trainingInputDistance;
    private readonly bool ownsModel;
    private double contamination;

    // selfDistance and selfInputDistance: the training rows' distances with each row its own candidate neighbour (as
    // Score measures them), when the fit has them; null recomputes them from the codes and rows on first use.
    private AnomalyScorer(
        AutoencoderModel model, RobustScaling? inputScaling, int neighbours, int inputNeighbours, float[][] codes, float[][] rows, double[] reconstruction, double[] distance, double[] inputDistance,
        double[]? selfDistance, double[]? selfInputDistance, bool ownsModel)
    {
        TrainingRows = reconstruction.Length;
        Model = model;
        InputScaling = inputScaling;
        Neighbours = neighbours;
        InputNeighbours = inputNeighbours;
        referenceCodes = codes;
        referenceRows = inputNeighbours == 0 ? Array.Empty<float[]>() : rows;
        trainingReconstruction = reconstruction;
        trainingDistance = distance;
        trainingInputDistance = inputDistance;
        reconstructionCdf = new EmpiricalCdf(reconstruction);
        distanceCdf = neighbours == 0 ? null : new EmpiricalCdf(distance);
        inputDistanceCdf = inputNeighbours == 0 ? null : new EmpiricalCdf(inputDistance);
        trainingScores = new Lazy<double[]>(() => Combine(
            reconstruction,
            neighbours == 0 ? distance : selfDistance ?? AnomalyMath.KthNeighbourDistance(codes, codes, neighbours, skipSelf: false),
            inputNeighbours == 0 ? inputDistance : selfInputDistance ?? AnomalyMath.KthNeighbourDistance(referenceRows, referenceRows, inputNeighbours, skipSelf: false)));
        sortedTrainingScores = new Lazy<double[]>(() => trainingScores.Value.OrderBy(v => v).ToArray());
        this.ownsModel = ownsModel;
    }

    /// <summary>The autoencoder whose outputs are scored.</summary>
    public AutoencoderModel Model { get; }

    /// <summary>Robust scaling applied to raw rows before they reach <see cref="Model"/>; null when the model takes raw rows.</summary>
    public RobustScaling? InputScaling { get; }

    /// <summary>k of the latent k-nearest-neighbour distance; 0 when the score is the reconstruction part alone.</summary>
    public int Neighbours { get; }

    /// <summary>k of the input-space k-nearest-neighbour distance (scaled training rows); 0 when the score has no such part.</summary>
    public int InputNeighbours { get; }

    /// <summary>The recipe <see cref="Train"/> ran (resolved, never Auto); null for a scorer made by <see cref="Fit"/> on a given model.</summary>
    public AnomalyRecipe? Recipe { get; private set; }

    /// <summary>Why that recipe ran (<see cref="AnomalyRecipes.Reason"/>); null with <see cref="Recipe"/>.</summary>
    public string? RecipeReason { get; private set; }

    /// <summary>Number of training rows the score's statistics were fitted on.</summary>
    public int TrainingRows { get; }

    /// <summary>The training rows' latent codes (the kNN reference).</summary>
    internal IReadOnlyList<float[]> ReferenceCodes => referenceCodes;

    /// <summary>The training rows' CDF of the reconstruction part.</summary>
    internal EmpiricalCdf ReconstructionCdf => reconstructionCdf;

    /// <summary>The training rows' CDF of the neighbour distance (null without the neighbour part).</summary>
    internal EmpiricalCdf? DistanceCdf => distanceCdf;

    /// <summary>The scaled training rows (the input kNN reference; empty without the input-neighbour part).</summary>
    internal IReadOnlyList<float[]> ReferenceRows => referenceRows;

    /// <summary>The training rows' CDF of the input-space neighbour distance (null without that part).</summary>
    internal EmpiricalCdf? InputDistanceCdf => inputDistanceCdf;

    /// <summary>Floats of the kNN references (training codes and scaled training rows) the scoring graph compares every row with.</summary>
    internal long ReferenceFloats =>
        (Neighbours == 0 || referenceCodes.Length == 0 ? 0L : (long)referenceCodes.Length * referenceCodes[0].Length)
        + (InputNeighbours == 0 || referenceRows.Length == 0 ? 0L : (long)referenceRows.Length * referenceRows[0].Length);

    /// <summary>
    /// Rows per ONNX Runtime call, at most <paramref name="requested"/>, such that the neighbour search's intermediate
    /// (rows × <paramref name="referenceFloats"/> floats: the graph compares every row with every reference) stays within
    /// <see cref="NeighbourSearchBudget"/>. Batching never changes a score, only the memory and the speed.
    /// </summary>
    /// <param name="requested">The rows per call asked for.</param>
    /// <param name="referenceFloats">Floats of the references compared with each row (or an upper bound, such as the graph's size ÷ 4).</param>
    internal static int BoundedScoringBatch(int requested, long referenceFloats) =>
        referenceFloats <= 0 ? requested : (int)Math.Clamp(NeighbourSearchBudget / referenceFloats, 1, requested);

    /// <summary>Floats one scoring call's neighbour search may hold: 32 Mi floats, 128 MiB.</summary>
    internal const long NeighbourSearchBudget = 32L << 20;

    /// <summary>
    /// Scores of the training rows, in their order, as <see cref="Score"/> gives them (every training code, the row's own
    /// included, is a candidate neighbour), so that <see cref="Contamination"/> is the fraction of training rows the
    /// scorer and its transform flag. (The parts' CDFs are fitted on leave-one-out distances: a row is not its own
    /// neighbour there.)
    /// </summary>
    public IReadOnlyList<double> TrainingScores => trainingScores.Value;

    /// <summary>Rows scoring strictly above this value are anomalies. Set directly, or through <see cref="Contamination"/>.</summary>
    public double Threshold { get; set; }

    /// <summary>
    /// Expected fraction of anomalies in the training rows, in [0, 1): setting it sets <see cref="Threshold"/> to the
    /// (1 − fraction) quantile of <see cref="TrainingScores"/>, so that that fraction of the training rows scores above it.
    /// </summary>
    public double Contamination
    {
        get => contamination;
        set
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Contamination must be in [0, 1).");
            }

            contamination = value;
            Threshold = AnomalyMath.SortedQuantile(sortedTrainingScores.Value, 1 - value);
        }
    }

    /// <summary>
    /// Trains the default detector on unlabeled rows (which may contain anomalies), as <paramref name="recipe"/> says
    /// (<see cref="AnomalyRecipe"/>): for tabular rows robust scaling (median / IQR), fitted on the rows, then a VAE with
    /// one hidden layer of 64 and a code of max(2, d/4) values (at most d − 1), scored with the distance to the 5th nearest
    /// scaled training row beside the negative ELBO; for images a plain autoencoder on the raw pixels; 20 epochs of
    /// Adam (learning rate 1e-3, batch 128), then <see cref="Fit"/>. The returned scorer owns the model.
    /// </summary>
    /// <param name="mlContext">The ML.NET context (training logs go to it).</param>
    /// <param name="rows">Training rows in their own units, at least 2 features and 6 rows.</param>
    /// <param name="seed">Seed of the model's initialisation, shuffling and sampling.</param>
    /// <param name="contamination">Expected fraction of anomalies; sets the initial threshold.</param>
    /// <param name="threads">Threads torch may use (process-wide); null keeps torch's setting.</param>
    /// <param name="recipe">Tabular, image, or chosen from the rows (<see cref="AnomalyRecipes.Resolve"/>).</param>
    public static AnomalyScorer Train(
        MLContext mlContext, IReadOnlyList<float[]> rows, int seed = 0, double contamination = DefaultContamination, int? threads = null, AnomalyRecipe recipe = AnomalyRecipe.Auto) =>
        TrainLogged(mlContext, environment: null, rows, seed, contamination, threads, recipe);

    /// <summary>As the public <c>Train</c>, the training logs going to <paramref name="environment"/> (null: <paramref name="mlContext"/>).</summary>
    internal static AnomalyScorer TrainLogged(
        MLContext mlContext, Microsoft.ML.Runtime.IHostEnvironment? environment, IReadOnlyList<float[]> rows, int seed, double contamination, int? threads, AnomalyRecipe recipe,
        IProgress<EpochReport>? progress = null, System.Threading.CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(rows);
        int width = AnomalyMath.CheckRows(rows, nameof(rows));
        if (width < 2)
        {
            throw new ArgumentException("Anomaly detection with an autoencoder needs at least 2 features.", nameof(rows));
        }

        if (rows.Count <= DefaultNeighbours)
        {
            throw new ArgumentException($"At least {DefaultNeighbours + 1} rows are needed; got {rows.Count}.", nameof(rows));
        }

        if (!(contamination >= 0 && contamination < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(contamination), contamination, "Contamination must be in [0, 1).");
        }

        var resolved = AnomalyRecipes.Resolve(recipe, rows);
        var scaling = AnomalyRecipes.UsesRobustScaling(resolved) ? RobustScaling.Fit(rows, AnomalyRecipes.UsesSignedLog(resolved)) : null;
        var scaled = scaling == null ? rows.ToArray() : scaling.Apply(rows);
        var trainer = new AutoencoderTrainer(mlContext, AnomalyRecipes.ModelOptions(resolved, width), AnomalyRecipes.TrainingOptions(seed, threads)) { Environment = environment };
        var model = trainer.Fit(ToDataView(mlContext, scaled), FeatureColumnName, progress: progress, cancellationToken: cancellationToken);
        try
        {
            var scorer = FitCore(model, scaling, scaled, AnomalyRecipes.Neighbours(resolved), AnomalyRecipes.InputNeighbours(resolved), contamination, ownsModel: true);
            scorer.Recipe = resolved;
            scorer.RecipeReason = AnomalyRecipes.Reason(recipe, resolved);
            return scorer;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The default architecture for rows of <paramref name="width"/> features: a VAE, hidden layer 64, code max(2, d/4) capped at d − 1.</summary>
    /// <param name="width">Number of features (at least 2).</param>
    public static VariationalAutoencoderOptions DefaultModelOptions(int width) =>
        (VariationalAutoencoderOptions)AnomalyRecipes.ModelOptions(AnomalyRecipe.Tabular, width);

    /// <summary>The default training: 20 epochs, batch 128, Adam 1e-3, no scaling in the model (the scorer scales robustly first).</summary>
    /// <param name="seed">Training seed.</param>
    /// <param name="threads">Threads torch may use; null keeps torch's setting.</param>
    public static TrainingOptions DefaultTrainingOptions(int seed = 0, int? threads = null) => AnomalyRecipes.TrainingOptions(seed, threads);

    /// <summary>
    /// Fits the score's statistics on a trained model: the training rows' latent codes (the kNN reference) and the
    /// distributions of both parts. The scorer does not own <paramref name="model"/>.
    /// </summary>
    /// <param name="model">A trained autoencoder (variational or plain) taking rows of the training width, after <paramref name="inputScaling"/>.</param>
    /// <param name="trainingRows">The rows the model was trained on, in their own units.</param>
    /// <param name="inputScaling">Robust scaling applied before the model (as in <see cref="Train"/>); null if the model takes raw rows.</param>
    /// <param name="neighbours">k of the latent kNN distance (default 5); 0 scores by the reconstruction part alone.</param>
    /// <param name="contamination">Expected fraction of anomalies; sets the initial threshold.</param>
    /// <param name="inputNeighbours">k of the kNN distance among the scaled training rows (the default recipe's 5); 0 (default) for no such part.</param>
    public static AnomalyScorer Fit(
        AutoencoderModel model, IReadOnlyList<float[]> trainingRows, RobustScaling? inputScaling = null, int neighbours = DefaultNeighbours, double contamination = DefaultContamination, int inputNeighbours = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainingRows);
        AnomalyMath.CheckRows(trainingRows, nameof(trainingRows));
        var scaled = inputScaling == null ? trainingRows.ToArray() : inputScaling.Apply(trainingRows);
        return FitCore(model, inputScaling, scaled, neighbours, inputNeighbours, contamination, ownsModel: false);
    }

    /// <summary>Scores rows in their own units: higher = more anomalous, in [0, 1].</summary>
    /// <param name="rows">Rows of the training width.</param>
    /// <exception cref="ArgumentException">A row of another width, or a NaN/∞ value (the row and value are named).</exception>
    public double[] Score(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return Array.Empty<double>();
        }

        AnomalyMath.CheckRows(rows, nameof(rows));
        var scaled = InputScaling == null ? rows : InputScaling.Apply(rows);
        var (codes, reconstruction) = Parts(Model, scaled);
        var distance = Neighbours == 0 ? Array.Empty<double>() : AnomalyMath.KthNeighbourDistance(codes, referenceCodes, Neighbours, skipSelf: false);
        var inputDistance = InputNeighbours == 0 ? Array.Empty<double>() : AnomalyMath.KthNeighbourDistance(scaled, referenceRows, InputNeighbours, skipSelf: false);
        return Combine(reconstruction, distance, inputDistance);
    }

    /// <summary>Whether each row's score exceeds <see cref="Threshold"/>.</summary>
    /// <param name="rows">Rows of the training width.</param>
    public bool[] Predict(IReadOnlyList<float[]> rows) => Score(rows).Select(s => s > Threshold).ToArray();

    /// <summary>
    /// Saves the scorer as a model folder (or a <c>.zip</c>): the model's files (<see cref="AutoencoderModel.Save"/>),
    /// <c>anomaly_scorer.json</c> (everything fitted: codes, CDFs, scaling, threshold) and <c>anomaly.onnx</c>
    /// (<see cref="AnomalyOnnx.ExportOnnx"/>), all listed in the manifest with their checksums. <see cref="Load"/> reads it back.
    /// </summary>
    /// <param name="path">The folder (created if needed; an existing model folder is replaced atomically) or a <c>.zip</c> file.</param>
    public void Save(string path) => SaveWith(path, Threshold, Array.Empty<(string, byte[])>());

    /// <summary>Loads a scorer saved with <see cref="Save"/> (the folder or the <c>.zip</c>); it owns its model.</summary>
    /// <param name="path">The folder or zip.</param>
    /// <returns>The scorer, the same scores, threshold and contamination as the one saved.</returns>
    /// <exception cref="System.IO.InvalidDataException">A file is missing, damaged or changed; the message names the model and the file.</exception>
    public static AnomalyScorer Load(string path) => LoadWith(path, Array.Empty<string>()).Scorer;

    /// <summary>Saves with <paramref name="threshold"/> in <c>anomaly.onnx</c> and <paramref name="extra"/> files beside.</summary>
    internal void SaveWith(string path, double threshold, IReadOnlyList<(string Name, byte[] Content)> extra)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var files = new List<(string, byte[])>
        {
            (AnomalyScorerState.FileName, System.Text.Encoding.UTF8.GetBytes(State().ToJson())),
            (AnomalyOnnx.FileName, this.ToOnnx(threshold)),
        };
        files.AddRange(extra);
        IO.ModelArchive.Save(Model, path, files);
    }

    /// <summary>Loads a scorer and the <paramref name="extraNames"/> files saved beside it.</summary>
    internal static (AnomalyScorer Scorer, byte[][] Extra) LoadWith(string path, IReadOnlyList<string> extraNames)
    {
        var (model, extra) = IO.ModelArchive.Load(path, new[] { AnomalyScorerState.FileName }.Concat(extraNames).ToArray());
        try
        {
            string source = $"{path}!{AnomalyScorerState.FileName}";
            var state = AnomalyScorerState.FromJson(System.Text.Encoding.UTF8.GetString(extra[0]), model, source);
            return (Restore(model, state, ownsModel: true), extra.Skip(1).ToArray());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Disposes the model when the scorer owns it (made by <see cref="Train"/>).</summary>
    public void Dispose()
    {
        if (ownsModel)
        {
            Model.Dispose();
        }
    }

    private const string FeatureColumnName = DefaultColumnNames.Features;

    /// <summary>Everything fitted besides the model, to save and rebuild the scorer exactly (<see cref="AnomalyScorerState"/>).</summary>
    internal AnomalyScorerState State() => new(
        Neighbours, Contamination, Threshold, InputScaling?.Center, InputScaling?.Scale, referenceCodes, trainingReconstruction, trainingDistance)
    {
        SignedLog = InputScaling?.SignedLog ?? false,
        InputNeighbours = InputNeighbours,
        Rows = referenceRows,
        InputDistance = trainingInputDistance,
        Recipe = Recipe,
        RecipeReason = RecipeReason,
    };

    /// <summary>The scorer <paramref name="state"/> describes, on <paramref name="model"/> (owned when <paramref name="ownsModel"/>).</summary>
    internal static AnomalyScorer Restore(AutoencoderModel model, AnomalyScorerState state, bool ownsModel)
    {
        var scaling = state.RobustCenter is { } center && state.RobustScale is { } scale ? new RobustScaling(center, scale) { SignedLog = state.SignedLog } : null;
        var scorer = new AnomalyScorer(
            model, scaling, state.Neighbours, state.InputNeighbours, state.Codes, state.Rows, state.Reconstruction, state.Distance, state.InputDistance, selfDistance: null, selfInputDistance: null, ownsModel);
        scorer.contamination = state.Contamination;
        scorer.Threshold = state.Threshold;
        scorer.Recipe = state.Recipe;
        scorer.RecipeReason = state.RecipeReason;
        return scorer;
    }

    private static AnomalyScorer FitCore(AutoencoderModel model, RobustScaling? scaling, IReadOnlyList<float[]> scaledRows, int neighbours, int inputNeighbours, double contamination, bool ownsModel)
    {
        if (neighbours < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, "Neighbours must be 0 (no neighbour part) or positive.");
        }

        if (inputNeighbours < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputNeighbours), inputNeighbours, "InputNeighbours must be 0 (no input-neighbour part) or positive.");
        }

        int k = Math.Max(Math.Max(neighbours, inputNeighbours), 1);
        if (scaledRows.Count <= k)
        {
            throw new ArgumentException($"At least {k + 1} training rows are needed{(Math.Max(neighbours, inputNeighbours) > 0 ? $" for a {k}-NN distance" : string.Empty)}; got {scaledRows.Count}.", nameof(scaledRows));
        }

        if (scaledRows[0].Length != model.InputSize)
        {
            throw new ArgumentException($"Rows have {scaledRows[0].Length} values; the model takes {model.InputSize}.", nameof(scaledRows));
        }

        var (codes, reconstruction) = Parts(model, scaledRows);
        double[]? selfDistance = null;
        double[]? selfInputDistance = null;
        var distance = neighbours == 0 ? Array.Empty<double>() : AnomalyMath.KthNeighbourDistance(codes, codes, neighbours, skipSelf: true, out selfDistance);
        var rows = scaledRows.ToArray();
        var inputDistance = inputNeighbours == 0 ? Array.Empty<double>() : AnomalyMath.KthNeighbourDistance(rows, rows, inputNeighbours, skipSelf: true, out selfInputDistance);
        var scorer = new AnomalyScorer(model, scaling, neighbours, inputNeighbours, codes, rows, reconstruction, distance, inputDistance, selfDistance, selfInputDistance, ownsModel);
        scorer.Contamination = contamination;
        return scorer;
    }

    /// <summary>Latent codes (posterior means for a VAE) and the reconstruction part of the score, in the model's scaled space.</summary>
    private static (float[][] Codes, double[] Reconstruction) Parts(AutoencoderModel model, IReadOnlyList<float[]> rows)
    {
        float[][] codes;
        float[][] reconstruction;
        double[]? kl = null;
        if (model.IsVariational)
        {
            var posterior = model.EncodeDistribution(rows);
            codes = posterior.Mean.ToArray();
            reconstruction = model.Decode(codes);
            kl = new double[rows.Count];
            for (int i = 0; i < rows.Count; i++)
            {
                double sum = 0;
                for (int t = 0; t < codes[i].Length; t++)
                {
                    double mu = codes[i][t];
                    double logVariance = posterior.LogVariance[i][t];
                    sum += 0.5 * (mu * mu + Math.Exp(logVariance) - 1 - logVariance);
                }

                kl[i] = sum;
            }
        }
        else
        {
            codes = model.Encode(rows);
            reconstruction = model.Reconstruct(rows);
        }

        var scaling = model.Scaling;
        var part = new double[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            double sum = 0;
            var x = rows[i];
            var y = reconstruction[i];
            for (int j = 0; j < x.Length; j++)
            {
                // The error is measured where the network works: in the model's own scaled units when it has a scaling.
                double diff = scaling == null ? x[j] - y[j] : ((x[j] - scaling.InputShift[j]) * scaling.InputScale[j]) - ((y[j] - scaling.OutputShift[j]) * scaling.OutputScale[j]);
                sum += diff * diff;
            }

            part[i] = sum + (kl?[i] ?? 0);
        }

        return (codes, part);
    }

    // The average of the parts' training CDFs, summed in the ONNX graph's order (reconstruction, code kNN, input kNN).
    private double[] Combine(double[] reconstruction, double[] distance, double[] inputDistance)
    {
        int parts = 1 + (distanceCdf != null ? 1 : 0) + (inputDistanceCdf != null ? 1 : 0);
        var scores = new double[reconstruction.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            double sum = reconstructionCdf.At(reconstruction[i]);
            if (distanceCdf != null)
            {
                sum += distanceCdf.At(distance[i]);
            }

            if (inputDistanceCdf != null)
            {
                sum += inputDistanceCdf.At(inputDistance[i]);
            }

            scores[i] = parts == 2 ? 0.5 * sum : sum / parts;
        }

        return scores;
    }

    private static IDataView ToDataView(MLContext ml, float[][] rows)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        schema[nameof(FeatureRow.Features)].ColumnName = FeatureColumnName;
        return ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureRow { Features = r }).ToList(), schema);
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
