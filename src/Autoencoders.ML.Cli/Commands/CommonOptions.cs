
namespace Autoencoders.ML.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string> Model() => new("--model")
    {
        Description = "Model folder written by 'train' (model.json, weights.bin, *.onnx), or an ML.NET model.zip saved with an autoencoder transform (the whole model is inside).",
        Required = true,
    };

    public static Option<string?> Data(bool required) => new("--data")
    {
        Description = "CSV with a header (numeric columns are features), or an IDX / IDX.gz file (pixels are divided by 255)." +
            (required ? string.Empty : " Default: the bundled MNIST training images."),
        Required = required,
    };

    public static Option<string?> LabelColumn() => new("--label-column")
    {
        Description = "CSV column that is not a feature; kept for reports and written next to outputs.",
    };

    public static Option<string?> Features() => new("--features")
    {
        Description = "Comma-separated CSV columns to use as features (default: every numeric column).",
    };

    /// <summary>The options of every command that reads a model and a data file: --model, --data (required), --label-column, --features.</summary>
    public static (Option<string> Model, Option<string?> Data, Option<string?> Label, Option<string?> Features) ModelAndData() =>
        (Model(), Data(required: true), LabelColumn(), Features());

    /// <summary>An option <paramref name="name"/> that is <paramref name="defaultValue"/> when not given.</summary>
    public static Option<T> WithDefault<T>(string name, T defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string?> Output(string description) => new("--out") { Description = description };

    public static string[]? SplitList(string? value) =>
        value?.Split(',', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries);

    public static void EnsureModelFolder(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new Input.InputException($"{path}: model folder or model.zip not found; train one with 'autoencoders train --out {path}'.");
        }
    }
}
