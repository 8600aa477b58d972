using System.IO;
using System.Text.Json;
using Autoencoders.ML.Kinds.Variational;

namespace Autoencoders.ML.IO;

/// <summary>
/// Reads model.json and checks its values the way the options check themselves (same messages), plus what only a
/// saved model has: layer sizes that the weights can hold, scaling arrays of the model's widths with finite values.
/// Every problem is an <see cref="InvalidDataException"/> naming the model and model.json, never a crash or a silent
/// wrong model.
/// </summary>
internal static class ModelConfigCheck
{
    private const string File = ModelArchive.ConfigFile;

    /// <summary>Deserializes model.json; checks its format, version and required keys.</summary>
    public static ModelFile Parse(string path, byte[] content)
    {
        ModelFile? config;
        try
        {
            config = JsonSerializer.Deserialize<ModelFile>(content, AutoencoderSpec.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': {File} is not valid JSON ({e.Message}).", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A constructor refused a value (e.g. a layer chain that does not fit, a non-positive image size).
            throw new InvalidDataException($"'{path}': {File} holds a value that is not allowed: {FirstLine(e)} Save the model again.", e);
        }

        if (config == null)
        {
            throw ModelArchive.NotOurs(path, $"{File} is empty");
        }

        if (config.Format != ModelArchive.Format)
        {
            throw ModelArchive.NotOurs(path, $"{File} has format '{config.Format}', expected '{ModelArchive.Format}'");
        }

        if (config.FormatVersion > ModelArchive.FormatVersion)
        {
            throw new InvalidDataException(
                $"'{path}' was written by a newer Autoencoders.ML (format {config.FormatVersion}); this version reads format {ModelArchive.FormatVersion}. Update the package.");
        }

        if (config.FormatVersion < 1)
        {
            throw new InvalidDataException($"'{path}': {File} has format version {config.FormatVersion}; versions start at 1. The file is damaged.");
        }

        Required(path, config.Architecture, "architecture");
        Required(path, config.Options, "options");
        Required(path, config.Training, "training");
        Required(path, config.History, "history");
        Required(path, config.MonitoredLoss, "monitoredLoss");
        if (config.History.Any(e => e == null))
        {
            throw new InvalidDataException($"'{path}': {File} has an empty entry in 'history'. The file is damaged; save the model again.");
        }

        return config;
    }

    /// <summary>Checks the values: options and training options (their own messages), architecture, scaling, history.</summary>
    /// <param name="path">The model, for messages.</param>
    /// <param name="config">The parsed model.json.</param>
    /// <param name="weightBytes">Size of the weights file: the architecture's parameters must fit in it.</param>
    /// <param name="weightsFile">Its name, for messages.</param>
    public static void Validate(string path, ModelFile config, long weightBytes, string weightsFile = ModelArchive.WeightsFile)
    {
        Options(path, "options", config.Options.Validate);
        Options(path, "training", config.Training.Validate);
        var spec = config.Architecture;
        long parameters;
        try
        {
            foreach (var layer in spec.Encoder.Concat(spec.Decoder))
            {
                if (layer == null || layer.InputSize <= 0 || layer.OutputSize <= 0)
                {
                    throw new InvalidDataException(
                        $"'{path}': {File} has a layer with a non-positive size ({layer}) in 'architecture'. The file is damaged; save the model again.");
                }
            }

            parameters = spec.ParameterCount;
        }
        catch (OverflowException e)
        {
            throw new InvalidDataException($"'{path}': {File} has a layer too large to exist in 'architecture' ({e.Message}). The file is damaged.", e);
        }

        if (parameters > weightBytes / sizeof(float))
        {
            throw new InvalidDataException(
                $"'{path}': {File} describes {parameters:N0} parameters ({spec}), more than the {weightBytes:N0} bytes of {weightsFile} " +
                "can hold. One of the two files is damaged or from another model; save the model again.");
        }

        if (spec.LatentSize != config.Options.LatentSize)
        {
            throw new InvalidDataException(
                $"'{path}': {File} has a code of {spec.LatentSize} values in 'architecture' but options.latentSize {config.Options.LatentSize}. " +
                "The file was edited or is damaged; save the model again.");
        }

        if (config.FormatVersion == 1 && config.Options.Convolution == null)
        {
            // Format 1 has no checksums: the layers must be the ones the options build (catches edited activations).
            AutoencoderSpec expected;
            try
            {
                expected = config.Options.BuildSpec(spec.InputSize, spec.OutputSize);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{path}': {File} 'options' do not fit the architecture: {FirstLine(e)}", e);
            }

            if (expected.ToJson() != spec.ToJson())
            {
                throw new InvalidDataException(
                    $"'{path}': {File} 'architecture' ({spec}) is not what its 'options' build ({expected}), e.g. an activation or a size was edited. " +
                    "Restore the file or save the model again.");
            }
        }

        Scaling(path, config, spec);
        if (config.BestEpoch < 0 || config.BestEpoch > config.History.Count)
        {
            throw new InvalidDataException(
                $"'{path}': {File} has bestEpoch {config.BestEpoch} but the history has {config.History.Count} epochs. The file is damaged; save the model again.");
        }

        int runs = config.RunLosses?.Count ?? 1;
        if (config.ChosenRun < 1 || config.ChosenRun > runs)
        {
            throw new InvalidDataException(
                $"'{path}': {File} has chosenRun {config.ChosenRun} but records {runs} run(s) (runLosses). The file is damaged; save the model again.");
        }

        // Several runs write one loss each; a single run writes none.
        int trained = config.Training?.Runs ?? 1;
        if (runs != trained)
        {
            throw new InvalidDataException(
                $"'{path}': {File} records {runs} run loss(es) (runLosses) for training options of {trained} run(s). The file is damaged; save the model again.");
        }

        if (config.RunLosses is { Count: > 0 } losses)
        {
            int lowest = losses.ToList().IndexOf(losses.Min());
            if (losses[config.ChosenRun - 1] > losses[lowest])
            {
                throw new InvalidDataException(
                    $"'{path}': {File} has chosenRun {config.ChosenRun} (loss {losses[config.ChosenRun - 1]}), but run {lowest + 1} has the lowest loss " +
                    $"({losses[lowest]}) and would have been kept. The file is damaged; save the model again.");
            }
        }

        if (config.Pca is { } pca && !(pca.Components == spec.LatentSize && pca.Rows >= 1 && pca.AutoencoderMeanSquaredError >= 0 && pca.PcaMeanSquaredError >= 0
                && double.IsFinite(pca.AutoencoderMeanSquaredError) && double.IsFinite(pca.PcaMeanSquaredError)))
        {
            throw new InvalidDataException(
                $"'{path}': {File} 'pca' is not a measurement of this model ({pca.Components} components for a code of {spec.LatentSize}, {pca.Rows} rows, errors {pca.AutoencoderMeanSquaredError} and {pca.PcaMeanSquaredError}). " +
                "The file is damaged; save the model again.");
        }
    }

    /// <summary>Rejects weights with NaN or ∞ (a damaged weights.bin of format 1, which has no checksum, or an imported file).</summary>
    public static void CheckFinite(string path, torch.nn.Module network, string weightsFile = ModelArchive.WeightsFile)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in network.named_parameters().Select(p => (p.name, (torch.Tensor)p.parameter)).Concat(network.named_buffers()))
        {
            if (tensor.is_floating_point() && !torch.isfinite(tensor).all().ToBoolean())
            {
                throw new InvalidDataException(
                    $"'{path}': {weightsFile} holds NaN or infinite values in '{name}'. The file is damaged; restore it or save the model again.");
            }
        }
    }

    private static void Scaling(string path, ModelFile config, AutoencoderSpec spec)
    {
        var scaling = config.Scaling;
        if (scaling == null)
        {
            if (config.Training.Scaling != ScalingKind.None)
            {
                throw new InvalidDataException(
                    $"'{path}': {File} has training.scaling {config.Training.Scaling} but no 'scaling' values. The file was edited or is damaged; save the model again.");
            }

            return;
        }

        Values(path, "inputShift", scaling.InputShift, spec.InputSize, positive: false);
        Values(path, "inputScale", scaling.InputScale, spec.InputSize, positive: true);
        Values(path, "outputShift", scaling.OutputShift, spec.OutputSize, positive: false);
        Values(path, "outputScale", scaling.OutputScale, spec.OutputSize, positive: true);
    }

    private static void Values(string path, string key, IReadOnlyList<float>? values, int width, bool positive)
    {
        if (values == null || values.Count != width)
        {
            throw new InvalidDataException(
                $"'{path}': {File} scaling.{key} has {values?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} values; the model needs {width}. " +
                "The file was edited or is damaged; save the model again.");
        }

        for (int i = 0; i < values.Count; i++)
        {
            if (!float.IsFinite(values[i]) || (positive && !(values[i] > 0)))
            {
                throw new InvalidDataException(
                    $"'{path}': {File} scaling.{key}[{i}] is {values[i]}; expected a finite{(positive ? " positive" : string.Empty)} number. " +
                    "The file was edited or is damaged; save the model again.");
            }
        }
    }

    private static void Options(string path, string key, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': {File} '{key}' is invalid: {FirstLine(e)}", e);
        }
    }

    private static void Required(string path, object? value, string key)
    {
        if (value == null)
        {
            throw new InvalidDataException($"'{path}': {File} lacks the key '{key}' (or it is null). The file is damaged or was edited; save the model again.");
        }
    }

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
