using Autoencoders.ML.Training;

namespace Autoencoders.ML.Cli.Output;

/// <summary>loss.png: training and validation loss per epoch, with ScottPlot.</summary>
internal static class LossPlot
{
    public static void Save(string path, TrainingHistory history)
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var training = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.TrainingLoss).ToArray());
        training.LegendText = "training";
        if (history.Epochs.All(e => e.ValidationLoss != null))
        {
            var validation = plot.Add.Scatter(epochs, history.Epochs.Select(e => e.ValidationLoss!.Value).ToArray());
            validation.LegendText = "validation";
        }

        if (history.BestEpoch > 0)
        {
            var best = plot.Add.VerticalLine(history.BestEpoch);
            best.LegendText = $"best epoch {history.BestEpoch}";
            best.LinePattern = ScottPlot.LinePattern.Dashed;
        }

        plot.Title("Loss per epoch");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
    }
}
