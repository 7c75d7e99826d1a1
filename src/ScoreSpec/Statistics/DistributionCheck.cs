using System.Collections.Immutable;
using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;

namespace ScoreSpec.Statistics;

/// <summary>
/// One test of a <see cref="DistributionCheck"/>: a statistic against its threshold at the check's false-failure
/// probability, and the smallest error of this kind that the test detects with probability 0.99 at this n.
/// </summary>
/// <param name="Name">What is tested: "mean[j]", "covariance[i][j]", "ks[j]" or "energy".</param>
/// <param name="Statistic">The test statistic: |z| for means and covariances, the Kolmogorov-Smirnov distance D_n, the
/// energy estimate's z (one-sided).</param>
/// <param name="Threshold">The value above which the test fails.</param>
/// <param name="Passed">Statistic at most Threshold.</param>
/// <param name="Estimate">The estimated quantity: the sample mean or covariance entry, D_n, the energy distance.</param>
/// <param name="Exact">Its value under the claimed law (0 for D_n and the energy distance).</param>
/// <param name="Detectable">The smallest error, in the units of Estimate - Exact, detected with probability 0.99.</param>
public sealed record DistributionTest(string Name, double Statistic, double Threshold, bool Passed, double Estimate, double Exact, double Detectable);

/// <summary>The verdict of a <see cref="DistributionCheck"/> and the evidence for it.</summary>
/// <param name="Passed">Every test passed.</param>
/// <param name="N">The number of samples.</param>
/// <param name="FalseFailure">The probability that a sample of the claimed law fails the check (Bonferroni over the
/// tests, each test's approximation as stated on <see cref="DistributionCheck.Run"/>).</param>
/// <param name="Tests">Every test, in the order means, covariances, Kolmogorov-Smirnov, energy.</param>
public sealed record DistributionVerdict(bool Passed, int N, double FalseFailure, ImmutableArray<DistributionTest> Tests) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(DistributionVerdict? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(DistributionVerdict)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Passed, N, FalseFailure, Tests];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>The tests that failed.</summary>
    public IEnumerable<DistributionTest> Failures => Tests.Where(t => !t.Passed);
}

/// <summary>
/// Is a sample drawn from a given Gaussian mixture? The question a sampler's author asks of its output, answered with a
/// stated false-failure probability (issue 17; the statistics are those of shared/seeds/004's evaluation of samplers:
/// moments and two-sample distances).
/// </summary>
public static class DistributionCheck
{
    /// <summary>Covariance entries and Kolmogorov-Smirnov tests cover the first this many coordinates (means cover all).</summary>
    public const int MaxCoordinates = 16;

    /// <summary>
    /// The weak error of a sample against a law, the norm of the deviations of its first two moments, with the noise
    /// the finite sample puts on it: e^2 = sum_j (mean_j - m_j)^2 + sum_{i &lt;= j &lt; q} (S_ij - Cov_ij)^2 over the first
    /// q = min(d, <see cref="MaxCoordinates"/>) coordinates for the covariances, and noise^2 = sum of the variances of those
    /// estimates under the law (Cov_jj / n and (E[(x_i - m_i)^2 (x_j - m_j)^2] - Cov_ij^2) / n). The squared error is
    /// returned with the noise's expected contribution removed (e^2 - noise^2, at least 0), so that it estimates the
    /// sampler's bias alone.
    /// </summary>
    /// <param name="law">The law the sample should have.</param>
    /// <param name="samples">The sample, rows of the law's dimension.</param>
    public static (double Error, double Noise) WeakError(GaussianMixture law, double[][] samples)
    {
        if (law is null) throw new ArgumentException("law must not be null.", nameof(law));
        Guard.NotNull(samples, nameof(samples));
        if (samples.Length < 8) throw new ArgumentException($"samples must hold at least 8 points, got {samples.Length}.", nameof(samples));
        int n = samples.Length, d = law.Dimension, q = Math.Min(d, MaxCoordinates);
        var mean = law.Mean;
        var cov = law.Covariance;
        var (sampleMean, sampleCov) = SampleTests.Moments(samples);
        double e2 = 0, noise2 = 0;
        for (int j = 0; j < d; j++)
        {
            e2 += (sampleMean[j] - mean[j]) * (sampleMean[j] - mean[j]);
            noise2 += cov[j][j] / n;
        }
        for (int i = 0; i < q; i++)
            for (int j = i; j < q; j++)
            {
                e2 += (sampleCov[i, j] - cov[i][j]) * (sampleCov[i, j] - cov[i][j]);
                noise2 += Math.Max(law.CentralFourthMoment(i, j) - cov[i][j] * cov[i][j], 0) / n;
            }
        return (Math.Sqrt(Math.Max(e2 - noise2, 0)), Math.Sqrt(noise2));
    }

    /// <summary>The normal quantile of the power 0.99 used for the detectable errors.</summary>
    private static readonly double PowerZ = Normal.InvCDF(0, 1, 0.99);

