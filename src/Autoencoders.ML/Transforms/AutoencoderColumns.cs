using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Transforms;

/// <summary>Which column an autoencoder transform reads and which it adds. A null output name means "not produced".</summary>
public sealed class AutoencoderColumns
{
    /// <summary>Default input column.</summary>
    public const string DefaultInput = DefaultColumnNames.Features;

    /// <summary>Default latent code column.</summary>
    public const string DefaultLatent = "Latent";

    /// <summary>The known-size <c>Vector&lt;Single&gt;</c> column to encode. Default <c>Features</c>.</summary>
    public string InputColumnName { get; set; } = DefaultInput;

    /// <summary>Column for the latent code, <c>Vector&lt;Single&gt;</c> of the latent size. Default <c>Latent</c>.</summary>
    public string? LatentColumnName { get; set; } = DefaultLatent;

    /// <summary>Column for the reconstruction, <c>Vector&lt;Single&gt;</c> of the input size. Default: not produced.</summary>
    public string? ReconstructionColumnName { get; set; }

    /// <summary>Column for the per-row reconstruction error (mean squared error over the row), <c>Single</c>. Default: not produced.</summary>
    public string? ReconstructionErrorColumnName { get; set; }

    /// <summary>
    /// Column for the posterior log-variance log σ² of a variational model, <c>Vector&lt;Single&gt;</c> of the latent size
    /// (the latent column then holds the mean μ). Default: not produced; setting it for another model kind is an error.
    /// </summary>
    public string? LogVarianceColumnName { get; set; }

    /// <summary>Checks that at least one output is requested and that output names are distinct.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(InputColumnName))
        {
            throw new ArgumentException("InputColumnName must be set.", nameof(InputColumnName));
        }

        var names = new[] { LatentColumnName, ReconstructionColumnName, ReconstructionErrorColumnName, LogVarianceColumnName }.Where(n => n != null).ToList();
        if (names.Count == 0)
        {
            throw new ArgumentException(
                "Request at least one output column: LatentColumnName, ReconstructionColumnName or ReconstructionErrorColumnName.");
        }

        OptionChecks.DistinctColumns(
            (LatentColumnName, nameof(LatentColumnName)),
            (ReconstructionColumnName, nameof(ReconstructionColumnName)),
            (ReconstructionErrorColumnName, nameof(ReconstructionErrorColumnName)),
            (LogVarianceColumnName, nameof(LogVarianceColumnName)));
    }

    internal IEnumerable<ScoredColumn> Outputs(AutoencoderModel model)
    {
        if (LatentColumnName != null)
        {
            yield return new ScoredColumn(LatentColumnName, OnnxNames.Latent, model.LatentSize, IsScalar: false);
        }

        if (ReconstructionColumnName != null)
        {
            yield return new ScoredColumn(ReconstructionColumnName, OnnxNames.Reconstruction, model.Spec.OutputSize, IsScalar: false);
        }

        if (ReconstructionErrorColumnName != null)
        {
            yield return new ScoredColumn(ReconstructionErrorColumnName, OnnxScoringGraph.ReconstructionError, 1, IsScalar: true);
        }

        if (LogVarianceColumnName != null)
        {
            yield return model.IsVariational
                ? new ScoredColumn(LogVarianceColumnName, OnnxNames.LogVariance, model.LatentSize, IsScalar: false)
                : throw new ArgumentException(
                    $"LogVarianceColumnName ('{LogVarianceColumnName}') needs a variational model; this one is {model.Kind}. Train with VariationalAutoencoderOptions or leave it unset.");
        }
    }
}
