using Xunit;

// Torch has process-wide state (seed, thread count) and uses both cores: tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
