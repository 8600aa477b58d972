using System.Globalization;
using Autoencoders.ML.Onnx;
using Onnx;

namespace Autoencoders.ML.Anomaly;

/// <summary>
/// The anomaly score of an <see cref="AnomalyScorer"/> as one ONNX graph (<c>features</c> → <c>score</c>, and
/// <c>is_anomaly</c> for the ML.NET transform): robust scaling, the model's encoder and decoder, the reconstruction part
/// (squared error, plus KL(q(z|x) ‖ N(0, I)) for a VAE), the latent k-th-neighbour distance against the training codes
/// and the input k-th-neighbour distance against the scaled training rows (each stored as an initializer: squared
/// differences, then TopK; the intermediate holds batch × training rows × width floats), and each part's interpolated CDF among the
/// training rows' values (the count below via Less + ReduceSum, then a linear interpolation between the two training values around it). The ML.NET transform runs this same graph, so the
/// transform and <c>anomaly.onnx</c> are the same computation.
/// </summary>
internal static class AnomalyOnnxGraph
{
    /// <summary>Builds the graph.</summary>
    /// <param name="scorer">The fitted score.</param>
    /// <param name="threshold">Rows scoring above it get <c>is_anomaly</c> = 1 (written to the metadata).</param>
    /// <param name="outputs">The outputs to keep, among <see cref="OnnxNames.AnomalyScore"/> and <see cref="OnnxNames.IsAnomaly"/>.</param>
    /// <param name="rename">Tensor name → new name for the input and outputs (null keeps the contract names).</param>
    /// <param name="perRow">One row per run (ML.NET's OnnxTransformer in a saved pipeline).</param>
    public static ModelProto Build(AnomalyScorer scorer, double threshold, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string>? rename = null, bool perRow = false)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var model = scorer.Model;
        var network = model.Network;
        var g = new OnnxGraphBuilder("autoencoders_ml_anomaly", new OnnxGraphOptions(null, rename, perRow, outputs));
        string x = g.AddInput(OnnxNames.Features, model.InputSize);
        if (scorer.InputScaling is { } robust)
        {
            g.AddNode("Sub", new[] { x, g.Floats("anomaly.robust_center", robust.Center, robust.Width) }, "anomaly.robust_centered");
            g.AddNode("Mul", new[] { "anomaly.robust_centered", g.Floats("anomaly.robust_scale", robust.Scale, robust.Width) }, "anomaly.robust_scaled");
            x = "anomaly.robust_scaled";
            if (robust.SignedLog)
            {
                // sign(z) · ln(|z| + 1), as RobustScaling.Apply.
                g.AddNode("Abs", new[] { x }, "anomaly.signed_log.magnitude");
                g.AddNode("Add", new[] { "anomaly.signed_log.magnitude", g.Scalar("anomaly.one", 1f) }, "anomaly.signed_log.shifted");
                g.AddNode("Log", new[] { "anomaly.signed_log.shifted" }, "anomaly.signed_log.log");
                g.AddNode("Sign", new[] { x }, "anomaly.signed_log.sign");
                g.AddNode("Mul", new[] { "anomaly.signed_log.sign", "anomaly.signed_log.log" }, "anomaly.signed_log");
                x = "anomaly.signed_log";
            }
        }

        string scaledInput = x;
        if (model.Scaling is { } scaling)
        {
            g.AddNode("Sub", new[] { x, g.Floats("anomaly.model_shift", scaling.InputShift, scaling.InputShift.Length) }, "anomaly.model_shifted");
            g.AddNode("Mul", new[] { "anomaly.model_shifted", g.Floats("anomaly.model_scale", scaling.InputScale, scaling.InputScale.Length) }, "anomaly.model_scaled");
            x = "anomaly.model_scaled";
        }

        // The network in its own units: the code (posterior mean for a VAE), the reconstruction decoded from it.
        var codes = network.EmitEncoder(g, x, OnnxNames.Latent);
        string code = g.OutputTarget(OnnxNames.Latent);
        network.EmitDecoder(g, code, "anomaly.reconstruction");
        g.AddNode("Sub", new[] { x, "anomaly.reconstruction" }, "anomaly.difference");
        g.AddNode("Mul", new[] { "anomaly.difference", "anomaly.difference" }, "anomaly.squared");
        string axis1 = g.Int64("anomaly.axis1", 1);
        g.AddNode("ReduceSum", new[] { "anomaly.squared", axis1 }, "anomaly.squared_error", OnnxGraphBuilder.Int("keepdims", 0));
        string reconstructionPart = "anomaly.squared_error";
        if (codes.Contains(OnnxNames.LogVariance))
        {
            // KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²).
            string logVariance = g.OutputTarget(OnnxNames.LogVariance);
            g.AddNode("Mul", new[] { code, code }, "anomaly.kl.mean_squared");
            g.AddNode("Exp", new[] { logVariance }, "anomaly.kl.variance");
            g.AddNode("Add", new[] { "anomaly.kl.mean_squared", "anomaly.kl.variance" }, "anomaly.kl.sum");
            g.AddNode("Sub", new[] { "anomaly.kl.sum", g.Scalar("anomaly.one", 1f) }, "anomaly.kl.minus_one");
            g.AddNode("Sub", new[] { "anomaly.kl.minus_one", logVariance }, "anomaly.kl.terms");
            g.AddNode("ReduceSum", new[] { "anomaly.kl.terms", axis1 }, "anomaly.kl.total", OnnxGraphBuilder.Int("keepdims", 0));
            g.AddNode("Mul", new[] { "anomaly.kl.total", g.Scalar("anomaly.half", 0.5f) }, "anomaly.kl");
            g.AddNode("Add", new[] { "anomaly.squared_error", "anomaly.kl" }, "anomaly.negative_elbo");
            reconstructionPart = "anomaly.negative_elbo";
        }

