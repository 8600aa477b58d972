using System.Threading;
using System.Threading.Tasks;
using Autoencoders.ML.Training;
using Spectre.Console;

namespace Autoencoders.ML.Cli.Output;

/// <summary>
/// Shows training progress: a live bar with epoch, losses and time left on a terminal; one plain line per epoch when
/// the output is redirected (logs, CI).
/// </summary>
internal static class ProgressView
{
    public static T Run<T>(int epochs, Func<IProgress<EpochReport>, T> train)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return train(new LineProgress());
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: epochs);
                result = train(new BarProgress(task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>"  ~12 s left" from the mean epoch time so far (at most, when the automatic budget may stop early); empty after the last epoch.</summary>
    private static string TimeLeft(EpochReport value)
    {
        int left = value.Epochs - value.Epoch;
        if (left <= 0 || value.Runs > 1)
        {
            return string.Empty;
        }

        double seconds = value.Elapsed.TotalSeconds / value.Epoch * left;
        return $"  ~{seconds:F0} s left";
    }

    private sealed class LineProgress : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => Console.WriteLine(value + TimeLeft(value));
    }

    private sealed class BarProgress : IProgress<EpochReport>
    {
        private readonly ProgressTask task;

        public BarProgress(ProgressTask task) => this.task = task;

        public void Report(EpochReport value)
        {
            task.Value = value.Epoch;
            task.Description = Markup.Escape(
                $"epoch {value.Epoch}/{value.Epochs} loss {value.TrainingLoss:G4}" + (value.ValidationLoss is double v ? $" val {v:G4}" : string.Empty) +
                $" {value.SamplesPerSecond:N0} rows/s");
        }
    }
}