    /// <summary>
    /// Tests <paramref name="samples"/> against <paramref name="law"/> with false-failure probability
    /// <paramref name="falseFailure"/>, split evenly (Bonferroni) over m tests:
    /// <list type="bullet">
    /// <item>each coordinate's mean: z = (mean_j - m_j) / sqrt(Cov_jj / n), two-sided (CLT);</item>
    /// <item>each covariance entry of the first <see cref="MaxCoordinates"/> coordinates: z = (S_ij - Cov_ij) /
    /// sqrt((E[(x_i - m_i)^2 (x_j - m_j)^2] - Cov_ij^2) / n), two-sided, with the fourth moment exact
    /// (<see cref="GaussianMixture.CentralFourthMoment"/>; CLT, and the sample mean's O(1/n) effect neglected);</item>
    /// <item>each of those coordinates' Kolmogorov-Smirnov distance to its exact marginal CDF against the critical value of
    /// the Kolmogorov distribution;</item>
    /// <item>the energy distance to an exact sample of the same size (drawn with <paramref name="seed"/>) by the linear
    /// estimator with its standard error, one-sided (it has mean 0 exactly when the laws agree; CLT).</item>
    /// </list>
    /// Each test's detectable error is the error it catches with probability 0.99: (threshold + 2.33) standard errors for
    /// the z-tests, the critical distance plus its sampling spread for Kolmogorov-Smirnov.
    /// </summary>
    /// <param name="law">The claimed law.</param>
    /// <param name="samples">The sample, at least 8 points of the law's dimension, finite.</param>
    /// <param name="falseFailure">The probability that a sample of the law fails, in (0, 0.5].</param>
    /// <param name="seed">The key of the exact reference sample of the energy test.</param>
    public static DistributionVerdict Run(GaussianMixture law, double[][] samples, double falseFailure = 1e-6, ulong seed = 0)
    {
        if (law is null) throw new ArgumentException("law must not be null.", nameof(law));
        Guard.NotNull(samples, nameof(samples));
        if (!(falseFailure > 0 && falseFailure <= 0.5)) throw new ArgumentException($"falseFailure must lie in (0, 0.5], got {falseFailure}.", nameof(falseFailure));
        int n = samples.Length, d = law.Dimension;
        if (n < 8) throw new ArgumentException($"samples must hold at least 8 points, got {n}.", nameof(samples));
        for (int i = 0; i < n; i++)
        {
            if (samples[i] is null || samples[i].Length != d) throw new ArgumentException($"samples[{i}] must have {d} coordinates, the law's dimension.", nameof(samples));
            foreach (double v in samples[i])
                if (!double.IsFinite(v)) throw new ArgumentException($"samples[{i}] holds a non-finite value.", nameof(samples));
        }
        int q = Math.Min(d, MaxCoordinates);
        int tests = d + q * (q + 1) / 2 + q + 1;
        double zTwo = Bounds.TwoSidedZ(falseFailure, tests);
        double zOne = Normal.InvCDF(0, 1, 1 - falseFailure / tests);
        var mean = law.Mean;
        var cov = law.Covariance;
        var (sampleMean, sampleCov) = SampleTests.Moments(samples);
        var results = ImmutableArray.CreateBuilder<DistributionTest>(tests);

        for (int j = 0; j < d; j++)
        {
            double se = Math.Sqrt(cov[j][j] / n);
            double z = Math.Abs(sampleMean[j] - mean[j]) / se;
            results.Add(new DistributionTest($"mean[{j}]", z, zTwo, z <= zTwo, sampleMean[j], mean[j], (zTwo + PowerZ) * se));
        }
        for (int i = 0; i < q; i++)
            for (int j = i; j < q; j++)
            {
                double se = Math.Sqrt(Math.Max(law.CentralFourthMoment(i, j) - cov[i][j] * cov[i][j], 0) / n);
                double z = Math.Abs(sampleCov[i, j] - cov[i][j]) / se;
                results.Add(new DistributionTest($"covariance[{i}][{j}]", z, zTwo, z <= zTwo, sampleCov[i, j], cov[i][j], (zTwo + PowerZ) * se));
            }
        double critical = SampleTests.KolmogorovCritical(falseFailure / tests, n);
        for (int j = 0; j < q; j++)
        {
            var marginal = law.Coordinate(j);
            double dn = SampleTests.KolmogorovSmirnov(samples.Select(x => x[j]).ToArray(), marginal.Cdf);
            // A CDF error of size e gives D_n of about e plus the null spread: e = critical + 2.33 x 0.5/sqrt(n) (the
            // standard deviation of sqrt(n) D_n under the null is about 0.26; 0.5 is a safe upper value).
            results.Add(new DistributionTest($"ks[{j}]", dn, critical, dn <= critical, dn, 0, critical + PowerZ * 0.5 / Math.Sqrt(n)));
        }
        var reference = law.Draw(n, seed).Rows();
        var (energy, energySe) = SampleTests.EnergyDistanceLinear(samples, reference);
        double energyZ = energySe > 0 ? energy / energySe : 0;
        results.Add(new DistributionTest("energy", energyZ, zOne, energyZ <= zOne, energy, 0, (zOne + PowerZ) * energySe));

        var all = results.MoveToImmutable();
        return new DistributionVerdict(all.All(t => t.Passed), n, falseFailure, all);
    }
}
