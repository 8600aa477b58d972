namespace Autoencoders.ML.Models;

public sealed partial class AutoencoderModel
{
    /// <summary>How well a model reconstructs a data set.</summary>
    /// <param name="MeanSquaredError">Mean over rows and values of (reconstruction − target)².</param>
    /// <param name="SquaredErrorPerRow">Mean over rows of the squared error summed over the row's values.</param>
    /// <param name="Rows">Number of rows evaluated.</param>
    public sealed record ReconstructionMetrics(double MeanSquaredError, double SquaredErrorPerRow, long Rows);
}
