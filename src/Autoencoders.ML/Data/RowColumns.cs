
namespace Autoencoders.ML.Data;

/// <summary>One column that training reads, with its role (for messages), size and the values it accepts.</summary>
internal sealed record RowColumn(string Name, string Role, int Width, ValueRange Range);

/// <summary>The columns a row is made of; a batch tensor holds them side by side, (N, Σ widths).</summary>
internal static class RowColumns
{
    public static int TotalWidth(IReadOnlyList<RowColumn> columns) => columns.Sum(c => c.Width);
}
