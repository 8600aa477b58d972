namespace Autoencoders.ML.Runtime;

/// <summary>
/// Tensor arithmetic with numbers that keeps every number alive until libtorch has read it. TorchSharp turns a number
/// given to a tensor operation into a <see cref="Scalar"/> that only its finalizer frees, and its <c>a + b</c> and
/// <c>square()</c> make such a Scalar of their own (alpha = 1, exponent 2). A garbage collection started by another
/// thread while the native call runs can free that Scalar before libtorch reads it: a crash ("Unknown scalar type",
/// "c10/core/Scalar.h") or, worse, a wrong number read silently. The library writes every tensor operation that takes a
/// number through these methods (or an explicit <c>using Scalar</c>), and <c>ScalarLifetimeTests</c> reads the
/// library's compiled code to fail on any call that makes an unowned Scalar. Each method calls the TorchSharp
/// operation its operator would, with the same number type, so the results are bit for bit those of the operator.
/// </summary>
internal static class KeptScalars
{
    // Static, so never finalized: the alpha TorchSharp's add(Tensor) passes, and square()'s exponent.
    private static readonly Scalar One = 1;
    private static readonly Scalar Two = 2;

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a + alpha·b</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b, double alpha) => With(alpha, kept => a.add_(b, kept));

    /// <summary><c>a + b</c> for a number <paramref name="b"/>.</summary>
    public static Tensor Plus(this Tensor a, double b) => With(b, kept => a.add(kept, One));

    /// <summary><c>a + b</c> in place for a number <paramref name="b"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, double b) => With(b, kept => a.add_(kept, One));

    /// <summary><c>a − b</c> for a number <paramref name="b"/>.</summary>
    public static Tensor Minus(this Tensor a, double b) => With(b, kept => a.sub(kept));

    /// <summary><c>a + b</c> for an integer <paramref name="b"/>.</summary>
    public static Tensor Plus(this Tensor a, long b) => With(b, kept => a.add(kept, One));

    /// <summary><c>a − b</c> for an integer <paramref name="b"/>.</summary>
    public static Tensor Minus(this Tensor a, long b) => With(b, kept => a.sub(kept));

    /// <summary><c>a / b</c> for an integer <paramref name="b"/>.</summary>
    public static Tensor Over(this Tensor a, long b) => With(b, kept => a.div(kept));

    /// <summary><c>a · b</c> for a number <paramref name="b"/>.</summary>
    public static Tensor Times(this Tensor a, double b) => With(b, kept => a.mul(kept));

    /// <summary><c>a · b</c> for an integer <paramref name="b"/> (an integer tensor stays an integer tensor).</summary>
    public static Tensor Times(this Tensor a, long b) => With(b, kept => a.mul(kept));

    /// <summary><c>a ·= b</c> in place for a number <paramref name="b"/>.</summary>
    public static Tensor TimesInPlace(this Tensor a, double b) => With(b, kept => a.mul_(kept));

    /// <summary><c>a / b</c> for a number <paramref name="b"/>.</summary>
    public static Tensor Over(this Tensor a, double b) => With(b, kept => a.div(kept));

    /// <summary><c>a / b</c> in place for a number <paramref name="b"/>.</summary>
    public static Tensor OverInPlace(this Tensor a, double b) => With(b, kept => a.div_(kept));

    /// <summary><c>max(a, min)</c> element-wise.</summary>
    public static Tensor ClampMin(this Tensor a, double min) => With(min, kept => a.clamp_min(kept));

    /// <summary><c>min(a, max)</c> element-wise.</summary>
    public static Tensor ClampMax(this Tensor a, double max) => With(max, kept => a.clamp_max(kept));

    /// <summary><c>a²</c>, as TorchSharp's <c>square()</c> (<c>pow(2)</c>).</summary>
    public static Tensor Squared(this Tensor a) => a.pow(Two);

    /// <summary>Any operation that takes one number, with the number kept alive through it.</summary>
    public static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using Scalar kept = value;
        return operation(kept);
    }

    /// <summary>Any operation that takes one integer, with the integer kept alive through it.</summary>
    public static Tensor With(long value, Func<Scalar, Tensor> operation)
    {
        using Scalar kept = value;
        return operation(kept);
    }
}