        string score = g.OutputTarget(OnnxNames.AnomalyScore);
        var cdfs = new List<string> { Cdf(g, "anomaly.reconstruction_cdf", reconstructionPart, scorer.ReconstructionCdf) };
        if (scorer.Neighbours > 0)
        {
            string distance = KthNeighbourDistance(g, "anomaly.knn", code, scorer.ReferenceCodes, scorer.Neighbours);
            cdfs.Add(Cdf(g, "anomaly.distance_cdf", distance, scorer.DistanceCdf!));
        }

        if (scorer.InputNeighbours > 0)
        {
            string distance = KthNeighbourDistance(g, "anomaly.input_knn", scaledInput, scorer.ReferenceRows, scorer.InputNeighbours);
            cdfs.Add(Cdf(g, "anomaly.input_distance_cdf", distance, scorer.InputDistanceCdf!));
        }

        // The average of the parts, summed in AnomalyScorer.Combine's order.
        string sum = cdfs[0];
        for (int i = 1; i < cdfs.Count; i++)
        {
            g.AddNode("Add", new[] { sum, cdfs[i] }, i == 1 ? "anomaly.cdf_sum" : $"anomaly.cdf_sum{i}");
            sum = i == 1 ? "anomaly.cdf_sum" : $"anomaly.cdf_sum{i}";
        }

        if (cdfs.Count == 1)
        {
            g.AddNode("Identity", new[] { sum }, score);
        }
        else
        {
            g.AddNode("Mul", new[] { sum, cdfs.Count == 2 ? g.Scalar("anomaly.half", 0.5f) : g.Scalar("anomaly.part_weight", 1f / cdfs.Count) }, score);
        }

