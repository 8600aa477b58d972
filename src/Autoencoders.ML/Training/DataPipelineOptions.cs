namespace Autoencoders.ML.Training;

/// <content>The <see cref="DataPipelineOptions"/> group.</content>
public sealed partial class TrainingOptions
{
    /// <summary>
    /// What a training batch is made of: its size, and the corruption, augmentation and scaling applied to its rows, and
    /// the shuffling of streamed data. A group of <see cref="TrainingOptions"/> (<see cref="TrainingOptions.DataPipeline"/>).
    /// </summary>
    public sealed class DataPipelineOptions
    {
        /// <summary>Rows per gradient step. Default 256.</summary>
        public int BatchSize { get; set; } = TrainingOptions.Defaults.BatchSize;

        /// <summary>
        /// Corrupt the input of every training batch (a denoising autoencoder); null (default) trains on clean input.
        /// Validation loss is computed on clean input.
        /// </summary>
        public CorruptionOptions? Corruption { get; set; }

        /// <summary>
        /// Move every training image at random (shifts and turns, see <see cref="ImageAugmentation"/>) before it is used as
        /// both input and target; null (default) trains on the rows as they are. Needs image rows of the given shape and no
        /// target column; validation rows are not moved. The mixture kind's pretraining uses it too.
        /// </summary>
        public ImageAugmentation? Augmentation { get; set; }

        /// <summary>
        /// Scale the input (and the target) per value, fitted on the training rows; the model and its ONNX graphs take and
        /// return values in the data's own units. Default <see cref="ScalingKind.None"/>.
        /// </summary>
        public ScalingKind Scaling { get; set; }

        /// <summary>When streaming (<see cref="ExecutionOptions.MaxInMemoryBytes"/>), rows are shuffled within windows of this many rows. Default 16,384.</summary>
        public int StreamingShuffleWindow { get; set; } = TrainingOptions.Defaults.StreamingShuffleWindow;

        /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
        public void Validate()
        {
            OptionChecks.InRange(BatchSize, 1, TrainingOptions.MaxBatchSize, nameof(BatchSize), "rows per optimizer step; 32 to 1024 is usual");
            if (StreamingShuffleWindow <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(StreamingShuffleWindow), StreamingShuffleWindow, $"StreamingShuffleWindow must be positive; got {StreamingShuffleWindow}.");
            }
        }

        /// <summary>A copy (corruption and augmentation objects are shared).</summary>
        public DataPipelineOptions Clone() => (DataPipelineOptions)MemberwiseClone();
    }
}
