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
    public static Vector<double> Exp(Vector<double> x)
    {
        var clamped = Vector.Min(Vector.Max(x, new Vector<double>(-708.0)), new Vector<double>(709.7));
        // k = round(x / ln 2) by the 1.5 2^52 trick: the sum's last bits hold k, its difference is k as a double.
        var shifted = Vector.FusedMultiplyAdd(clamped, new Vector<double>(InvLn2), new Vector<double>(Magic));
        var k = shifted - new Vector<double>(Magic);
        var r = Vector.FusedMultiplyAdd(-k, new Vector<double>(Ln2Hi), clamped);
        r = Vector.FusedMultiplyAdd(-k, new Vector<double>(Ln2Lo), r);
        var p = new Vector<double>(1.0 / 6227020800.0);          // 1/13!
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 479001600.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 39916800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 3628800.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 362880.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 40320.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 5040.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 720.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 120.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 24.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 6.0));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(0.5));
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
        // 2^k for k in [-1021, 1024]: k + 1023 in the exponent field; 2^1024 does not exist, so split 2^k = 2^(k-1) * 2.
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(Vector.AsVectorInt64(shifted) - new Vector<long>(MagicBits - 1022), 52));
        var result = p * scale * new Vector<double>(2.0);
        result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(-708.0)), Vector<double>.Zero, result);
        result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<double>(709.7)), new Vector<double>(double.PositiveInfinity), result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>
    /// ln(x) lane by lane for positive normal x: x = 2^e m with m in [sqrt(1/2), sqrt 2), ln m = 2 atanh(s) with
    /// s = (m - 1)/(m + 1), |s| &lt;= 0.1716, by its odd series to s^23 (truncation below 1e-19). Subnormal, zero,
    /// negative and non-finite inputs are outside the domain (the Box-Muller uniforms never are).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x)
    {
        var bits = Vector.AsVectorInt64(x);
        // The biased exponent b (0..2047) as a double: the bits of 2^52 + b, less 2^52, less the bias.
        var e = Vector.AsVectorDouble(Vector.ShiftRightLogical(bits, 52) | new Vector<long>(TwoPow52Bits)) - new Vector<double>(4503599627370496.0 + 1023);
        var m = Vector.AsVectorDouble((bits & new Vector<long>(0x000FFFFFFFFFFFFFL)) | new Vector<long>(0x3FF0000000000000L));
        var big = Vector.GreaterThan(m, new Vector<double>(1.4142135623730951));
        m = Vector.ConditionalSelect(big, m * new Vector<double>(0.5), m);
        e = Vector.ConditionalSelect(big, e + Vector<double>.One, e);
        var s = (m - Vector<double>.One) / (m + Vector<double>.One);
        var z = s * s;
        var p = new Vector<double>(1.0 / 23);
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 21));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 19));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 17));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 15));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 13));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 11));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 9));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 7));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 5));
        p = Vector.FusedMultiplyAdd(p, z, new Vector<double>(1.0 / 3));
        var twoS = s + s;
        var lnM = Vector.FusedMultiplyAdd(twoS * z, p, twoS); // 2s + 2s z p(z)
        return Vector.FusedMultiplyAdd(e, new Vector<double>(Ln2Hi), Vector.FusedMultiplyAdd(e, new Vector<double>(Ln2Lo), lnM));
    }

    /// <summary>
    /// (sin 2 pi u, cos 2 pi u) lane by lane for u in [0, 1): 4u = q + f exactly with q = round(4u) (the quadrant) and
    /// |f| &lt;= 1/2, so the angle is q pi/2 + y with y = f pi/2, |y| &lt;= pi/4; sin y and cos y by their Taylor
    /// polynomials of degree 17 and 18 (truncation below 1e-19), rotated by q mod 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector<double> Sin, Vector<double> Cos) SinCosTurn(Vector<double> u)
    {
        var four = u * new Vector<double>(4.0);
        var shifted = four + new Vector<double>(Magic);
        var y = (four - (shifted - new Vector<double>(Magic))) * new Vector<double>(Math.PI / 2);
        var q = Vector.AsVectorInt64(shifted) & new Vector<long>(3);
        var z = y * y;
        var sp = new Vector<double>(1.0 / 355687428096000.0);               // 1/17!
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 1307674368000.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 6227020800.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 39916800.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 362880.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 5040.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 120.0));
        sp = Vector.FusedMultiplyAdd(sp, -z, new Vector<double>(1.0 / 6.0));
        var sin = Vector.FusedMultiplyAdd(-(y * z), sp, y);                  // y - y^3/3! + ...
        var cp = new Vector<double>(1.0 / 6402373705728000.0);              // 1/18!
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 20922789888000.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 87178291200.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 479001600.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 3628800.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 40320.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 720.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(1.0 / 24.0));
        cp = Vector.FusedMultiplyAdd(cp, -z, new Vector<double>(0.5));
        var cos = Vector.FusedMultiplyAdd(-z, cp, Vector<double>.One);      // 1 - y^2/2! + ...
        // Rotate by q quarter turns: (sin, cos) -> (cos, -sin) -> (-sin, -cos) -> (-cos, sin).
        var odd = Vector.AsVectorDouble(Vector.Equals(q & Vector<long>.One, Vector<long>.One));
        var flipSin = Vector.AsVectorDouble(Vector.ShiftLeft(Vector.ShiftRightLogical(q, 1), 63));                 // q = 2, 3
        var flipCos = Vector.AsVectorDouble(Vector.ShiftLeft(Vector.ShiftRightLogical(q + Vector<long>.One, 1), 63)); // q = 1, 2
        var sOut = Vector.ConditionalSelect(odd, cos, sin);
        var cOut = Vector.ConditionalSelect(odd, sin, cos);
        return (Vector.Xor(sOut, flipSin), Vector.Xor(cOut, flipCos));
    }

    /// <summary>
    /// Box-Muller on whole registers: from uniforms <paramref name="u1"/> in (0, 1] and <paramref name="u2"/> in [0, 1),
    /// the independent standard normals r cos(2 pi u2) and r sin(2 pi u2) with r = sqrt(-2 ln u1)
    /// (Box and Muller 1958), written over the inputs. Lengths must be equal multiples of <see cref="Vector{T}.Count"/>.
    /// </summary>
    public static void BoxMuller(Span<double> u1, Span<double> u2)
    {
        var a = MemoryMarshal.Cast<double, Vector<double>>(u1);
        var b = MemoryMarshal.Cast<double, Vector<double>>(u2);
        for (int i = 0; i < a.Length; i++)
        {
            var r = Vector.SquareRoot(new Vector<double>(-2.0) * Log(a[i]));
            var (s, c) = SinCosTurn(b[i]);
            a[i] = r * c;
            b[i] = r * s;
        }
    }

    /// <summary>
    /// One Box-Muller pair (r cos 2 pi u2, r sin 2 pi u2), r = sqrt(-2 ln u1), by the register arithmetic of
    /// <see cref="BoxMuller(Span{double}, Span{double})"/> on a broadcast register: the same bits as a lane of it.
    /// </summary>
    public static (double Cos, double Sin) BoxMuller(double u1, double u2)
    {
        var r = Vector.SquareRoot(new Vector<double>(-2.0) * Log(new Vector<double>(u1)));
        var (s, c) = SinCosTurn(new Vector<double>(u2));
        return ((r * c)[0], (r * s)[0]);
    }

    /// <summary>exp over a span whose length is a multiple of <see cref="Vector{T}.Count"/>, in place.</summary>
    public static void Exp(Span<double> x)
    {
        var v = MemoryMarshal.Cast<double, Vector<double>>(x);
        for (int i = 0; i < v.Length; i++) v[i] = Exp(v[i]);
    }

    /// <summary>The smallest multiple of <see cref="Vector{T}.Count"/> that is at least <paramref name="n"/>.</summary>
    public static int Padded(int n) => (n + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
}