        g.AddOutput(OnnxNames.AnomalyScore, width: null);
        g.AddNode("Greater", new[] { g.DataTensor(OnnxNames.AnomalyScore), g.Scalar("anomaly.threshold", (float)threshold) }, "anomaly.above_threshold");
        g.AddNode("Cast", new[] { "anomaly.above_threshold" }, g.OutputTarget(OnnxNames.IsAnomaly), OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float));
        g.AddOutput(OnnxNames.IsAnomaly, width: null);

        var culture = CultureInfo.InvariantCulture;
        string parts = (scorer.Model.IsVariational ? "negative ELBO" : "squared reconstruction error") +
            (scorer.Neighbours > 0 ? $", distance to the {scorer.Neighbours}th nearest training code" : string.Empty) +
            (scorer.InputNeighbours > 0 ? $", distance to the {scorer.InputNeighbours}th nearest scaled training row" : string.Empty);
        return g.Build(
            signature => $"Autoencoders.ML anomaly score ({model.Kind} autoencoder {model.Spec}): {signature}. " +
                $"score = {(cdfs.Count > 1 ? "average of the empirical CDFs (interpolated)" : "empirical CDF (interpolated)")} of the {parts} among the {scorer.TrainingRows} training rows, " +
                $"in [0, 1], higher = more anomalous; is_anomaly = score > threshold ({threshold.ToString("R", culture)}). Feed raw values (scaling is inside).",
            new (string, string)[]
            {
                ("kind", "anomaly"),
                ("graph", "anomaly"),
                (OnnxNames.ThresholdKey, threshold.ToString("R", culture)),
                ("input_size", model.InputSize.ToString(culture)),
                ("model_kind", model.Kind),
                ("architecture", model.Spec.ToJson()),
                ("score_parts", parts),
                ("neighbours", scorer.Neighbours.ToString(culture)),
                ("input_neighbours", scorer.InputNeighbours.ToString(culture)),
                ("recipe", scorer.Recipe is { } recipe ? $"{recipe} ({scorer.RecipeReason})" : "none (a given model, AnomalyScorer.Fit)"),
                ("training_rows", scorer.TrainingRows.ToString(culture)),
                ("input_scaling", scorer.InputScaling != null ? $"robust (median / IQR{(scorer.InputScaling.SignedLog ? ", then sign(z)·ln(1 + |z|)" : string.Empty)}, inside the graph: feed raw values)" : model.Scaling != null ? $"{model.Scaling.Name} (inside the graph: feed raw values)" : "none"),
            });
    }

    // The training CDF of value [batch] (EmpiricalCdf.At): c = #knots below it, i = clamp(c, 1, K − 1),
    // cdf = Y[i−1] + clamp((v − X[i−1]) / (X[i] − X[i−1]), 0, 1) · (Y[i] − Y[i−1]). [batch].
    private static string Cdf(OnnxGraphBuilder g, string name, string value, EmpiricalCdf cdf)
    {
        int knots = cdf.X.Length;
        string x = g.Floats(name + ".knots_x", cdf.X, knots);
        string y = g.Floats(name + ".knots_y", cdf.Y, knots);
        string axis1 = g.Int64("anomaly.axis1", 1);
        g.AddNode("Unsqueeze", new[] { value, axis1 }, name + ".column");
        g.AddNode("Less", new[] { x, name + ".column" }, name + ".below_mask");
        g.AddNode("Cast", new[] { name + ".below_mask" }, name + ".below_float", OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float));
        g.AddNode("ReduceSum", new[] { name + ".below_float", axis1 }, name + ".below", OnnxGraphBuilder.Int("keepdims", 0));
        g.AddNode("Clip", new[] { name + ".below", g.Scalar("anomaly.one", 1f), g.Scalar(name + ".last_knot", knots - 1) }, name + ".segment_float");
        g.AddNode("Cast", new[] { name + ".segment_float" }, name + ".segment", OnnxGraphBuilder.Int("to", (long)TensorProto.Types.DataType.Int64));
        g.AddNode("Sub", new[] { name + ".segment", g.Int64Scalar("anomaly.one_int", 1) }, name + ".segment_start");
        foreach (var (table, end) in new[] { (x, "x"), (y, "y") })
        {
            g.AddNode("Gather", new[] { table, name + ".segment_start" }, $"{name}.low_{end}", OnnxGraphBuilder.Int("axis", 0));
            g.AddNode("Gather", new[] { table, name + ".segment" }, $"{name}.high_{end}", OnnxGraphBuilder.Int("axis", 0));
            g.AddNode("Sub", new[] { $"{name}.high_{end}", $"{name}.low_{end}" }, $"{name}.rise_{end}");
        }

        g.AddNode("Max", new[] { name + ".rise_x", g.Scalar("anomaly.tiny", 1e-30f) }, name + ".gap");
        g.AddNode("Sub", new[] { value, name + ".low_x" }, name + ".offset");
        g.AddNode("Div", new[] { name + ".offset", name + ".gap" }, name + ".fraction_raw");
        g.AddNode("Clip", new[] { name + ".fraction_raw", g.Scalar("anomaly.zero", 0f), g.Scalar("anomaly.one", 1f) }, name + ".fraction");
        g.AddNode("Mul", new[] { name + ".fraction", name + ".rise_y" }, name + ".step");
        g.AddNode("Add", new[] { name + ".low_y", name + ".step" }, name);
        return name;
    }

    // Distance from each code [batch, L] to its k-th nearest training code, from the differences themselves (not the
    // ‖q‖² + ‖r‖² − 2q·r expansion, whose rounding depends on the batch size and cancels for near neighbours).
    private static string KthNeighbourDistance(OnnxGraphBuilder g, string name, string query, IReadOnlyList<float[]> references, int k)
    {
        int n = references.Count;
        int width = references[0].Length;
        var flat = references.SelectMany(r => r).ToArray();
        g.AddNode("Unsqueeze", new[] { query, g.Int64("anomaly.axis1", 1) }, name + ".query");
        g.AddNode("Sub", new[] { name + ".query", g.Floats(name + (name == "anomaly.knn" ? ".training_codes" : ".training_rows"), flat, n, width) }, name + ".difference");
        g.AddNode("Mul", new[] { name + ".difference", name + ".difference" }, name + ".squares");
        g.AddNode("ReduceSum", new[] { name + ".squares", g.Int64("anomaly.axis2", 2) }, name + ".squared", OnnxGraphBuilder.Int("keepdims", 0));
        int kk = Math.Min(k, n);
        g.AddNode(
            "TopK", new[] { name + ".squared", g.Int64(name + ".k", kk) }, new[] { name + ".nearest", name + ".nearest_index" },
            OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("largest", 0), OnnxGraphBuilder.Int("sorted", 1));
        g.AddNode("Gather", new[] { name + ".nearest", g.Int64Scalar(name + ".last", kk - 1) }, name + ".kth_squared", OnnxGraphBuilder.Int("axis", 1));
        g.AddNode("Sqrt", new[] { name + ".kth_squared" }, name + ".distance");
        return name + ".distance";
    }
}
