using Autoencoders.ML.Kinds.Variational;

namespace Autoencoders.ML.IO;

/// <summary>The content of model.json (tools may add top-level properties of their own; they are ignored on load).</summary>
/// <param name="Format">Always <see cref="ModelArchive.Format"/>.</param>
/// <param name="FormatVersion">1 (no manifest) or 2.</param>
/// <param name="LibraryVersion">Version of the library that saved the model.</param>
/// <param name="Kind">The model kind, e.g. dense or variational.</param>
/// <param name="Architecture">The layers.</param>
/// <param name="Options">The architecture options.</param>
/// <param name="Training">The training options.</param>
/// <param name="History">One report per epoch.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
/// <param name="MonitoredLoss">training or validation.</param>
/// <param name="Scaling">The per-value scaling, if any.</param>
/// <param name="RunLosses">With several runs (<see cref="TrainingOptions.Runs"/>), each run's monitored loss; absent for one.</param>
/// <param name="ChosenRun">1-based: the run kept.</param>
/// <param name="Pca">The PCA yardstick measured after training, if it was; absent in files saved before it was recorded.</param>
internal sealed record ModelFile(
    string Format,
    int FormatVersion,
    string LibraryVersion,
    string Kind,
    AutoencoderSpec Architecture,
    AutoencoderOptions Options,
    TrainingOptions Training,
    IReadOnlyList<EpochReport> History,
    int BestEpoch,
    bool StoppedEarly,
    string MonitoredLoss,
    FeatureScaling? Scaling = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? RunLosses = null,
    int ChosenRun = 1,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] TrainingHistory.PcaComparison? Pca = null);
