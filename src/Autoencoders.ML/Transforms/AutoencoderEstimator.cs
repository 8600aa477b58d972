using System.Threading;
using Autoencoders.ML.Kinds.Variational;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Autoencoders.ML.Transforms;

/// <summary>
/// Trains a dense autoencoder on a column and returns an <see cref="AutoencoderTransformer"/> that adds its latent code,
/// reconstruction and/or reconstruction error. Create it with <c>mlContext.Transforms.Autoencoder(...)</c>.
/// </summary>
/// <remarks>
/// | | |
/// |---|---|
/// | Does this estimator need to look at the data to train its parameters? | Yes |
/// | Input column data type | Known-size vector of <see cref="float"/> |
/// | Output column data types | Latent: known-size vector of <see cref="float"/>; reconstruction: vector of the input size; error: <see cref="float"/> |
/// | Exportable to ONNX | Yes: <c>transformer.Model.ExportOnnx(...)</c>, and <c>mlContext.Model.Save</c> embeds the ONNX graph |
/// </remarks>
public sealed class AutoencoderEstimator : IEstimator<AutoencoderTransformer>
{
    private readonly IHostEnvironment environment;

    internal AutoencoderEstimator(IHostEnvironment environment, Options options)
    {
        this.environment = environment;
        EstimatorOptions = options ?? throw new ArgumentNullException(nameof(options));
        options.Columns.Validate();
        options.Model.Validate();
        options.Training.Validate();
        if (options.TargetColumnName != null && options.Columns.ReconstructionErrorColumnName != null)
        {
            throw new ArgumentException(
                "ReconstructionErrorColumnName compares the output with the input, which a paired model (TargetColumnName set) does not reconstruct. " +
                "Leave ReconstructionErrorColumnName unset and compare the output with the target yourself, or use AutoencoderModel.EvaluateDenoising.",
                nameof(options));
        }

        if (options.ScoringBatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ScoringBatchSize, "ScoringBatchSize must be positive.");
        }

        if (options.Columns.LogVarianceColumnName != null && options.Model is not VariationalAutoencoderOptions)
        {
            throw new ArgumentException("Columns.LogVarianceColumnName needs a variational model: set Model to a VariationalAutoencoderOptions.", nameof(options));
        }
    }

    /// <summary>The options this estimator trains with.</summary>
    public Options EstimatorOptions { get; }

    /// <summary>Trains the autoencoder on <paramref name="input"/> (every bad input is reported before training starts).</summary>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = EstimatorOptions;
        var trainer = new AutoencoderTrainer((MLContext?)(environment as MLContext) ?? new MLContext(), o.Model, o.Training) { Environment = environment };
        var progress = SynchronousProgress<EpochReport>.Combine(o.Progress, o.OnEpoch);
        var model = trainer.Fit(input, o.Columns.InputColumnName, o.ValidationData, progress, o.CancellationToken, o.TargetColumnName);
        try
        {
            return new AutoencoderTransformer(model, o.Columns, o.ScoringBatchSize, o.ScoringThreads, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Checks the input column and returns the schema shape after the transform.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = EstimatorOptions.Columns;
        SchemaShapes.CheckVectorOfSingle(inputSchema, c.InputColumnName, "input");
        if (EstimatorOptions.TargetColumnName != null)
        {
            SchemaShapes.CheckVectorOfSingle(inputSchema, EstimatorOptions.TargetColumnName, "target");
        }

        var added = new List<(string, DataViewType)>();
        // Sizes are known only after training; the shape records the kind (vector or scalar) and the item type.
        if (c.LatentColumnName != null)
        {
            added.Add((c.LatentColumnName, new VectorDataViewType(NumberDataViewType.Single, EstimatorOptions.Model.LatentSize)));
        }

        if (c.ReconstructionColumnName != null)
        {
            added.Add((c.ReconstructionColumnName, new VectorDataViewType(NumberDataViewType.Single, 1)));
        }

        if (c.ReconstructionErrorColumnName != null)
        {
            added.Add((c.ReconstructionErrorColumnName, NumberDataViewType.Single));
        }

        if (c.LogVarianceColumnName != null)
        {
            added.Add((c.LogVarianceColumnName, new VectorDataViewType(NumberDataViewType.Single, EstimatorOptions.Model.LatentSize)));
        }

        return SchemaShapes.Append(inputSchema, added);
    }

    /// <summary>Everything the estimator needs: columns, architecture, training and scoring settings.</summary>
    public sealed class Options
    {
        /// <summary>Input and output columns.</summary>
        public AutoencoderColumns Columns { get; set; } = new();

        /// <summary>Architecture and loss.</summary>
        public AutoencoderOptions Model { get; set; } = new();

        /// <summary>Optimizer, epochs, validation, early stopping, seed...</summary>
        public TrainingOptions Training { get; set; } = new();

        /// <summary>
        /// Paired training (image-to-image: denoising with real clean/noisy pairs, super-resolution, watermark removal,
        /// coloring): the column the reconstruction must match. Its size becomes the output size. Null (default)
        /// reconstructs the input. Needed only by <see cref="Fit"/>; the fitted transform reads the input column only.
        /// </summary>
        public string? TargetColumnName { get; set; }

        /// <summary>Optional separate validation rows (same input column).</summary>
        public IDataView? ValidationData { get; set; }

        /// <summary>Receives one report per epoch (called on the training thread).</summary>
        public IProgress<EpochReport>? Progress { get; set; }

        /// <summary>
        /// Called with each epoch's report on the training thread, before the next epoch starts: a plain callback, for
        /// example <c>OnEpoch = r =&gt; reports.Add(r)</c> or a progress bar's update. May be combined with <see cref="Progress"/>.
        /// </summary>
        public Action<EpochReport>? OnEpoch { get; set; }

        /// <summary>Cancels training (between batches).</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>Rows per ONNX Runtime call when the transform scores an <see cref="IDataView"/>. Default 512.</summary>
        public int ScoringBatchSize { get; set; } = ScoringTransformer.DefaultScoringBatchSize;

        /// <summary>ONNX Runtime intra-op threads for scoring; null (default): one per physical core on Linux, ONNX Runtime's own choice elsewhere.</summary>
        public int? ScoringThreads { get; set; }
    }
}
