using Autoencoders.ML.Layers;

namespace Autoencoders.ML.Architecture;

/// <summary>
/// The image part of a convolutional autoencoder; set it as <see cref="AutoencoderOptions.Convolution"/>. The
/// encoder is one stride-2 convolution block per entry of <see cref="Filters"/> (each halves height and width, rounding
/// up), then flatten, the dense <see cref="AutoencoderOptions.HiddenSizes"/> and the code. The decoder mirrors it:
/// dense layers, reshape, one doubling block per filter entry back to <see cref="ImageShape"/>'s channels, then a crop
/// of the bottom and right rows and columns when the size is not a multiple of 2^blocks. The code size, activations,
/// loss and dropout are those of the <see cref="AutoencoderOptions"/> that holds these options.
/// </summary>
/// <remarks>
/// Rows are flat vectors of C·H·W values, read channel-major (all of channel 0 row by row, then channel 1...): the
/// layout of ML.NET's <c>ExtractPixels</c> with its defaults (<c>interleavePixelColors: false</c>).
/// </remarks>
public sealed class ConvolutionalAutoencoderOptions
{
    /// <summary>Shape of the images in the input column (channels, height, width). Required.</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>Output channels of each stride-2 encoder block, input side first; the decoder uses them in reverse. Default 32, 64.</summary>
    public IReadOnlyList<int> Filters { get; set; } = new[] { 32, 64 };

    /// <summary>Square kernel size of every convolution; odd (3, 5, 7...). Default 3.</summary>
    public int KernelSize { get; set; } = 3;

    /// <summary>Batch normalisation after every convolution except the decoder's last. Default false.</summary>
    public bool BatchNorm { get; set; }

    /// <summary>How the decoder upsamples. Default <see cref="UpsamplingMode.TransposedConvolution"/>.</summary>
    public UpsamplingMode Upsampling { get; set; } = UpsamplingMode.TransposedConvolution;

    /// <summary>Checks the options that do not depend on the data; throws <see cref="ArgumentException"/> naming the option.</summary>
    public void Validate()
    {
        if (ImageShape is null)
        {
            throw new ArgumentException(
                "ImageShape is required for a convolutional autoencoder: set it to the (channels, height, width) of the images in the input column.",
                nameof(ImageShape));
        }

        ImageShape.Validate(nameof(ImageShape));
        if (Filters is null || Filters.Count == 0)
        {
            throw new ArgumentException("Filters needs at least one entry (the output channels of each stride-2 block).", nameof(Filters));
        }

        for (int i = 0; i < Filters.Count; i++)
        {
            if (Filters[i] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(Filters), Filters[i], $"Filters[{i}] is {Filters[i]}; the number of filters must be positive.");
            }
        }

        if (KernelSize <= 0 || KernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(KernelSize), KernelSize, "KernelSize must be odd and positive (3, 5, 7...) so that padding k/2 keeps the image centred.");
        }

        if (!Enum.IsDefined(Upsampling))
        {
            throw new ArgumentOutOfRangeException(nameof(Upsampling), Upsampling, "Unknown upsampling mode.");
        }

        int smallest = 1 << Math.Min(Filters.Count, 30);
        if (ImageShape.Height < smallest || ImageShape.Width < smallest)
        {
            throw new ArgumentException(
                $"ImageShape {ImageShape} is too small for {Filters.Count} downsampling blocks (one per Filters entry): each block halves " +
                $"height and width, so both must be at least 2^{Filters.Count} = {smallest}. Use fewer Filters entries or larger images.",
                nameof(Filters));
        }
    }

    /// <summary>Builds the layer spec for rows of <paramref name="inputSize"/> values, which must equal C·H·W of <see cref="ImageShape"/>.</summary>
    /// <param name="inputSize">Width of an input row (the column's vector size).</param>
    /// <param name="model">The options holding these ones: code size, activations, dropout, loss.</param>
    /// <param name="outputSize">Width of a reconstructed row; must equal <paramref name="inputSize"/> (null means the same).</param>
    public AutoencoderSpec BuildSpec(int inputSize, AutoencoderOptions model, int? outputSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Validate();
        var image = ImageShape!;
        if (inputSize != image.Size)
        {
            throw new ArgumentException(
                $"The input column has {inputSize} values per row but ImageShape {image} needs C·H·W = {image.Size}. Set ImageShape to the " +
                "shape of the images in the column (ExtractPixels writes channels × height × width, channel-major).", nameof(ImageShape));
        }

        if (outputSize is int output && output != inputSize)
        {
            throw new ArgumentException(
                $"A convolutional autoencoder reconstructs images of its input shape {image} ({inputSize} values); a target of {output} values is not supported.",
                nameof(outputSize));
        }

        var encoder = new List<LayerSpec>();
        var shape = image;
        foreach (int filters in Filters)
        {
            var conv = Conv2dLayerSpec.Downsampling(shape, filters, KernelSize, model.HiddenActivation, BatchNorm);
            encoder.Add(conv);
            shape = conv.OutputShape;
        }

        var bottom = shape;
        int width = bottom.Size;
        foreach (int hidden in model.HiddenSizes)
        {
            encoder.Add(new DenseLayerSpec(width, hidden, model.HiddenActivation, model.Dropout));
            width = hidden;
        }

        encoder.Add(new DenseLayerSpec(width, model.LatentSize, model.LatentActivation));

        var decoder = new List<LayerSpec>();
        width = model.LatentSize;
        foreach (int hidden in model.DecoderHiddenSizes ?? model.HiddenSizes.Reverse().ToArray())
        {
            decoder.Add(new DenseLayerSpec(width, hidden, model.HiddenActivation, model.Dropout));
            width = hidden;
        }

        // The dense layer that feeds the first transposed convolution is a hidden layer: it gets the hidden activation.
        decoder.Add(new DenseLayerSpec(width, bottom.Size, model.HiddenActivation));
        shape = bottom;
        for (int i = Filters.Count - 1; i >= 0; i--)
        {
            bool last = i == 0;
            int filters = last ? image.Channels : Filters[i - 1];
            var activation = last ? Activation.None : model.HiddenActivation;
            bool norm = BatchNorm && !last;
            ImageLayerSpec up = Upsampling == UpsamplingMode.UpsampleConvolution
                ? UpsampleConv2dLayerSpec.Doubling(shape, filters, KernelSize, activation, norm)
                : ConvTranspose2dLayerSpec.Doubling(shape, filters, KernelSize, activation, norm);
            decoder.Add(up);
            shape = up.OutputShape;
        }

        if (shape != image)
        {
            decoder.Add(new CropOrPadLayerSpec(shape, image.Height, image.Width));
        }

        return new AutoencoderSpec(encoder, decoder, model.ResolvedOutputActivation);
    }
}
