
namespace Autoencoders.ML.Onnx;

/// <summary>How an <see cref="OnnxGraphBuilder"/> shapes a graph's inputs and outputs while it writes the graph.</summary>
/// <param name="Scaling">Scales <see cref="OnnxNames.Features"/> on the way in and unscales <see cref="OnnxNames.Reconstruction"/> on the way out (null: none).</param>
/// <param name="Rename">Contract name → the name the graph's input or output gets (null keeps the contract names).</param>
/// <param name="PerRow">
/// One row per run: input [n], vector outputs [n], one-value outputs [1]. ML.NET's OnnxTransformer runs one row at a
/// time and turns a [batch, n] output into a Vector&lt;Single, 1, n&gt; column, which trainers reject; the one-row form
/// gives Vector&lt;Single, n&gt;, and Vector&lt;Single, 1&gt; for a one-value output.
/// </param>
/// <param name="Outputs">The outputs to keep, in order (null keeps every output in the order written).</param>
internal sealed record OnnxGraphOptions(
    FeatureScaling? Scaling = null, IReadOnlyDictionary<string, string>? Rename = null, bool PerRow = false, IReadOnlyList<string>? Outputs = null)
{
    /// <summary>The name contract name <paramref name="name"/> gets in the graph.</summary>
    public string External(string name) => Rename != null && Rename.TryGetValue(name, out var renamed) ? renamed : name;
}
