using System.Numerics;

namespace ScoreSpec.Properties.Precision;

/// <summary>
/// A real number held exactly as N / 2^P with P = 320 fractional bits (about 96 decimal digits), for reference values
/// that do not share a single rounding with the library's double formulas. Addition and subtraction are exact;
/// multiplication and division round to within one unit of 2^-P. The elementary functions are power series whose
/// truncation is bounded below:
/// - exp: the argument is halved k times until |r| &lt;= 2^-10, the Taylor series of exp(r) is summed until a term
///   is below 2^-P (the remainder is then below twice that term, since |r| &lt; 1/2), and the result is squared k times;
///   each squaring at most doubles the relative error, so for |x| &lt;= 64 (k &lt;= 16) it stays below 2^(16 - 310).
/// - log: Newton's iteration z &lt;- z + y exp(-z) - 1 from the double logarithm, which doubles the number of correct
///   bits each time: 5 iterations from 50 bits exceed P.
/// - sin, cos: the Taylor series for |x| &lt;= 2, alternating with decreasing terms once n &gt; |x|, so the remainder is
///   below the first omitted term, which is below 2^-P.
/// - pi: Machin's formula 16 atan(1/5) - 4 atan(1/239), alternating series with the same bound.
/// - sqrt: the integer square root of N 2^P, exact to one unit.
/// Differences of reference functions in the tests use steps of 2^-100, so their rounding (2^-P / 2^-100) and their
/// truncation (h^2 |f'''| / 6) are below 1e-55 relative for every path and parameter used: far below the 1e-14 tested.
/// </summary>
public readonly struct Hp : IComparable<Hp>
{
    public const int P = 320;
    private static readonly BigInteger Unit = BigInteger.One << P;

    public BigInteger N { get; }
    private Hp(BigInteger n) => N = n;

    public static Hp Zero => new(BigInteger.Zero);
    public static Hp One => new(Unit);

    /// <summary>The exact value of a double (every double used here is at least 2^-200, so no bit is lost).</summary>
    public static Hp Of(double x)
    {
        if (!double.IsFinite(x)) throw new ArgumentException($"not finite: {x}", nameof(x));
        if (x == 0) return Zero;
        long bits = BitConverter.DoubleToInt64Bits(x);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        int shift = exponent - 1075 + P; // x = mantissa 2^(exponent - 1075)
        if (shift < 0) throw new ArgumentException($"{x} is too small to hold exactly", nameof(x));
        var n = new BigInteger(mantissa) << shift;
        return new Hp(negative ? -n : n);
    }

    public static Hp Of(long k) => new(new BigInteger(k) << P);

    public static implicit operator Hp(double x) => Of(x);
    public static Hp operator +(Hp a, Hp b) => new(a.N + b.N);
    public static Hp operator -(Hp a, Hp b) => new(a.N - b.N);
    public static Hp operator -(Hp a) => new(-a.N);
    public static Hp operator *(Hp a, Hp b) => new((a.N * b.N) >> P);
    public static Hp operator /(Hp a, Hp b)
    {
        if (b.N.IsZero) throw new DivideByZeroException();
        return new Hp((a.N << P) / b.N);
    }
    public static Hp operator *(Hp a, long k) => new(a.N * k);
    public static Hp operator /(Hp a, long k) => new(a.N / k);
    public static bool operator <(Hp a, Hp b) => a.N < b.N;
    public static bool operator >(Hp a, Hp b) => a.N > b.N;
    public int CompareTo(Hp other) => N.CompareTo(other.N);
    public int Sign => N.Sign;
    public Hp Abs() => new(BigInteger.Abs(N));

    /// <summary>The nearest double, within one unit in the last place (used only to print and to compare errors).</summary>
    public double ToDouble()
    {
        if (N.IsZero) return 0;
        var a = BigInteger.Abs(N);
        long bitLength = (long)a.GetBitLength();
        int drop = (int)Math.Max(0, bitLength - 62);
        double m = (double)(a >> drop);
        double v = Math.ScaleB(m, drop - P);
        return N.Sign < 0 ? -v : v;
    }

    /// <summary>|library - reference| / |reference|, formed exactly and then rounded.</summary>
    public static double RelativeError(double library, Hp reference)
    {
        if (reference.N.IsZero) return library == 0 ? 0 : double.PositiveInfinity;
        return ((Of(library) - reference).Abs() / reference.Abs()).ToDouble();
    }

    public static Hp Exp(Hp x)
    {
        var limit = One / 1024;
        int k = 0;
        var r = x;
        while (r.Abs() > limit) { r = new Hp(r.N >> 1); k++; }
        if (k > 20) throw new ArgumentException("exp argument beyond the range the error bound covers", nameof(x));
        Hp sum = One, term = One;
        for (int n = 1; n < 200; n++)
        {
            term = term * r / n;
            if (term.N.IsZero) break;
            sum += term;
        }
        for (int i = 0; i < k; i++) sum *= sum;
        return sum;
    }

    public static Hp Log(Hp y)
    {
        if (y.Sign <= 0) throw new ArgumentException("log of a non-positive number", nameof(y));
        Hp z = Math.Log(y.ToDouble());
        for (int i = 0; i < 6; i++) z = z + y * Exp(-z) - One;
        return z;
    }

    public static Hp Sin(Hp x) => Series(x, x, 1);
    public static Hp Cos(Hp x) => Series(x, One, 0);

    private static Hp Series(Hp x, Hp first, int start)
    {
        if (x.Abs() > Of(2.0)) throw new ArgumentException("sin/cos argument beyond the range the error bound covers", nameof(x));
        var x2 = x * x;
        Hp sum = first, term = first;
        for (int n = start + 2; n < 400; n += 2)
        {
            term = -(term * x2) / ((long)(n - 1) * n);
            if (term.N.IsZero) break;
            sum += term;
        }
        return sum;
    }

    public static Hp Sqrt(Hp y)
    {
        if (y.Sign < 0) throw new ArgumentException("sqrt of a negative number", nameof(y));
        if (y.N.IsZero) return Zero;
        var a = y.N << P;
        // Newton's iteration for the integer square root, started above the root.
        var x = BigInteger.One << (int)((a.GetBitLength() + 1) / 2 + 1);
        while (true)
        {
            var next = (x + a / x) >> 1;
            if (next >= x) return new Hp(x);
            x = next;
        }
    }

    private static Hp Atan(Hp x)
    {
        var x2 = x * x;
        Hp sum = x, power = x;
        for (long n = 3; n < 100000; n += 2)
        {
            power = -(power * x2);
            var term = power / n;
            if (term.N.IsZero) break;
            sum += term;
        }
        return sum;
    }

    public static Hp Pi { get; } = Atan(One / 5) * 16 - Atan(One / 239) * 4;

    public override string ToString() => ToDouble().ToString("R");
}
