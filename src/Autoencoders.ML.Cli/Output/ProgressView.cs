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
                var progress = new BarProgress(context, context.AddTask("training", maxValue: epochs));
                result = train(progress);
                progress.Finish();
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

    /// <summary>One bar per phase (a fine-tuning has a pretraining, a head and a fine-tuning phase); the first is made up front.</summary>
    private sealed class BarProgress : IProgress<EpochReport>
    {
        private readonly ProgressContext context;
        private readonly ProgressTask first;
        private readonly Dictionary<string, ProgressTask> tasks = new();

        public BarProgress(ProgressContext context, ProgressTask first)
        {
            this.context = context;
            this.first = first;
        }

        public void Report(EpochReport value)
        {
            if (!tasks.TryGetValue(value.Phase, out var task))
            {
                task = tasks.Count == 0 ? first : context.AddTask(value.Phase, maxValue: value.Epochs);
                task.MaxValue = value.Epochs;
                tasks[value.Phase] = task;
            }

            task.Value = value.Epoch;
            task.Description = Markup.Escape(
                (value.Phase != TrainingPhases.Training ? $"{value.Phase} " : string.Empty) +
                $"epoch {value.Epoch}/{value.Epochs} loss {value.TrainingLoss:G4}" + (value.ValidationLoss is double v ? $" val {v:G4}" : string.Empty) +
                $" {value.SamplesPerSecond:N0} rows/s");
        }

        /// <summary>Fills every bar: a run that stops early (or an automatic budget) ends below its planned epochs.</summary>
        public void Finish()
        {
            first.Value = first.MaxValue;
            foreach (var task in tasks.Values)
            {
                task.Value = task.MaxValue;
            }
        }
    }
}
