using Autoencoders.ML.Layers;
using TorchSharp.Modules;

namespace Autoencoders.ML.Classification;

/// <summary>
/// A pretrained autoencoder with a classification head on its code: x → encoder → (dropout while training) → dense
/// logits, one per class. The decoder stays in the module so the reconstruction loss can keep regularising the encoder
/// during fine-tuning. State-dict keys are the autoencoder's own (<c>autoencoder.encoder.layers.{i}.*</c>, ...) and
/// <c>head.weight</c>, <c>head.bias</c>; the ONNX initializers of the head carry the same names.
/// </summary>
internal sealed class ClassifierNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>State-dict prefix of the head, also the prefix of its ONNX initializers.</summary>
    public const string HeadPrefix = "head";

    // Field names are state-dict prefixes.
    private readonly AutoencoderModule autoencoder;
    private readonly Linear head;

    /// <summary>Puts a fresh head of <paramref name="classes"/> outputs on <paramref name="autoencoder"/>'s code.</summary>
    /// <param name="autoencoder">The network whose encoder is fine-tuned (owned from now on).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="dropout">Dropout probability on the code while training.</param>
    public ClassifierNetwork(AutoencoderModule autoencoder, int classes, float dropout)
        : base(nameof(ClassifierNetwork))
    {
        this.autoencoder = autoencoder;
        HeadSpec = new DenseLayerSpec(autoencoder.Spec.LatentSize, classes, Activation.None, dropout);
        head = (Linear)HeadSpec.CreateModule();
        RegisterComponents();
    }

    /// <summary>The autoencoder (encoder and decoder).</summary>
    public AutoencoderModule Autoencoder => autoencoder;

    /// <summary>The head's affine map.</summary>
    public Linear Head => head;

    /// <summary>The head as a layer spec: code size → classes, no activation (softmax comes after), dropout before it.</summary>
    public DenseLayerSpec HeadSpec { get; }

    /// <summary>Number of classes.</summary>
    public int Classes => HeadSpec.Out;

    /// <summary>Scaled input (N, D) → logits (N, classes).</summary>
    public override Tensor forward(Tensor x) => Logits(x, trainEncoder: true);

    /// <summary>Scaled input (N, D) → logits (N, classes); with <paramref name="trainEncoder"/> false the code is computed without gradients.</summary>
    public Tensor Logits(Tensor x, bool trainEncoder)
    {
        Tensor code;
        if (trainEncoder)
        {
            code = autoencoder.Encode(x);
        }
        else
        {
            using var noGrad = no_grad();
            code = autoencoder.Encode(x).detach();
        }

        if (training && HeadSpec.Dropout > 0)
        {
            code = nn.functional.dropout(code, HeadSpec.Dropout, training: true);
        }

        return head.forward(code);
    }
}
