
namespace Autoencoders.ML.Cli.Commands;

/// <summary>Loads a model folder and data that fits it, with usage errors (exit 2) for every mismatch.</summary>
internal static class ModelInput
{
    public static AutoencoderModel LoadModel(string path)
    {
        CommonOptions.EnsureModelFolder(path);
        try
        {
            return AutoencoderModel.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new InputException(e.Message, e);
        }
    }

    public static Dataset LoadData(AutoencoderModel model, string path, string? labelColumn, string? features, int expectedWidth)
    {
        var data = DatasetLoader.Load(path, labelColumn, CommonOptions.SplitList(features));
        if (data.Width != expectedWidth)
        {
            throw new InputException(
                $"{path}: rows have {data.Width} features but the model expects {expectedWidth}; select columns with --features or use the data the model was trained on.");
        }

        return data;
    }
}
