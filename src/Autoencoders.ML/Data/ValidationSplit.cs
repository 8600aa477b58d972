
namespace Autoencoders.ML.Data;

/// <summary>
/// The share of the training rows held out for validation, and whether the user asked for it. A split the user asked
/// for must leave rows on both sides (otherwise an error names the option); an automatic split is skipped when the data
/// is too small for it.
/// </summary>
/// <param name="Fraction">Share of the rows held out, in [0, 1).</param>
/// <param name="Required">True when the user set the fraction; false when the automatic training budget chose it.</param>
internal sealed record ValidationSplit(double Fraction, bool Required)
{
    /// <summary>An automatic split is made only when it holds out at least this many rows.</summary>
    public const int AutomaticMinimumRows = 10;

    /// <summary>No validation rows.</summary>
    public static ValidationSplit None { get; } = new(0, false);

    /// <summary>
    /// True when holding out <paramref name="held"/> of <paramref name="count"/> rows leaves both sides usable. A
    /// required split that does not throws, naming <c>ValidationFraction</c>; an automatic one returns false.
    /// </summary>
    public bool Leaves(long held, long count)
    {
        long minimum = Required ? 1 : AutomaticMinimumRows;
        if (held >= minimum && count - held >= 1)
        {
            return true;
        }

        if (!Required)
        {
            return false;
        }

        throw new ArgumentOutOfRangeException(
            "ValidationFraction",
            $"TrainingOptions.ValidationFraction = {Fraction} of {count:N0} rows leaves {held:N0} validation and {count - held:N0} training rows; " +
            "both sides need at least one row. Use a fraction that leaves rows on both sides, pass validation data separately, " +
            "or set ValidationFraction = 0 to train without validation.");
    }
}
