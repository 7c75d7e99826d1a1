using System.Runtime.CompilerServices;

namespace ScoreSpec.Numerics;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a bijective 64-bit mixer, used here to derive independent stream seeds
/// from (seed, stream index) and as a counter-based hash for Brownian refinements, so that the random numbers a path
/// receives depend only on its seed and index, never on thread scheduling.
/// </summary>
public static class SplitMix64
{
    /// <summary>The SplitMix64 output function applied to <paramref name="x"/> + the golden-ratio increment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A hash of several words, chained through <see cref="Mix"/>.</summary>
    public static ulong Hash(ulong a, ulong b, ulong c = 0, ulong d = 0) => Mix(Mix(Mix(Mix(a) ^ b) ^ c) ^ d);

    /// <summary>A uniform double in (0, 1) from the top 53 bits of a hash (never exactly 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToUnit(ulong bits) => ((bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary>A standard normal from two hashed uniforms by Box-Muller.</summary>
    public static double Normal(ulong key)
    {
        double u1 = ToUnit(Mix(key)), u2 = ToUnit(Mix(key ^ 0xD1B54A32D192ED03UL));
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

/// <summary>
/// The state of one xoshiro256** stream (Blackman and Vigna 2018) held in a caller's array of 4 words per stream, so
/// that an ensemble of N paths keeps its generators in one contiguous ulong[4N] and no generator is ever allocated per
/// step. Normals come from Box-Muller (<see cref="Normals"/>).
/// </summary>
public static class Xoshiro
{
    /// <summary>Seeds stream <paramref name="index"/> of a run with master seed <paramref name="seed"/> into state[0..4).</summary>
    public static void Seed(Span<ulong> state, ulong seed, ulong index)
    {
        ulong s = SplitMix64.Hash(seed, index, 0x5EED);
        for (int i = 0; i < 4; i++) { s = SplitMix64.Mix(s); state[i] = s; }
        if ((state[0] | state[1] | state[2] | state[3]) == 0) state[0] = 1;
    }

    /// <summary>The next 64 random bits of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next(Span<ulong> s)
    {
        ulong result = BitRotate(s[1] * 5, 7) * 9;
        ulong t = s[1] << 17;
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
        s[2] ^= t;
        s[3] = BitRotate(s[3], 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NextDouble(Span<ulong> s) => (Next(s) >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>
    /// Fills <paramref name="output"/> with standard normals by Box-Muller, pair by pair: two words of the stream give
    /// u1 = ((w1 &gt;&gt; 11) + 1/2) 2^-53 in (0, 1) and u2 = (w2 &gt;&gt; 11) 2^-53 in [0, 1), and the pair is
    /// (r cos 2 pi u2, r sin 2 pi u2) with r = sqrt(-2 ln u1); an odd length drops the last sine. The arithmetic is that of
    /// <see cref="VectorMath.BoxMuller(Span{double}, Span{double})"/>, so a path's normals have the same bits whether the scalar samplers or the SIMD
    /// runner draw them.
    /// </summary>
    public static void Normals(Span<ulong> s, Span<double> output)
    {
        int i = 0;
        while (i < output.Length)
        {
            var (u1, u2) = BoxMullerUniforms(s);
            var (a, b) = VectorMath.BoxMuller(u1, u2);
            output[i++] = a;
            if (i < output.Length) output[i++] = b;
        }
    }

    /// <summary>
    /// The two uniforms of one Box-Muller pair, from the next two words of the stream: u1 = ((w1 &gt;&gt; 11) + 1/2) 2^-53
    /// in (0, 1) for the radius, u2 = (w2 &gt;&gt; 11) 2^-53 in [0, 1) for the angle. The scalar samplers and the SIMD
    /// runner both take their uniforms from here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (double U1, double U2) BoxMullerUniforms(Span<ulong> s)
    {
        double u1 = SplitMix64.ToUnit(Next(s));
        return (u1, (Next(s) >> 11) * (1.0 / 9007199254740992.0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));
}

/// <summary>A System.Random over one xoshiro stream, reset per point, so that exact draws are keyed by point index.</summary>
internal sealed class XoshiroRandom : Random
{
    private readonly ulong[] state = new ulong[4];
    /// <summary>Restarts at stream (seed, index).</summary>
    public void Reset(ulong seed, ulong index) => Xoshiro.Seed(state, seed, index);
    /// <summary>The stream's state, for drawing normals from the same stream.</summary>
    public Span<ulong> State => state;
    protected override double Sample() => Xoshiro.NextDouble(state);
    public override double NextDouble() => Xoshiro.NextDouble(state);
    public override int Next() => (int)(Xoshiro.Next(state) >> 33);
    public override int Next(int maxValue) => (int)(Xoshiro.NextDouble(state) * maxValue);
}
