using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>Runs the command-line tool as a separate process, the way a user runs it.</summary>
internal static class CliProcess
{
    public static (int Code, string Output, string Error) Run(string workingDirectory, params string[] args) =>
        Run(workingDirectory, environment: null, args);

    /// <summary>Runs the tool with <paramref name="environment"/> added to (or, for a null value, removed from) its environment.</summary>
    public static (int Code, string Output, string Error) Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(CliPath());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string CliPath()
    {
        // tests/Autoencoders.ML.Tests/bin/<Configuration>/<tfm>/ → src/Autoencoders.ML.Cli/bin/<Configuration>/<tfm>/autoencoders.dll
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!;
        var root = configuration.Parent!.Parent!.Parent!.Parent!;
        string path = Path.Combine(root.FullName, "src", "Autoencoders.ML.Cli", "bin", configuration.Name, tfm.Name, "autoencoders.dll");
        Assert.True(File.Exists(path), $"{path} was not built");
        return path;
    }
}
