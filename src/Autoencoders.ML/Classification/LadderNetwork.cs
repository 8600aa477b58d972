using Autoencoders.ML.Kinds.Plain;
using Autoencoders.ML.Layers;
using TorchSharp.Modules;

namespace Autoencoders.ML.Classification;

/// <summary>
/// The Ladder network (Rasmus et al. 2015, dense, vanilla combinator) over a <see cref="ClassifierNetwork"/> whose
/// autoencoder is a dense plain one. Layer l = 1..L is encoder layer l (L − 1 of them) and the head (l = L); layer 0 is
/// the input. Encoder: z_l = BN(W_l h_{l−1}) (no learned scale or shift inside the normalisation; running mean and
/// variance kept for inference), h_l = act_l(γ_l ⊙ (z_l + β_l)), act_l the encoder layer's own activation, the head's
/// output the class logits. The corrupted path adds N(0, σ²) to the input and to every z_l; the clean path does not;
/// both share every weight. Decoder, from the top: u_L = BN(softmax of the corrupted logits), u_l = BN(V_{l+1} ẑ_{l+1}),
/// ẑ_l = g(z̃_l, u_l) with ten vectors a1..a10 per layer (the paper's eq. 2); the denoising cost is
/// Σ_l λ_l ‖(ẑ_l − μ_l)/σ_l − z_l‖² / width_l averaged over rows, μ_l and σ_l the clean path's batch statistics.
/// In a training batch of labeled and unlabeled rows, each part is normalised with its own statistics, the running
/// statistics follow the clean unlabeled part and the decoder and its cost see the unlabeled part alone (as the paper's
/// code does: normalising both parts together overfits the few labeled rows, measured in docs/classification.md).
/// </summary>
/// <remarks>
/// Initialisation: W_l and its bias are the classifier's own modules (the pretrained encoder's layers and the head), so
/// the encoder starts from the pretrained weights; V_l (no bias) is copied from the pretrained decoder's mirrored layer
/// (decoder layer L − 1 − l, which maps width_l → width_{l−1} in a mirrored autoencoder) when its shape matches, and is
/// random otherwise (always for V_L, which maps the classes back to the code); γ = 1, β = 0; the combinators start as
/// in the paper's code (a2 = a7 = 1, the rest 0). The bias of W_l is kept but has no effect while training (the
/// normalisation removes it); it moves the running mean by the same amount. After training, <see cref="Fold"/> writes
/// the normalisation with its running statistics, γ and β into each W_l and bias, so the classifier (and
/// <c>classifier.onnx</c>) computes the clean path in evaluation mode with no extra nodes.
/// </remarks>
internal sealed class LadderNetwork : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-5;
    private const double Momentum = 0.1;

    // Field names are state-dict prefixes (checkpoints).
    private readonly ClassifierNetwork classifier;
    private readonly ModuleList<Linear> decoder;
    private readonly ModuleList<LadderUnit> units;

    private readonly FineTuningOptions.LadderOptions options;
    private readonly Activation[] activations;

    /// <summary>Builds the ladder on <paramref name="classifier"/> (not owned; its weights are trained in place).</summary>
    /// <param name="classifier">A classifier on a dense plain autoencoder (see <see cref="UnsupportedReason"/>).</param>
    /// <param name="options">The objective's settings.</param>
    public LadderNetwork(ClassifierNetwork classifier, FineTuningOptions.LadderOptions options)
        : base(nameof(LadderNetwork))
    {
        var autoencoder = classifier.Autoencoder as AutoencoderNetwork
            ?? throw new ArgumentException(Message(classifier.Autoencoder), nameof(classifier));
        this.classifier = classifier;
        this.options = options;
        var encoder = autoencoder.Encoder.Specs.Cast<DenseLayerSpec>().ToArray();
        activations = encoder.Select(spec => spec.Act).ToArray();
        Widths = new[] { autoencoder.Spec.InputSize }.Concat(encoder.Select(spec => spec.Out)).Append(classifier.Classes).ToArray();
        int top = Widths.Length - 1;
        var decoderSpecs = autoencoder.Decoder.Specs;
        var maps = new Linear[top];
        for (int l = 1; l <= top; l++)
        {
            var map = nn.Linear(Widths[l], Widths[l - 1], hasBias: false);
            int mirrored = top - 1 - l;
            if (mirrored >= 0 && mirrored < decoderSpecs.Count && decoderSpecs[mirrored] is DenseLayerSpec dense && dense.In == Widths[l] && dense.Out == Widths[l - 1])
            {
                using var noGrad = no_grad();
                map.weight!.copy_(autoencoder.DecoderLayer(mirrored).weight!);
                InitialisedFromDecoder++;
            }

            maps[l - 1] = map;
        }

        decoder = new ModuleList<Linear>(maps);
        units = new ModuleList<LadderUnit>(Widths.Select((width, l) => new LadderUnit(width, normalised: l > 0)).ToArray());
        RegisterComponents();
    }

    /// <summary>Widths of layers 0 (the input) to L (the classes).</summary>
    public int[] Widths { get; }

    /// <summary>How many of the decoder maps V_l were copied from the pretrained decoder.</summary>
    public int InitialisedFromDecoder { get; }

    /// <summary>The ladder's own parameters (decoder maps, combinators, γ and β), beside the classifier's.</summary>
    public Parameter[] OwnParameters() => decoder.parameters().Concat(units.parameters()).ToArray();

    /// <summary>Why <paramref name="autoencoder"/> cannot carry a ladder, or null when it can.</summary>
    public static string? UnsupportedReason(AutoencoderModule autoencoder) =>
        autoencoder is AutoencoderNetwork plain && plain.Spec.Image is null && plain.Encoder.Specs.All(spec => spec is DenseLayerSpec)
            ? null
            : Message(autoencoder);

    private static string Message(AutoencoderModule autoencoder) =>
        $"FineTuning.Ladder needs a dense plain autoencoder (dense encoder layers), but the pretrained model is of kind '{autoencoder.Kind}' ({autoencoder.Spec}). " +
        "Pretrain a dense autoencoder (no convolution, not variational or mixture), or leave FineTuning.Ladder null for the plain classifier objective.";

    /// <summary>Scaled input (N, D) → logits of the clean path (batch statistics in training mode, running ones in evaluation mode).</summary>
    public override Tensor forward(Tensor x) => Encode(x, split: 0, noise: 0, generator: null, updateStatistics: false).Logits;

    /// <summary>
    /// One training step's Ladder terms on a batch: the clean pass (updating the running statistics), the corrupted pass
    /// and the decoder. Returns the corrupted logits (for the supervised cost), the clean logits and the denoising cost.
    /// </summary>
    /// <param name="x">Scaled rows (N, D): the labeled rows first, then the unlabeled ones.</param>
    /// <param name="labeledRows">How many of the first rows are labeled. When the batch has unlabeled rows, each part is
    /// normalised with its own statistics, the running statistics follow the unlabeled part and the decoder denoises
    /// the unlabeled part (as the paper's code does); a batch of labeled rows alone is one part.</param>
    /// <param name="generator">The noise's generator.</param>
    public (Tensor Corrupted, Tensor Clean, Tensor Denoising) Step(Tensor x, long labeledRows, Generator generator)
    {
        long split = labeledRows < x.shape[0] ? labeledRows : 0;
        bool decode = Enumerable.Range(0, Widths.Length).Any(l => options.Cost(l) > 0);
        Pass clean;
        if (decode)
        {
            clean = Encode(x, split, noise: 0, generator: null, updateStatistics: true);
        }
        else
        {
            using var noGrad = no_grad();
            clean = Encode(x, split, noise: 0, generator: null, updateStatistics: true);
        }

        var corrupted = Encode(x, split, options.NoiseStdDev, generator, updateStatistics: false);
        var cost = zeros(1, dtype: x.dtype).squeeze();
        if (decode)
        {
            // The decoder and its cost see the part whose statistics the normalisation kept (the unlabeled rows, or all).
            Tensor Part(Tensor t) => split == 0 ? t : t.narrow(0, split, t.shape[0] - split);
            int top = Widths.Length - 1;
            Tensor? above = null;
            for (int l = top; l >= 0; l--)
            {
                var u = Normalise(l == top ? nn.functional.softmax(Part(corrupted.Logits), 1) : decoder[l].forward(above!));
                var estimate = units[l].Combine(Part(corrupted.Z[l]), u);
                double weight = options.Cost(l);
                if (weight > 0)
                {
                    var normalised = l == 0 ? estimate : (estimate - clean.Mean[l]!) / clean.Std[l]!;
                    cost = cost.Plus((normalised - Part(clean.Z[l])).Squared().sum(1).mean().Times(weight / Widths[l]));
                }

                above = estimate;
            }
        }

        return (corrupted.Logits, clean.Logits, cost);
    }

    /// <summary>Logits of the corrupted path alone (no decoder, no statistics update): the pseudo-label term's perturbed rows.</summary>
    public Tensor CorruptedLogits(Tensor x, Generator generator) => Encode(x, split: 0, options.NoiseStdDev, generator, updateStatistics: false).Logits;

    /// <summary>
    /// Writes the running normalisation, γ and β into each W_l and bias: act(γ ⊙ ((W h + b − m)/s + β)) = act(W' h + b')
    /// with W' = diag(γ/s) W and b' = γ ⊙ ((b − m)/s + β), s = √(v + ε). Afterwards the classifier alone is the clean
    /// path in evaluation mode; the ladder is spent (call it once, after training).
    /// </summary>
    public void Fold()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int l = 1; l < Widths.Length; l++)
        {
            var map = Map(l);
            var unit = units[l];
            var scale = unit.Gamma! / unit.RunningVariance!.Plus(Epsilon).sqrt();
            var weight = map.weight! * scale.unsqueeze(1);
            var bias = ((map.bias! - unit.RunningMean!) * scale).Plus(unit.Gamma! * unit.Beta!);
            map.weight!.copy_(weight);
            map.bias!.copy_(bias);
        }
    }

    /// <summary>Disposes the ladder's own modules (decoder maps and units), not the classifier it was built on.</summary>
    public void DisposeOwnModules()
    {
        decoder.Dispose();
        units.Dispose();
    }

    /// <summary>W_l: encoder layer l (1-based) or, at the top, the head.</summary>
    private Linear Map(int l) => l == Widths.Length - 1 ? classifier.Head : ((AutoencoderNetwork)classifier.Autoencoder).EncoderLayer(l - 1);

    /// <summary>
    /// The encoder on <paramref name="x"/>. In training mode rows [0, split) and [split, N) are normalised each with its
    /// own batch statistics (split 0: all rows together); the statistics returned, and the running ones, are those of
    /// rows [split, N).
    /// </summary>
    private Pass Encode(Tensor x, long split, double noise, Generator? generator, bool updateStatistics)
    {
        int top = Widths.Length - 1;
        var z = new Tensor[top + 1];
        var mean = new Tensor?[top + 1];
        var std = new Tensor?[top + 1];
        z[0] = noise > 0 ? x.Plus(randn(x.shape, dtype: x.dtype, generator: generator).Times(noise)) : x;
        var h = z[0];
        for (int l = 1; l <= top; l++)
        {
            var unit = units[l];
            var pre = Map(l).forward(h);
            Tensor normalised;
            if (training)
            {
                var kept = split == 0 ? pre : pre.narrow(0, split, pre.shape[0] - split);
                (var normalisedPart, mean[l], var variance, std[l]) = BatchStatistics(kept);
                if (updateStatistics)
                {
                    using var noGrad = no_grad();
                    unit.RunningMean!.TimesInPlace(1 - Momentum).PlusInPlace(mean[l]!.detach(), Momentum);
                    unit.RunningVariance!.TimesInPlace(1 - Momentum).PlusInPlace(variance.detach(), Momentum);
                }

                normalised = normalisedPart;
                if (split > 0)
                {
                    normalised = cat(new[] { Normalise(pre.narrow(0, 0, split)), normalised }, 0);
                }
            }
            else
            {
                mean[l] = unit.RunningMean!;
                std[l] = unit.RunningVariance!.Plus(Epsilon).sqrt();
                normalised = (pre - mean[l]!) / std[l]!;
            }

            z[l] = noise > 0 ? normalised.Plus(randn(normalised.shape, dtype: normalised.dtype, generator: generator).Times(noise)) : normalised;
            var affine = unit.Gamma! * z[l].Plus(unit.Beta!);
            h = l < top ? Activations.Apply(affine, activations[l - 1]) : affine;
        }

        return new Pass(z, mean, std, h);
    }

    /// <summary>Batch normalisation without scale or shift, on the batch's own statistics.</summary>
    private static Tensor Normalise(Tensor x) => BatchStatistics(x).Normalised;

    /// <summary>
    /// <paramref name="x"/> normalised with its own column statistics, and those statistics: the mean, the biased
    /// variance (the mean of the centred values' squares) and √(variance + ε). Torch's own <c>var(0)</c> on a (rows,
    /// width) batch took 0.39 ms at 192 × 512 against 0.05 ms for the mean, the centring, the squares and their mean
    /// together (a step computes about twenty variances).
    /// </summary>
    private static (Tensor Normalised, Tensor Mean, Tensor Variance, Tensor Std) BatchStatistics(Tensor x)
    {
        var mean = x.mean(new long[] { 0 });
        var centred = x - mean;
        var variance = centred.Squared().mean(new long[] { 0 });
        var std = variance.Plus(Epsilon).sqrt();
        return (centred / std, mean, variance, std);
    }

    /// <summary>One pass's normalised pre-activations z_0..z_L, the batch statistics of layers 1..L and the logits.</summary>
    private sealed record Pass(Tensor[] Z, Tensor?[] Mean, Tensor?[] Std, Tensor Logits);

    /// <summary>
    /// A layer's parameters besides W_l: the vanilla combinator's a1..a10 (one row each), γ and β (none at the input)
    /// and the running statistics (buffers).
    /// </summary>
    private sealed class LadderUnit : nn.Module
    {
        // Field names are state-dict keys.
        private readonly Parameter combinator;
        private readonly Parameter? gamma;
        private readonly Parameter? beta;
        private readonly Tensor? runningMean;
        private readonly Tensor? runningVariance;

        public LadderUnit(int width, bool normalised)
            : base(nameof(LadderUnit))
        {
            var initial = zeros(10, width);
            using Scalar one = 1;
            initial[1].fill_(one);
            initial[6].fill_(one);
            combinator = new Parameter(initial);
            if (normalised)
            {
                gamma = new Parameter(ones(width));
                beta = new Parameter(zeros(width));
                runningMean = zeros(width);
                runningVariance = ones(width);
            }

            RegisterComponents();
        }

        public Parameter? Gamma => gamma;

        public Parameter? Beta => beta;

        public Tensor? RunningMean => runningMean;

        public Tensor? RunningVariance => runningVariance;

        /// <summary>ẑ = (z̃ − μ(u)) ⊙ v(u) + μ(u), μ(u) = a1 ⊙ sigmoid(a2 ⊙ u + a3) + a4 ⊙ u + a5, v(u) likewise with a6..a10.</summary>
        public Tensor Combine(Tensor noisy, Tensor u)
        {
            var a = combinator;
            var mu = (a[0] * nn.functional.sigmoid((a[1] * u).Plus(a[2]))).Plus(a[3] * u).Plus(a[4]);
            var v = (a[5] * nn.functional.sigmoid((a[6] * u).Plus(a[7]))).Plus(a[8] * u).Plus(a[9]);
            return ((noisy - mu) * v).Plus(mu);
        }
    }
}
