using Autoencoders.ML.Training;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>
/// Runs a command body and maps failures to exit codes by exception type (never by message text): 2 for bad usage or
/// bad input, 130 for an interruption, 1 for anything else.
/// </summary>
internal static class CliRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 2;
        }
        catch (ArgumentException e)
        {
            // The library's option checks: the message names the option, translated to its flag.
            Console.Error.WriteLine($"error: {OptionNames.Describe(e)}");
            return 2;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            // A file that is missing, damaged or not ours: the message names it.
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 2;
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException)
        {
            // The library's documented data errors (no rows, NaN/∞, a value out of the loss's range) name column and row.
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted");
            return 130;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"failed: {OneLine(e)}");
            return 1;
        }
    }

    public static string OneLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
