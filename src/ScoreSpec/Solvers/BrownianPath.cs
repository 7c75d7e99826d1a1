using ScoreSpec.Numerics;

namespace ScoreSpec.Solvers;

/// <summary>
/// A d-dimensional Brownian path on [T0, T1] that can be refined: its values on the dyadic grid of level L
/// (2^L intervals) are built by Levy's midpoint construction, W(mid) = (W(a) + W(b))/2 + sqrt((b - a)/4) xi, with every
/// xi a counter-based hash of (seed, level, index, coordinate). The values at a coarse level are therefore exactly the
/// values of every finer level at the shared grid points, so a coarse solve and a fine solve see the same noise; and the
/// path does not depend on the order in which it is evaluated.
/// </summary>
/// <param name="Seed">Fixes the path.</param>
/// <param name="Dimension">The number of independent coordinates.</param>
/// <param name="T0">Start time (W(T0) = 0).</param>
/// <param name="T1">End time.</param>
public sealed record BrownianPath(ulong Seed, int Dimension, double T0, double T1)
{
    /// <summary>The largest level supported (2^24 intervals).</summary>
    public const int MaxLevel = 24;

    /// <summary>W at the 2^level + 1 grid points, as rows [point][coordinate].</summary>
    public double[][] Values(int level)
    {
        if (level < 0 || level > MaxLevel) throw new ArgumentException($"level must lie in [0, {MaxLevel}], got {level}.", nameof(level));
        if (Dimension < 1) throw new ArgumentException($"Dimension must be at least 1, got {Dimension}.", nameof(Dimension));
        if (!(T1 > T0)) throw new ArgumentException($"T1 must exceed T0, got [{T0}, {T1}].", nameof(T1));
        int n = 1 << level;
        var w = new double[n + 1][];
        for (int i = 0; i <= n; i++) w[i] = new double[Dimension];
        double span = T1 - T0;
        for (int j = 0; j < Dimension; j++) w[n][j] = Math.Sqrt(span) * SplitMix64.Normal(SplitMix64.Hash(Seed, 0, 0, (ulong)j));
        for (int l = 1; l <= level; l++)
        {
            int stride = n >> l;                  // distance between a new midpoint and its neighbours
            double sd = Math.Sqrt(span / (1 << l) / 2); // sqrt((b - a)/4) with b - a = 2 * span / 2^l
            for (int m = stride; m < n; m += 2 * stride)
                for (int j = 0; j < Dimension; j++)
                    w[m][j] = (w[m - stride][j] + w[m + stride][j]) / 2
                        + sd * SplitMix64.Normal(SplitMix64.Hash(Seed, (ulong)l, (ulong)(m / stride), (ulong)j));
        }
        return w;
    }

    /// <summary>The 2^level increments W(t_{i+1}) - W(t_i), as rows [step][coordinate].</summary>
    public double[][] Increments(int level)
    {
        var w = Values(level);
        var dw = new double[w.Length - 1][];
        for (int i = 0; i < dw.Length; i++)
        {
            dw[i] = new double[Dimension];
            for (int j = 0; j < Dimension; j++) dw[i][j] = w[i + 1][j] - w[i][j];
        }
        return dw;
    }
}
