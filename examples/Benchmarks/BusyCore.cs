using System;
using System.IO;
using System.Threading;

namespace Autoencoders.ML.Examples;

/// <summary>
/// A thread that spins for the whole run, standing in for another process on one core (a package install, a second
/// job): the busy-core variant of the training figure measures how the trainer's threads behave when they cannot all run.
/// </summary>
internal sealed class BusyCore : IDisposable
{
    private volatile bool stop;
    private readonly Thread thread;

    private BusyCore()
    {
        thread = new Thread(Spin) { IsBackground = true, Name = "busy core" };
        thread.Start();
    }

    /// <summary>True while a busy thread runs.</summary>
    public static bool Running { get; private set; }

    public static BusyCore Start()
    {
        Running = true;
        return new BusyCore();
    }

    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg, or "n/a".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";

    public void Dispose()
    {
        stop = true;
        thread.Join();
        Running = false;
    }

    private void Spin()
    {
        double x = 1;
        while (!stop)
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                x = (x * 1.0000001) + 1e-9;
            }
        }

        GC.KeepAlive(x);
    }
}
