using System;
using System.IO;
using Autoencoders.ML.Cli.Input;
using Autoencoders.ML.Training;

namespace Autoencoders.ML.Cli.Commands;

/// <summary>Runs a command body and maps failures to exit codes: 2 for bad usage or bad input, 1 for anything else.</summary>
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
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 2;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Column '", StringComparison.Ordinal) || e.Message.Contains("no rows", StringComparison.Ordinal))
        {
            // The library's data checks (NaN, range, empty) name the column and the row.
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 2;
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
