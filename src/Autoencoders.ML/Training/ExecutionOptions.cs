namespace Autoencoders.ML.Training;

/// <content>The <see cref="ExecutionOptions"/> group.</content>
public sealed partial class TrainingOptions
{
    /// <summary>
    /// Where and how training is carried out: threads, device, number type of the products, the in-memory limit and
    /// checkpoints. A group of <see cref="TrainingOptions"/> (<see cref="TrainingOptions.Execution"/>).
    /// </summary>
    public sealed class ExecutionOptions
    {
        /// <summary>
        /// Threads torch may use; null (default) keeps torch's own setting, one per core. Applies process-wide. When idle torch
        /// threads sleep after a short spin rather than spin long (the application's
        /// <c>TorchRuntime.Configure(TorchRuntimeSettings.SleepingIdleThreads)</c>, which the command-line tool calls), and
        /// another process takes a core, the default still beats one thread: on 2 shared cores, 2 threads with sleeping
        /// waits trained 2–3.5× faster than with spinning ones, and faster than 1 thread (docs/benchmarks.md, "Threads").
        /// Set 1 when several trainings share the machine on purpose.
        /// </summary>
        public int? Threads { get; set; }

        /// <summary>
        /// Where training runs: <see cref="TrainingDevice.Automatic"/> (default) follows <c>MLContext.GpuDeviceId</c> and
        /// <c>MLContext.FallbackToCpu</c> as ML.NET's TorchSharp trainers do; <see cref="TrainingDevice.Cuda"/> requires a
        /// CUDA GPU (an error saying which package to add when there is none). The network, batches, losses and validation
        /// run there; the trained model, its scoring and its ONNX export are on the CPU.
        /// </summary>
        public TrainingDevice Device { get; set; } = TrainingDevice.Automatic;

        /// <summary>
        /// The number type of the dense layers' matrix multiplies while training: <see cref="TrainingPrecision.Float32"/>
        /// (default), <see cref="TrainingPrecision.BFloat16"/> (mixed precision: bfloat16 products, float32 weights,
        /// optimizer, loss and activations) or <see cref="TrainingPrecision.Automatic"/> (bfloat16 where the CPU multiplies
        /// it natively; the trained model records the choice). A training-time setting only — the trained model, its ONNX
        /// export and scoring are float32 either way. A checkpoint records the precision trained in, and a resume must
        /// come to the same one.
        /// </summary>
        public TrainingPrecision Precision { get; set; }

        /// <summary>
        /// Data up to this many bytes (rows × width × 4) is copied once into one native tensor; larger data is streamed from
        /// the IDataView every epoch with bounded memory. Default 2 GiB.
        /// </summary>
        public long MaxInMemoryBytes { get; set; } = TrainingOptions.Defaults.MaxInMemoryBytes;

        /// <summary>
        /// Write a checkpoint to <see cref="CheckpointPath"/> after every this many epochs: the weights, the optimizer's
        /// state, the schedule's position, the random generators, early stopping's state and the history so far, replaced
        /// atomically each time. Null (default): no checkpoints. Resume with <see cref="ResumeFrom"/>.
        /// </summary>
        public int? CheckpointEvery { get; set; }

        /// <summary>The checkpoint file (a zip; its folder must exist) that <see cref="CheckpointEvery"/> writes. Required with it.</summary>
        public string? CheckpointPath { get; set; }

        /// <summary>
        /// Resume the run a checkpoint was written from: training starts after the checkpoint's epoch with everything as it
        /// was, so the result is the one the uninterrupted run gives (same weights). The architecture, the data and every
        /// training option must be those of the interrupted run — only <see cref="Threads"/>, <see cref="Device"/>,
        /// <see cref="CheckpointEvery"/>, <see cref="CheckpointPath"/> and <see cref="ResumeFrom"/> may change; a
        /// difference is an error naming it. Null (default): start afresh.
        /// </summary>
        public string? ResumeFrom { get; set; }

        /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and the value received.</summary>
        public void Validate()
        {
            if (!Enum.IsDefined(Precision))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Precision), Precision, $"Precision must be one of {string.Join(", ", Enum.GetNames<TrainingPrecision>())}; got {(int)Precision}.");
            }

            if (Threads is int threads)
            {
                OptionChecks.InRange(threads, 1, 4096, nameof(Threads), "or null for torch's default");
            }

            OptionChecks.Require(MaxInMemoryBytes >= 0, nameof(MaxInMemoryBytes), MaxInMemoryBytes, "MaxInMemoryBytes must be zero (always stream) or positive.");
            if (CheckpointEvery is int every)
            {
                OptionChecks.InRange(every, 1, TrainingOptions.MaxEpochCount, nameof(CheckpointEvery), "or null for no checkpoints");
            }

            OptionChecks.CheckpointFiles(CheckpointEvery, CheckpointPath, ResumeFrom);
        }

        /// <summary>A copy.</summary>
        public ExecutionOptions Clone() => (ExecutionOptions)MemberwiseClone();
    }
}
