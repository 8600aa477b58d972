using Autoencoders.ML.Training;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// Runs a command body and maps failures to exit codes by exception type (never by message text), one rule: 2 for the
/// user's usage, input or files (including an --out that cannot be written), 130 for an interruption, 1 for our fault.
/// </summary>
internal static class CliRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var (message, code) = Outcome(e);
            Console.Error.WriteLine(message);
            return code;
        }
    }

    /// <summary>What a failure prints and its exit code; the first arm that matches decides.</summary>
    private static (string Message, int Code) Outcome(Exception e) => e switch
    {
        InputException => ($"error: {OneLine(e)}", 2),

        // The library's option checks: the message names the option, translated to its flag.
        ArgumentException argument => ($"error: {OptionNames.Describe(argument)}", 2),

        // A file that is missing, damaged or not ours: the message names it.
        InvalidDataException or FileNotFoundException or DirectoryNotFoundException => ($"error: {OneLine(e)}", 2),

        // The user's files and folders: a read-only --out, a full disk, a path that cannot be written (.NET names the path).
        UnauthorizedAccessException or IOException => ($"error: {OneLine(e)}", 2),

        // The library's documented data errors (no rows, NaN/∞, a value out of the loss's range) name column and row.
        InvalidOperationException and not ObjectDisposedException => ($"error: {OneLine(e)}", 2),
        OperationCanceledException => ("interrupted", 130),
        TrainingDivergedException => ($"error: {OneLine(e)}", 1),
        _ => ($"failed: {OneLine(e)}", 1),
    };

    public static string OneLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
