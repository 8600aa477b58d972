namespace Autoencoders.ML.Training;

/// <summary>
/// The shuffling generator of a training run: <see cref="Random"/> with a seed (the same draws as <c>new Random(seed)</c>)
/// that counts its draws, so that a checkpoint can record its position and a resumed run can move a fresh generator to
/// the same place (<see cref="Skip"/>). <see cref="Random"/>'s state itself cannot be read or written.
/// </summary>
internal sealed class ReplayableRandom : Random
{
    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public ReplayableRandom(int seed)
        : base(seed)
    {
    }

    /// <summary>Draws taken so far (each <see cref="Random.Next(int)"/> or <see cref="Sample"/> call is one).</summary>
    public long Draws { get; private set; }

    /// <summary>Takes <paramref name="draws"/> draws and forgets them.</summary>
    public void Skip(long draws)
    {
        for (long i = 0; i < draws; i++)
        {
            Sample();
        }
    }

    /// <summary>One draw in [0, 1); every bounded draw (<see cref="Random.Next(int)"/>, the shuffles' call) goes through here.</summary>
    protected override double Sample()
    {
        Draws++;
        return base.Sample();
    }

    /// <summary>Not used by training; refused so that no draw escapes the count.</summary>
    public override int Next() => throw new NotSupportedException("The shuffling generator counts bounded draws only.");

    /// <summary>Not used by training; refused so that no draw escapes the count.</summary>
    public override void NextBytes(byte[] buffer) => throw new NotSupportedException("The shuffling generator counts bounded draws only.");

    /// <summary>Not used by training; refused so that no draw escapes the count.</summary>
    public override void NextBytes(Span<byte> buffer) => throw new NotSupportedException("The shuffling generator counts bounded draws only.");

    /// <summary>Not used by training; refused so that no draw escapes the count.</summary>
    public override long NextInt64() => throw new NotSupportedException("The shuffling generator counts bounded draws only.");
}
