
namespace Autoencoders.ML.Cli.Commands;

/// <summary>Speaks the user's terms: a library option's name in an error becomes the command-line flag that sets it.</summary>
internal static class OptionNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["LatentSize"] = "--latent",
        ["HiddenSizes"] = "--hidden",
        ["HiddenActivation"] = "--activation",
        ["Loss"] = "--loss",
        ["Epochs"] = "--epochs",
        ["BatchSize"] = "--batch-size",
        ["LearningRate"] = "--lr",
        ["ValidationFraction"] = "--validation-fraction",
        ["EarlyStoppingPatience"] = "--patience",
        ["Threads"] = "--threads",
        ["Seed"] = "--seed",
        ["Beta"] = "--beta",
        ["ImportanceSamples"] = "--importance-samples",
        ["Filters"] = "--filters",
        ["ImageShape"] = "--image-shape",
        ["Scaling"] = "--scale",
        ["Corruption"] = "--noise",
        ["CheckpointEvery"] = "--checkpoint-every",
        ["Device"] = "--device",
        ["CheckpointPath"] = "--checkpoint",
        ["ResumeFrom"] = "--resume",
        ["Precision"] = "--precision",
        ["Steps"] = "--steps",
        ["MaxSteps"] = "--max-steps",
        ["HeadSteps"] = "--head-steps",
        ["MaxShift"] = "--max-shift",
        ["MaxRotation"] = "--max-rotation",
        ["maxShift"] = "--max-shift", // ImageAugmentation's constructor parameters
        ["maxRotation"] = "--max-rotation",
        ["maxScale"] = "--max-scale",
        ["maxShear"] = "--max-shear",
        ["Augmentation"] = "--max-shift",
        ["ConsistencyWeight"] = "--consistency",
        ["ConsistencyBalance"] = "--consistency-balance",
        ["InitialRestarts"] = "--restarts",
        ["Runs"] = "--runs",
        ["PseudoLabelWeight"] = "--pseudo-label-weight",
        ["PseudoLabelThreshold"] = "--pseudo-label-threshold",
        ["EncoderLearningRateRatio"] = "--encoder-rate-ratio",
    };

    /// <summary>
    /// One line for an <see cref="ArgumentException"/>: the flag first when the parameter is a known option, without
    /// .NET's "(Parameter '...')" and "Actual value was ..." tails.
    /// </summary>
    public static string Describe(ArgumentException e)
    {
        string message = e.Message.Split('\n')[0].Trim();
        int tail = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (tail >= 0)
        {
            message = message[..tail];
        }

        if (e.ParamName is string name && Flags.TryGetValue(name, out string? flag))
        {
            message = message.Replace(name, flag, StringComparison.Ordinal);
            return message.StartsWith(flag, StringComparison.Ordinal) ? message : $"{flag}: {message}";
        }

        return message;
    }
}
