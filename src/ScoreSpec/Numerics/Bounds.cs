using MathNet.Numerics.Distributions;

namespace ScoreSpec.Numerics;

/// <summary>Thresholds for statistical checks, derived from a stated false-failure probability.</summary>
public static class Bounds
{
    /// <summary>
    /// The two-sided normal quantile z with P(|Z| &gt; z) = p / m: a check that asserts m standardised means are each within
    /// z standard errors of zero fails falsely with probability at most p (Bonferroni), in the CLT approximation.
    /// </summary>
    public static double TwoSidedZ(double falseFailureProbability, int assertions = 1)
    {
        if (!(falseFailureProbability > 0 && falseFailureProbability < 1))
            throw new ArgumentException($"falseFailureProbability must lie in (0, 1), got {falseFailureProbability}.", nameof(falseFailureProbability));
        if (assertions < 1) throw new ArgumentException($"assertions must be at least 1, got {assertions}.", nameof(assertions));
        return Normal.InvCDF(0, 1, 1 - falseFailureProbability / (2.0 * assertions));
    }
}
