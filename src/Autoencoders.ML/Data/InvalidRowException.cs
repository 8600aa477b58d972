
namespace Autoencoders.ML.Data;

/// <summary>
/// Thrown when the data itself is unusable: a NaN or infinite value, a value outside the range the loss needs, a row
/// with the wrong number of values, or no rows at all. It names the column, the row and what was expected and found, so
/// that a caller (for example a command-line tool) can tell bad data apart from a bug by the exception's type.
/// Derives from <see cref="InvalidOperationException"/>, which the library threw for these cases before.
/// </summary>
public sealed class InvalidRowException : InvalidOperationException
{
    /// <summary>Creates the exception with everything a caller needs to point at the bad value.</summary>
    /// <param name="message">The full message: column, row, what was found, what was expected and what to do.</param>
    /// <param name="column">The column's name.</param>
    /// <param name="row">0-based row index, or null when the problem is not one row (for example no rows at all).</param>
    /// <param name="valueIndex">0-based index of the bad value inside the row's vector, or null.</param>
    /// <param name="expected">What was expected, for example <c>a finite number</c> or <c>784 values</c>.</param>
    /// <param name="actual">What was found, for example <c>NaN</c> or <c>400 values</c>.</param>
    public InvalidRowException(string message, string? column, long? row, int? valueIndex, string expected, string actual)
        : base(message)
    {
        Column = column;
        Row = row;
        ValueIndex = valueIndex;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public InvalidRowException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public InvalidRowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public InvalidRowException()
    {
    }

    /// <summary>The column holding the bad value, or null.</summary>
    public string? Column { get; }

    /// <summary>0-based index of the row in the data view, or null when no single row is at fault.</summary>
    public long? Row { get; }

    /// <summary>0-based index of the bad value inside the row's vector, or null.</summary>
    public int? ValueIndex { get; }

    /// <summary>What the data should hold there, in words (for example <c>a value in [0, 1]</c>).</summary>
    public string Expected { get; } = string.Empty;

    /// <summary>What the data holds there, in words (for example <c>1.5</c>).</summary>
    public string Actual { get; } = string.Empty;

    /// <summary>The row in words for people, 1-based: <c>row 38</c> for <see cref="Row"/> 37; empty without a row.</summary>
    public string RowDescription => Row is long row ? $"row {row + 1}" : string.Empty;

    /// <summary>Describes a 0-based row index as the library's messages do: <c>row 37 (the 38th)</c>.</summary>
    /// <param name="row">0-based row index.</param>
    internal static string Describe(long row) => $"row {row} (0-based; the {Ordinal(row + 1)} row)";

    private static string Ordinal(long n)
    {
        string suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return $"{n:N0}{suffix}";
    }
}
