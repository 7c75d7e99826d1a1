using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ScoreSpec.Numerics;

/// <summary>
/// Elementary functions on whole SIMD registers (<see cref="Vector{T}"/> of double) for the ensemble kernels: exp for
/// the mixture responsibilities, log and the sine and cosine of a full turn for Box-Muller normals. Each is a fixed
/// sequence of fused multiply-adds, additions, one division at most and bit operations, so every lane computes the same
/// bits whatever the register width or the lane it sits in, and the kernels give the same bits on any thread count.
/// Accuracy (tests/Properties/VectorMathTests.cs, against Math.Exp, Math.Log, Math.SinCos): within 2 ulp on the stated
/// domains.
/// </summary>
internal static class VectorMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01; // ln 2 with its last 32 bits zero (fdlibm's split), so k ln2hi is exact for |k| < 2^20
    private const double Ln2Lo = 1.90821492927058770002e-10; // ln 2 - Ln2Hi
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Magic = 6755399441055744.0;          // 1.5 2^52: adding it rounds |v| < 2^51 to an integer held in the low bits
    private const long MagicBits = 0x4338000000000000L;        // its bit pattern
    private const long TwoPow52Bits = 0x4330000000000000L;     // the bit pattern of 2^52

    /// <summary>
    /// exp(x) lane by lane: x = k ln 2 + r with k = round(x / ln 2) and |r| &lt;= ln 2 / 2, e^r by its Taylor polynomial of
    /// degree 13 (truncation below 4e-18 relative), times 2^k built in the exponent bits. Below -708 the answer is 0
    /// (the subnormal range is flushed), above 709.7 it is +infinity; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : struct, ILanes<T>
    {
        var clamped = T.Min(T.Max(x, T.Of(-708.0)), T.Of(709.7));
        // k = round(x / ln 2) by the 1.5 2^52 trick: the sum's last bits hold k, its difference is k as a double.
        var shifted = T.Fma(clamped, T.Of(InvLn2), T.Of(Magic));
        var k = shifted - T.Of(Magic);
        var r = T.Fma(-k, T.Of(Ln2Hi), clamped);
        r = T.Fma(-k, T.Of(Ln2Lo), r);
        var p = T.Of(1.0 / 6227020800.0);          // 1/13!
        p = T.Fma(p, r, T.Of(1.0 / 479001600.0));
        p = T.Fma(p, r, T.Of(1.0 / 39916800.0));
        p = T.Fma(p, r, T.Of(1.0 / 3628800.0));
        p = T.Fma(p, r, T.Of(1.0 / 362880.0));
        p = T.Fma(p, r, T.Of(1.0 / 40320.0));
        p = T.Fma(p, r, T.Of(1.0 / 5040.0));
        p = T.Fma(p, r, T.Of(1.0 / 720.0));
        p = T.Fma(p, r, T.Of(1.0 / 120.0));
        p = T.Fma(p, r, T.Of(1.0 / 24.0));
        p = T.Fma(p, r, T.Of(1.0 / 6.0));
        p = T.Fma(p, r, T.Of(0.5));
        p = T.Fma(p, r, T.Of(1.0));
        p = T.Fma(p, r, T.Of(1.0));
        // 2^k for k in [-1021, 1024]: k + 1023 in the exponent field; 2^1024 does not exist, so split 2^k = 2^(k-1) * 2.
        var scale = T.ShiftLeftBits(T.SubtractBits(shifted, T.OfBits(MagicBits - 1022)), 52);
        var result = p * scale * T.Of(2.0);
        result = T.Select(T.Less(x, T.Of(-708.0)), T.Of(0.0), result);
        result = T.Select(T.Greater(x, T.Of(709.7)), T.Of(double.PositiveInfinity), result);
        return T.Select(T.Equal(x, x), result, x);
    }

    /// <summary>
    /// ln(x) lane by lane for positive normal x: x = 2^e m with m in [sqrt(1/2), sqrt 2), ln m = 2 atanh(s) with
    /// s = (m - 1)/(m + 1), |s| &lt;= 0.1716, by its odd series to s^23 (truncation below 1e-19). Subnormal, zero,
    /// negative and non-finite inputs are outside the domain (the Box-Muller uniforms never are).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log<T>(T x) where T : struct, ILanes<T>
    {
                // The biased exponent b (0..2047) as a double: the bits of 2^52 + b, less 2^52, less the bias.
        var e = T.Or(T.ShiftRightBits(x, 52), T.OfBits(TwoPow52Bits)) - T.Of(4503599627370496.0 + 1023);
        var m = T.Or(T.And(x, T.OfBits(0x000FFFFFFFFFFFFFL)), T.OfBits(0x3FF0000000000000L));
        var big = T.Greater(m, T.Of(1.4142135623730951));
        m = T.Select(big, m * T.Of(0.5), m);
        e = T.Select(big, e + T.Of(1.0), e);
        var s = (m - T.Of(1.0)) / (m + T.Of(1.0));
        var z = s * s;
        var p = T.Of(1.0 / 23);
        p = T.Fma(p, z, T.Of(1.0 / 21));
        p = T.Fma(p, z, T.Of(1.0 / 19));
        p = T.Fma(p, z, T.Of(1.0 / 17));
        p = T.Fma(p, z, T.Of(1.0 / 15));
        p = T.Fma(p, z, T.Of(1.0 / 13));
        p = T.Fma(p, z, T.Of(1.0 / 11));
        p = T.Fma(p, z, T.Of(1.0 / 9));
        p = T.Fma(p, z, T.Of(1.0 / 7));
        p = T.Fma(p, z, T.Of(1.0 / 5));
        p = T.Fma(p, z, T.Of(1.0 / 3));
        var twoS = s + s;
        var lnM = T.Fma(twoS * z, p, twoS); // 2s + 2s z p(z)
        return T.Fma(e, T.Of(Ln2Hi), T.Fma(e, T.Of(Ln2Lo), lnM));
    }

    /// <summary>
    /// (sin 2 pi u, cos 2 pi u) lane by lane for u in [0, 1): 4u = q + f exactly with q = round(4u) (the quadrant) and
    /// |f| &lt;= 1/2, so the angle is q pi/2 + y with y = f pi/2, |y| &lt;= pi/4; sin y and cos y by their Taylor
    /// polynomials of degree 17 and 18 (truncation below 1e-19), rotated by q mod 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (T Sin, T Cos) SinCosTurn<T>(T u) where T : struct, ILanes<T>
    {
        var four = u * T.Of(4.0);
        var shifted = four + T.Of(Magic);
        var y = (four - (shifted - T.Of(Magic))) * T.Of(Math.PI / 2);
        var q = T.And(shifted, T.OfBits(3));
        var z = y * y;
        var sp = T.Of(1.0 / 355687428096000.0);               // 1/17!
        sp = T.Fma(sp, -z, T.Of(1.0 / 1307674368000.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 6227020800.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 39916800.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 362880.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 5040.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 120.0));
        sp = T.Fma(sp, -z, T.Of(1.0 / 6.0));
        var sin = T.Fma(-(y * z), sp, y);                  // y - y^3/3! + ...
        var cp = T.Of(1.0 / 6402373705728000.0);              // 1/18!
        cp = T.Fma(cp, -z, T.Of(1.0 / 20922789888000.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 87178291200.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 479001600.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 3628800.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 40320.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 720.0));
        cp = T.Fma(cp, -z, T.Of(1.0 / 24.0));
        cp = T.Fma(cp, -z, T.Of(0.5));
        var cos = T.Fma(-z, cp, T.Of(1.0));      // 1 - y^2/2! + ...
        // Rotate by q quarter turns: (sin, cos) -> (cos, -sin) -> (-sin, -cos) -> (-cos, sin).
        var one = T.OfBits(1);
        var odd = T.EqualBits(T.And(q, one), one);
        var flipSin = T.ShiftLeftBits(T.ShiftRightBits(q, 1), 63);                  // q = 2, 3
        var flipCos = T.ShiftLeftBits(T.ShiftRightBits(T.AddBits(q, one), 1), 63);  // q = 1, 2
        var sOut = T.Select(odd, cos, sin);
        var cOut = T.Select(odd, sin, cos);
        return (T.Xor(sOut, flipSin), T.Xor(cOut, flipCos));
    }

    /// <summary>
    /// Box-Muller on whole registers: from uniforms <paramref name="u1"/> in (0, 1] and <paramref name="u2"/> in [0, 1),
    /// the independent standard normals r cos(2 pi u2) and r sin(2 pi u2) with r = sqrt(-2 ln u1)
    /// (Box and Muller 1958), written over the inputs. Lengths must be equal multiples of the register width.
    /// </summary>
    public static void BoxMuller<T>(Span<double> u1, Span<double> u2) where T : struct, ILanes<T>
    {
        ref double a = ref MemoryMarshal.GetReference(u1);
        ref double b = ref MemoryMarshal.GetReference(u2);
        for (int i = 0; i < u1.Length; i += T.Count)
        {
            var r = T.Sqrt(T.Of(-2.0) * Log(T.Load(ref a, i)));
            var (s, c) = SinCosTurn(T.Load(ref b, i));
            T.Store(r * c, ref a, i);
            T.Store(r * s, ref b, i);
        }
    }

    /// <summary>
    /// One Box-Muller pair (r cos 2 pi u2, r sin 2 pi u2), r = sqrt(-2 ln u1), by the register arithmetic of
    /// <see cref="BoxMuller{T}(Span{double}, Span{double})"/> on a broadcast register: the same bits as a lane of it.
    /// </summary>
    public static (double Cos, double Sin) BoxMuller(double u1, double u2)
    {
        var r = VectorLanes.Sqrt(VectorLanes.Of(-2.0) * Log(VectorLanes.Of(u1)));
        var (s, c) = SinCosTurn(VectorLanes.Of(u2));
        return (VectorLanes.First(r * c), VectorLanes.First(r * s));
    }

    /// <summary>
    /// True where 512-bit registers are accelerated and wider than <see cref="Vector{T}"/>: the kernels then run on
    /// <see cref="Lanes512"/> (the same bits, lane for lane, as on <see cref="VectorLanes"/>).
    /// </summary>
    public static bool Wide { get; } = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Vector<double>.Count < 8;

    /// <summary>The widest register the kernels use here, in doubles (block widths are multiples of it).</summary>
    public static int MaxLanes { get; } = Wide ? 8 : Vector<double>.Count;

    /// <summary>The smallest multiple of <see cref="MaxLanes"/> that is at least <paramref name="n"/>.</summary>
    public static int Padded(int n) => (n + MaxLanes - 1) / MaxLanes * MaxLanes;
}
