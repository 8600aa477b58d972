using System;
using System.Collections.Generic;
using Autoencoders.ML.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Autoencoders.ML.Models;

/// <summary>
/// Runs any list of <see cref="LayerSpec"/>s (dense and image layers mixed) as one TorchSharp module that takes and
/// returns flat rows (N, D), like every network kind. Between layers it reshapes as the next layer needs: a flat row
/// becomes an image (N, C, H, W) read channel-major, and an image is flattened (N, C·H·W) in the same order, so a
/// reshape never moves data. State-dict keys are <c>layers.{i}.*</c>, one index per spec.
/// </summary>
/// <remarks>
/// A model kind builds its encoder and decoder from stacks. <see cref="Run"/> runs a sub-range, so a kind with several
/// heads (a VAE's mean and log-variance) can share a trunk: a stack for the trunk plus its own head layers.
/// </remarks>
internal sealed class LayerStack : nn.Module<Tensor, Tensor>
{
    // Field name is a state-dict prefix: keep it stable, saved weights depend on it.
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    /// <summary>Builds the modules of <paramref name="specs"/>; throws <see cref="ArgumentException"/> if consecutive image layers disagree on a shape.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="specs">The layers, in order.</param>
    public LayerStack(string name, IReadOnlyList<LayerSpec> specs)
        : base(name)
    {
        Specs = specs ?? throw new ArgumentNullException(nameof(specs));
        CheckShapes(specs, name);
        var modules = new nn.Module<Tensor, Tensor>[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            modules[i] = specs[i] switch
            {
                DenseLayerSpec dense => nn.Linear(dense.In, dense.Out),
                ImageLayerSpec image => ImageBlock.Create(image),
                _ => throw new NotSupportedException($"Layer {i} of the {name} is a {specs[i].GetType().Name}; no module builds that layer type."),
            };
        }

        layers = new ModuleList<nn.Module<Tensor, Tensor>>(modules);
        RegisterComponents();
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<LayerSpec> Specs { get; }

    /// <summary>The module of layer <paramref name="index"/>: a <see cref="Linear"/>, an <see cref="ImageBlock"/> or a <see cref="CropOrPad"/>.</summary>
    public nn.Module<Tensor, Tensor> Layer(int index) => layers[index];

    /// <summary>Runs every layer: (N, first input size) → (N, last output size).</summary>
    public override Tensor forward(Tensor x) => Run(x, 0, Specs.Count);

    /// <summary>Runs layers <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 on flat rows and returns flat rows.</summary>
    /// <param name="x">(N, input size of layer <paramref name="start"/>).</param>
    /// <param name="start">First layer to run.</param>
    /// <param name="count">Number of layers.</param>
    public Tensor Run(Tensor x, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            var spec = Specs[i];
            x = spec is ImageLayerSpec image
                ? x.reshape(-1, image.InputShape.Channels, image.InputShape.Height, image.InputShape.Width)
                : x.flatten(1);
            x = AutoencoderNetwork.Activate(layers[i].forward(x), spec.Activation);
            if (spec is DenseLayerSpec { Dropout: > 0f } dense && training)
            {
                x = nn.functional.dropout(x, dense.Dropout, training: true);
            }
        }

        return x.flatten(1);
    }

    /// <summary>True when <paramref name="specs"/> has an image layer (a dense-only list is the dense kind's business).</summary>
    public static bool HasImageLayers(IEnumerable<LayerSpec> specs)
    {
        foreach (var spec in specs)
        {
            if (spec is ImageLayerSpec)
            {
                return true;
            }
        }

        return false;
    }

    // AutoencoderSpec checks flat sizes only; 16×3×3 → 4×6×6 has matching flat sizes but would scramble the image.
    private static void CheckShapes(IReadOnlyList<LayerSpec> specs, string name)
    {
        for (int i = 1; i < specs.Count; i++)
        {
            if (specs[i - 1] is ImageLayerSpec before && specs[i] is ImageLayerSpec after && before.OutputShape != after.InputShape)
            {
                throw new ArgumentException(
                    $"Layer {i - 1} of the {name} outputs images of {before.OutputShape} but layer {i} takes {after.InputShape}.", nameof(specs));
            }
        }
    }
}
