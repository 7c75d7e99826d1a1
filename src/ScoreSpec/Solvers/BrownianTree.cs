using ScoreSpec.Numerics;

namespace ScoreSpec.Solvers;

/// <summary>
/// A d-dimensional Brownian motion on [T0, T1] that can be queried at any time, in any order, with values that do not
/// depend on which other times were asked for (a "virtual Brownian tree", as torchsde's BrownianTree). W(T0) = 0 and
/// W(T1) = sqrt(T1 - T0) xi_root; the value at a time t is found by bisecting the interval that holds t: the midpoint
/// m of [a, b] is W(m) = (W(a) + W(b)) / 2 + sqrt((b - a) / 4) xi_node (Levy's construction), with xi_node a
/// counter-based hash of (seed, depth, node index, coordinate), until the interval is shorter than
/// <see cref="Tolerance"/> x (T1 - T0); inside that leaf W(t) is the Brownian bridge's mean plus
/// sqrt((t - a)(b - t) / (b - a)) xi_leaf. Every W(t) has exactly the law N(0, (t - T0) I); the joint law of values at
/// several times is exact when no two of them share a leaf, and off by at most the leaf's variance, Tolerance x (T1 - T0),
/// when they do. Increments W(t) - W(s) are differences of values, so a grid and any refinement of it see the same noise:
/// the fine increments of a coarse step sum to the coarse increment exactly. Used by the samplers that need noise
/// consistent across step counts (DPM-Solver++ SDE, k-diffusion's BrownianTreeNoiseSampler).
/// </summary>
/// <param name="Seed">Fixes the path.</param>
/// <param name="Dimension">The number of independent coordinates, at least 1.</param>
/// <param name="T0">Start time (W(T0) = 0).</param>
/// <param name="T1">End time, greater than T0.</param>
/// <param name="Tolerance">Leaf length relative to T1 - T0, in [1e-14, 1e-3].</param>
public sealed record BrownianTree(ulong Seed, int Dimension, double T0, double T1, double Tolerance = 1e-12)
{
    /// <summary>W(t) into <paramref name="w"/> (length <see cref="Dimension"/>), for t in [T0, T1].</summary>
    /// <param name="t">The time.</param>
    /// <param name="w">Receives W(t).</param>
    public void Value(double t, Span<double> w)
    {
        Check();
        if (!(t >= T0 && t <= T1)) throw new ArgumentException($"t must lie in [{T0}, {T1}], got {t}.", nameof(t));
        if (w.Length != Dimension) throw new ArgumentException($"w must have length {Dimension}, got {w.Length}.", nameof(w));
        Fill(Seed, T0, T1, Tolerance, t, w);
    }

    /// <summary>The descent, without checks or allocation, for the samplers' inner loops (t inside [t0, t1]).</summary>
    internal static void Fill(ulong seed, double t0, double t1, double tolerance, double t, Span<double> w)
    {
        double span = t1 - t0, leaf = tolerance * span;
        for (int j = 0; j < w.Length; j++)
        {
            double a = t0, b = t1, wa = 0, wb = Math.Sqrt(span) * Normal(seed, 0, 0, j);
            ulong node = 0;
            int depth = 0;
            while (b - a > leaf && t != a && t != b)
            {
                double m = a + (b - a) / 2;
                depth++;
                double wm = (wa + wb) / 2 + Math.Sqrt((b - a) / 4) * Normal(seed, depth, node, j);
                if (t < m) { b = m; wb = wm; node = 2 * node; }
                else { a = m; wa = wm; node = 2 * node + 1; }
            }
            if (t == a) w[j] = wa;
            else if (t == b) w[j] = wb;
            else w[j] = wa + (t - a) / (b - a) * (wb - wa) + Math.Sqrt((t - a) * (b - t) / (b - a)) * Normal(seed, depth + 1, node, j);
        }
    }

    /// <summary>W(t) as a new array.</summary>
    /// <param name="t">The time, in [T0, T1].</param>
    public double[] Value(double t)
    {
        var w = new double[Math.Max(Dimension, 0)];
        Value(t, w);
        return w;
    }

    /// <summary>The increment W(t) - W(s), for s and t in [T0, T1] (either order).</summary>
    /// <param name="s">The earlier time.</param>
    /// <param name="t">The later time.</param>
    public double[] Increment(double s, double t)
    {
        var a = Value(s);
        var b = Value(t);
        for (int j = 0; j < b.Length; j++) b[j] -= a[j];
        return b;
    }

    private static double Normal(ulong seed, int depth, ulong node, int coordinate) =>
        SplitMix64.Normal(SplitMix64.Hash(seed, (ulong)depth, node, (ulong)coordinate));

    private void Check()
    {
        if (Dimension < 1) throw new ArgumentException($"Dimension must be at least 1, got {Dimension}.", nameof(Dimension));
        if (!(T1 > T0) || !double.IsFinite(T0) || !double.IsFinite(T1)) throw new ArgumentException($"T1 must exceed T0, both finite, got [{T0}, {T1}].", nameof(T1));
        if (!(Tolerance >= 1e-14 && Tolerance <= 1e-3)) throw new ArgumentException($"Tolerance must lie in [1e-14, 1e-3], got {Tolerance}.", nameof(Tolerance));
    }
}
