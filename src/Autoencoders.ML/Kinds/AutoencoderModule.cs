using Autoencoders.ML.Layers;
using Autoencoders.ML.Onnx;

namespace Autoencoders.ML.Kinds;

/// <summary>
/// Base of every autoencoder network (one subclass per model kind, made by its <see cref="KindRegistration"/>). The trainer
/// only needs <see cref="Loss"/>; the C# API and the transforms need <see cref="Encode"/> and <see cref="DecodeLogits"/>;
/// the ONNX exporter asks the network to write its own encoder (<see cref="EmitEncoder"/>) and decoder
/// (<see cref="EmitDecoder"/>), from the same layer objects that run in torch.
/// </summary>
internal abstract class AutoencoderModule : nn.Module<Tensor, Tensor>
{
    /// <summary>State-dict prefix of the encoder stack, also the prefix of its ONNX initializers.</summary>
    protected const string EncoderPrefix = "encoder";

    /// <summary>State-dict prefix of the decoder stack, also the prefix of its ONNX initializers.</summary>
    protected const string DecoderPrefix = "decoder";

    protected AutoencoderModule(string name, AutoencoderSpec spec)
        : base(name)
    {
        Spec = spec;
    }

    /// <summary>The architecture the module was built from.</summary>
    public AutoencoderSpec Spec { get; }

    /// <summary>
    /// The image augmentation of the training run in progress (<see cref="TrainingOptions.Augmentation"/>), set by the
    /// run around its epochs, null otherwise: a kind that compares two random views of a row (the mixture kind's
    /// consistency term) draws the second one with it.
    /// </summary>
    internal ImageAugmentation? TrainingAugmentation { get; set; }

    /// <summary>The model family written to metadata and model.json, e.g. <c>dense</c> or <c>variational</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The decoder layers (every kind decodes a latent code with a stack under the state-dict prefix <c>decoder</c>).</summary>
    public abstract LayerStack Decoder { get; }

    /// <summary>The name of the code among the exported encoder's outputs: <see cref="OnnxNames.Latent"/>, or <see cref="OnnxNames.Mean"/> for a VAE.</summary>
    public virtual string CodeOutput => OnnxNames.Latent;

    /// <summary>x (N, D) → the deterministic latent code (N, latent) used by transforms (the mean for a VAE).</summary>
    public abstract Tensor Encode(Tensor x);

    /// <summary>latent (N, latent) → decoder output before the output activation (N, D').</summary>
    public virtual Tensor DecodeLogits(Tensor z) => Decoder.forward(z);

    /// <summary>latent (N, latent) → reconstruction (N, D'), output activation applied.</summary>
    public Tensor Decode(Tensor z) => ApplyOutputActivation(DecodeLogits(z));

    /// <summary>x (N, D) → reconstruction (N, D').</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));

    /// <summary>Applies the spec's output activation to decoder logits.</summary>
    public Tensor ApplyOutputActivation(Tensor logits) => Activations.Apply(logits, Activations.Of(Spec.OutputActivation));

    /// <summary>
    /// The loss of one batch and its named parts (scalar tensors; the total is what is minimised). The default is the
    /// reconstruction loss of <see cref="forward"/>; a model kind with a regulariser (a VAE's KL term) overrides it.
    /// </summary>
    /// <param name="input">What the encoder sees, possibly corrupted, (N, D).</param>
    /// <param name="target">What the reconstruction should be, (N, D').</param>
    /// <param name="loss">The reconstruction loss.</param>
    /// <param name="progress">Where training is (for schedules such as KL warm-up).</param>
    public virtual LossBreakdown Loss(Tensor input, Tensor target, ReconstructionLoss loss, TrainingProgress progress)
    {
        var reconstruction = LossFunctions.Reconstruction(DecodeLogits(Encode(input)), target, loss, Spec.OutputActivation);
        return new LossBreakdown(reconstruction, new Dictionary<string, Tensor> { [LossBreakdown.Reconstruction] = reconstruction });
    }

    /// <summary>
    /// The reconstruction loss of one batch (as <see cref="Loss"/>) with every parameter's gradient already written by
    /// a backward pass written by hand instead of autograd, or null when this network trains through autograd only.
    /// Only the owner of the gradients calls it (a training run whose loss is this one term): the gradients are
    /// overwritten, not added to.
    /// </summary>
    /// <param name="input">What the encoder sees, possibly corrupted, (N, D).</param>
    /// <param name="target">What the reconstruction should be, (N, D').</param>
    /// <param name="loss">The reconstruction loss.</param>
    internal virtual LossBreakdown? LossWithGradients(Tensor input, Tensor target, ReconstructionLoss loss) => null;

    /// <summary>
    /// Writes the encoder as ONNX nodes reading <paramref name="input"/> ([batch, D]); every encoder output goes to
    /// <see cref="OnnxGraphBuilder.OutputTarget"/> of its name, the code under <paramref name="code"/>.
    /// </summary>
    /// <returns>The names of the encoder's outputs, the code first; each has <see cref="AutoencoderSpec.LatentSize"/> values per row.</returns>
    public abstract IReadOnlyList<string> EmitEncoder(OnnxGraphBuilder graph, string input, string code);

    /// <summary>Writes the decoder as ONNX nodes: <paramref name="latent"/> → <paramref name="output"/>, output activation included.</summary>
    public void EmitDecoder(OnnxGraphBuilder graph, string latent, string output)
    {
        var activation = Activations.Of(Spec.OutputActivation);
        string logits = Activations.Input(activation, output, DecoderPrefix + ".logits");
        Decoder.Emit(graph, DecoderPrefix, latent, logits);
        Activations.Emit(graph, activation, logits, output, DecoderPrefix + ".output");
    }

    /// <summary>Values per row of encoder output <paramref name="name"/> (null for one value per row); default the latent size.</summary>
    public virtual int? OutputWidth(string name) => Spec.LatentSize;

    /// <summary>
    /// Called by the trainer once, before the first epoch of a fresh (not continued) run, on the seeded network: a kind
    /// that initialises itself from the data does it here. Default: nothing.
    /// </summary>
    internal virtual void Prepare(TrainingPreparation preparation)
    {
    }

    /// <summary>What the kind adds to the description of its graphs (a sentence ending in a space, or empty).</summary>
    public virtual string OnnxNote => string.Empty;

    /// <summary>What the kind adds to the metadata_props of its graphs.</summary>
    public virtual IEnumerable<(string Key, string Value)> OnnxMetadata() => Enumerable.Empty<(string, string)>();
}
