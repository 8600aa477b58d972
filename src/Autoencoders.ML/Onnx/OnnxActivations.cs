using System;
using Autoencoders.ML.Architecture;
using Onnx;

namespace Autoencoders.ML.Onnx;

/// <summary>
/// Writes an <see cref="Activation"/> as ONNX nodes, reproducing <c>AutoencoderNetwork.Activate</c> exactly. Shared by
/// every layer kind.
/// </summary>
internal static class OnnxActivations
{
    // torch's exact GELU computes x·0.5·(1 + erf(x·(1/√2))); multiplying by the same float constant keeps the rounding alike.
    private const float InverseSqrt2 = 0.70710678118654752440f;

    /// <summary>
    /// Applies <paramref name="activation"/> to <paramref name="input"/>, writing <paramref name="output"/>. Callers must not
    /// pass <see cref="Activation.None"/>: the node before it writes the output directly, so no Identity node is needed.
    /// </summary>
    /// <param name="builder">The graph being written.</param>
    /// <param name="activation">Any activation but <see cref="Activation.None"/>.</param>
    /// <param name="input">Name of the pre-activation tensor.</param>
    /// <param name="output">Name of the tensor to produce.</param>
    /// <param name="prefix">Unique prefix for intermediate tensors, e.g. <c>encoder.0</c>.</param>
    public static void Append(OnnxModelBuilder builder, Activation activation, string input, string output, string prefix)
    {
        if (activation == Activation.GELU)
        {
            AppendGelu(builder, input, output, prefix);
            return;
        }

        var (opType, attributes) = activation switch
        {
            Activation.ReLU => ("Relu", Array.Empty<AttributeProto>()),
            Activation.LeakyReLU => ("LeakyRelu", new[] { OnnxModelBuilder.FloatAttribute("alpha", 0.01f) }),
            Activation.Tanh => ("Tanh", Array.Empty<AttributeProto>()),
            Activation.Sigmoid => ("Sigmoid", Array.Empty<AttributeProto>()),
            Activation.ELU => ("Elu", new[] { OnnxModelBuilder.FloatAttribute("alpha", 1f) }),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "No ONNX form for this activation."),
        };
        builder.AddNode(opType, new[] { input }, output, attributes);
    }

    /// <summary>The ONNX activation that matches an output activation, or <see cref="Activation.None"/> for identity.</summary>
    public static Activation Of(OutputActivation outputActivation) => outputActivation switch
    {
        OutputActivation.Identity => Activation.None,
        OutputActivation.Sigmoid => Activation.Sigmoid,
        _ => throw new ArgumentOutOfRangeException(nameof(outputActivation), outputActivation, "Unknown output activation."),
    };

    // Opset 17 has no Gelu operator (it came in opset 20): 0.5·x·(1 + erf(x/√2)) from elementary nodes.
    private static void AppendGelu(OnnxModelBuilder builder, string input, string output, string prefix)
    {
        string scaled = prefix + ".gelu.scaled";
        string erf = prefix + ".gelu.erf";
        string onePlusErf = prefix + ".gelu.one_plus_erf";
        string half = prefix + ".gelu.half_x";
        builder.AddNode("Mul", new[] { input, builder.Scalar("const.inv_sqrt2", InverseSqrt2) }, scaled);
        builder.AddNode("Erf", new[] { scaled }, erf);
        builder.AddNode("Add", new[] { erf, builder.Scalar("const.one", 1f) }, onePlusErf);
        builder.AddNode("Mul", new[] { input, builder.Scalar("const.half", 0.5f) }, half);
        builder.AddNode("Mul", new[] { half, onePlusErf }, output);
    }
}
