namespace Autoencoders.ML.Onnx;

/// <summary>
/// The names of the inputs, outputs and dimensions of every exported ONNX graph, and the metadata_props keys they carry.
/// They are the deployment contract: code that feeds an exported model (ML.NET's ONNX transform, ONNX Runtime, other
/// languages) binds to these names.
/// </summary>
public static class OnnxNames
{
    /// <summary>Input of the encoder and autoencoder graphs: rows of input values, shape [batch, input size].</summary>
    public const string Features = "features";

    /// <summary>
    /// Output of the encoder and autoencoder graphs and input of the decoder graph: latent codes, shape
    /// [batch, latent size].
    /// </summary>
    public const string Latent = "latent";

    /// <summary>Output of the decoder and autoencoder graphs: reconstructed rows, shape [batch, output size].</summary>
    public const string Reconstruction = "reconstruction";

    /// <summary>Output of a variational encoder graph: the posterior mean μ, shape [batch, latent size].</summary>
    public const string Mean = "mean";

    /// <summary>Output of a variational encoder graph: the posterior log-variance log σ², shape [batch, latent size].</summary>
    public const string LogVariance = "log_variance";

    /// <summary>The symbolic (dim_param) name of the first dimension of every input and output.</summary>
    public const string BatchDimension = "batch";

    /// <summary>Output of the anomaly graph (<c>anomaly.onnx</c>): one score per row in [0, 1], higher = more anomalous, shape [batch].</summary>
    internal const string AnomalyScore = "score";

    /// <summary>Output the anomaly graph adds for the ML.NET transform: 1 when score &gt; threshold, else 0, shape [batch].</summary>
    internal const string IsAnomaly = "is_anomaly";

    /// <summary>Metadata key of the anomaly graph holding the threshold (invariant culture, round-trip format).</summary>
    internal const string ThresholdKey = "threshold";

    /// <summary>Output of the classifier graph: class probabilities, [batch, classes], in the order of <see cref="LabelsKey"/>.</summary>
    internal const string Probabilities = "probabilities";

    /// <summary>Output of the classifier graph for scoring transforms only: the most probable class's index as a float, [batch].</summary>
    internal const string PredictedIndex = "predicted_index";

    /// <summary>Metadata key of the classifier graph listing the classes in output order, comma-separated.</summary>
    internal const string LabelsKey = "labels";

    /// <summary>Metadata key of a graph in a saved pipeline holding the whole model's <c>model.json</c> text.</summary>
    internal const string ModelJsonKey = "autoencoders_ml.model_json";

    /// <summary>Metadata key of a graph in a saved pipeline holding the model's <c>weights.bin</c>, base64.</summary>
    internal const string WeightsKey = "autoencoders_ml.weights";

    /// <summary>Metadata key of a graph in a saved pipeline holding the SHA-256 of the weights, lowercase hex.</summary>
    internal const string WeightsChecksumKey = "autoencoders_ml.weights_sha256";

    /// <summary>Metadata key of every graph this library writes holding the SHA-256 of its <c>GraphProto</c> (nodes and weights), lower-case hex.</summary>
    internal const string GraphChecksumKey = "autoencoders_ml.graph_sha256";

    /// <summary>
    /// Metadata key of every graph this library writes holding the SHA-256 of the whole <c>ModelProto</c> with this one
    /// entry removed (graph and every other metadata entry included), lower-case hex.
    /// </summary>
    internal const string ModelChecksumKey = "autoencoders_ml.model_sha256";

    /// <summary>Metadata key of a graph in a saved pipeline naming the transform it came from, its columns and batch size (JSON).</summary>
    internal const string TransformKey = "autoencoders_ml.transform";

    /// <summary>Metadata key of an anomaly detector's graph in a saved pipeline holding the scorer's state (JSON).</summary>
    internal const string AnomalyScorerKey = "autoencoders_ml.anomaly_scorer";

    /// <summary>Metadata key of a classifier's graph in a saved pipeline holding the classes and the head (JSON).</summary>
    internal const string ClassifierKey = "autoencoders_ml.classifier";
}
