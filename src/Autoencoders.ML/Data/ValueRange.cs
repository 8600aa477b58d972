
namespace Autoencoders.ML.Data;

/// <summary>Checks the values of one row: finite, and inside [min, max] when a range is required.</summary>
internal readonly struct ValueRange
{
    private readonly float min;
    private readonly float max;
    private readonly string? why;

    private ValueRange(float min, float max, string? why)
    {
        this.min = min;
        this.max = max;
        this.why = why;
    }

    /// <summary>Only requires finite values.</summary>
    public static ValueRange Finite => new(float.NegativeInfinity, float.PositiveInfinity, null);

    /// <summary>Requires values in [0, 1] because of <paramref name="why"/>.</summary>
    public static ValueRange UnitInterval(string why) => new(0f, 1f, why);

    /// <summary>Throws <see cref="InvalidRowException"/> naming the column, the row and the index of the first bad value.</summary>
    public void Check(ReadOnlySpan<float> row, string column, long rowIndex)
    {
        for (int i = 0; i < row.Length; i++)
        {
            float v = row[i];
            if (!float.IsFinite(v))
            {
                throw new InvalidRowException(
                    $"Column '{column}', {InvalidRowException.Describe(rowIndex)}, value {i} is {v}. Training needs finite numbers: " +
                    "remove or impute the row (for example mlContext.Transforms.ReplaceMissingValues) before training.",
                    column, rowIndex, i, "a finite number", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (v < min || v > max)
            {
                throw new InvalidRowException(
                    $"Column '{column}', {InvalidRowException.Describe(rowIndex)}, value {i} is {v}, outside [{min}, {max}] required by {why}. " +
                    "Scale the data into that range (for example divide pixels by 255, or mlContext.Transforms.NormalizeMinMax) " +
                    "or use ReconstructionLoss.MeanSquaredError.",
                    column, rowIndex, i, $"a value in [{min}, {max}] ({why})", v.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
