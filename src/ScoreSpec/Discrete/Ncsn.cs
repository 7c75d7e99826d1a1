using System.Collections.Immutable;

namespace ScoreSpec.Discrete;

/// <summary>
/// NCSN's noise levels (Song and Ermon 2019, section 4.2): a geometric sequence sigma_1 &gt; sigma_2 &gt; ... &gt; sigma_L from
/// sigma_max to sigma_min, sigma_i = sigma_max (sigma_min / sigma_max)^((i - 1) / (L - 1)), with the perturbation
/// kernels N(x_0, sigma_i^2 I). Read as a Markov chain that adds noise from level i + 1 to level i,
/// x_i = x_{i+1} + sqrt(sigma_i^2 - sigma_{i+1}^2) z, it is the discretisation whose limit as L grows is the
/// variance-exploding SDE dx = sqrt(d[sigma^2(t)]/dt) dw with sigma(t) = sigma_min (sigma_max / sigma_min)^t (Song et al.
/// 2021, section 3.4 and Appendix B; shared/seeds/003 'Variance Exploding (VE) SDE': "corresponds to NCSN"): level i sits
/// at t_i = (L - i) / (L - 1). The catalog's <c>ncsn.ve-limit</c> checks both statements.
/// </summary>
/// <param name="SigmaMin">sigma_L, positive.</param>
/// <param name="SigmaMax">sigma_1, greater than SigmaMin.</param>
/// <param name="Levels">L, at least 2.</param>
public sealed record NcsnSchedule(double SigmaMin, double SigmaMax, int Levels)
{
    /// <summary>sigma_L, positive.</summary>
    public double SigmaMin { get; init; } = SigmaMin > 0 && double.IsFinite(SigmaMin) ? SigmaMin
        : throw new ArgumentException($"SigmaMin must be positive and finite, got {SigmaMin}.", nameof(SigmaMin));

    /// <summary>sigma_1, greater than SigmaMin.</summary>
    public double SigmaMax { get; init; } = SigmaMax > SigmaMin && double.IsFinite(SigmaMax) ? SigmaMax
        : throw new ArgumentException($"SigmaMax must be finite and greater than SigmaMin = {SigmaMin}, got {SigmaMax}.", nameof(SigmaMax));

    /// <summary>L, at least 2.</summary>
    public int Levels { get; init; } = Levels >= 2 ? Levels : throw new ArgumentException($"Levels must be at least 2, got {Levels}.", nameof(Levels));

    // A copy made with `with` can break the ordering; every use checks it again.
    private void Check()
    {
        if (!(SigmaMin > 0) || !double.IsFinite(SigmaMin)) throw new ArgumentException($"SigmaMin must be positive and finite, got {SigmaMin}.", nameof(SigmaMin));
        if (!(SigmaMax > SigmaMin) || !double.IsFinite(SigmaMax)) throw new ArgumentException($"SigmaMax must be finite and greater than SigmaMin = {SigmaMin}, got {SigmaMax}.", nameof(SigmaMax));
        if (Levels < 2) throw new ArgumentException($"Levels must be at least 2, got {Levels}.", nameof(Levels));
    }

    /// <summary>sigma_i = sigma_max (sigma_min / sigma_max)^((i - 1) / (L - 1)), for i = 1 .. L.</summary>
    /// <param name="i">The level, 1 (largest) to L (smallest).</param>
    public double Sigma(int i)
    {
        Check();
        if (i < 1 || i > Levels) throw new ArgumentException($"i must be 1 to {Levels}, got {i}.", nameof(i));
        return i == 1 ? SigmaMax : i == Levels ? SigmaMin : SigmaMax * Math.Pow(SigmaMin / SigmaMax, (i - 1.0) / (Levels - 1));
    }

    /// <summary>All L levels, largest first.</summary>
    public ImmutableArray<double> Sigmas() { Check(); return [.. Enumerable.Range(1, Levels).Select(Sigma)]; }

    /// <summary>
    /// The variance the noising chain adds from level i + 1 to level i, sigma_i^2 - sigma_{i+1}^2 (for i = 1 .. L - 1),
    /// computed as sigma_i^2 (1 - q^2) with q = sigma_{i+1} / sigma_i = (sigma_min / sigma_max)^(1 / (L - 1)), without the
    /// cancellation of the difference when the levels are close.
    /// </summary>
    /// <param name="i">The upper level, 1 to L - 1.</param>
    public double PerturbationVariance(int i)
    {
        Check();
        if (i < 1 || i >= Levels) throw new ArgumentException($"i must be 1 to {Levels - 1}, got {i}.", nameof(i));
        double sigma = Sigma(i), logQ = Math.Log(SigmaMin / SigmaMax) / (Levels - 1);
        return -sigma * sigma * Numerics.Accurate.ExpM1(2 * logQ);
    }

    /// <summary>The time of level i on the matching ve path: t_i = (L - i) / (L - 1).</summary>
    /// <param name="i">The level, 1 to L.</param>
    public double TimeOf(int i)
    {
        Check();
        if (i < 1 || i > Levels) throw new ArgumentException($"i must be 1 to {Levels}, got {i}.", nameof(i));
        return (double)(Levels - i) / (Levels - 1);
    }

    /// <summary>The ve path with the same ends, sigma(t) = sigma_min (sigma_max / sigma_min)^t.</summary>
    public Paths.VePath Path() { Check(); return new Paths.VePath(SigmaMin, SigmaMax); }
}
