using MathNet.Numerics.Distributions;
using ScoreSpec.Numerics;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The statistical building blocks pinned to values published or computed by hand, so that a slip in one of them (a
/// tail exponent, a factor in the energy statistic, a slope of the order fit) cannot hide behind a check that uses it.
/// </summary>
public class StatisticsPinned(ITestOutputHelper output)
{
    /// <summary>Stephens' modification x = D (sqrt(n) + 0.12 + 0.11 / sqrt(n)) that the library's p-value uses.</summary>
    private static double Modified(int n) => Math.Sqrt(n) + 0.12 + 0.11 / Math.Sqrt(n);

    // Upper-tail percentage points of the modified statistic for a fully specified continuous F: Stephens (1974),
    // "EDF statistics for goodness of fit and some comparisons", JASA 69, Table 1A, case 0. They are given to three
    // decimals, so the library's value must round to them: |ours - table| <= 5e-4 (plus the table's own rounding).
    [Theory]
    [InlineData(0.15, 1.138)]
    [InlineData(0.10, 1.224)]
    [InlineData(0.05, 1.358)]
    [InlineData(0.025, 1.480)]
    [InlineData(0.01, 1.628)]
    public void KolmogorovCriticalValuesAreStephensTable(double alpha, double table)
    {
        foreach (int n in new[] { 20, 100, 20000 })
        {
            double modified = SampleTests.KolmogorovCritical(alpha, n) * Modified(n);
            output.WriteLine($"alpha {alpha}, n {n}: {modified:F5} (table {table})");
            Assert.True(Math.Abs(modified - table) <= 6e-4, $"alpha {alpha}, n {n}: {modified} against Stephens' {table}");
        }
    }

    // The limiting Kolmogorov distribution K(x) = P(sqrt(n) D_n <= x) as tabulated by Smirnov (1948), "Table for
    // estimating the goodness of fit of empirical distributions", Ann. Math. Stat. 19, to six decimals; the value at
    // x = 0.5 is also K(x) = sqrt(2 pi)/x sum_k exp(-(2k-1)^2 pi^2 / (8 x^2)) = 5.013257 exp(-4.934802) = 0.036055 by hand,
    // and at x = 1, 1 - 2 (e^-2 - e^-8 + e^-18) = 0.730000 (the series the library does not use at small x).
    [Theory]
    [InlineData(0.5, 0.036055)]
    [InlineData(1.0, 0.730000)]
    [InlineData(1.5, 0.977782)]
    [InlineData(2.0, 0.999329)]
    public void KolmogorovPValuesAreTheTabulatedDistribution(double x, double cdf)
    {
        const int n = 10000;
        double p = SampleTests.KolmogorovPValue(x / Modified(n), n);
        Assert.True(Math.Abs(1 - p - cdf) <= 1e-6, $"K({x}) = {1 - p}, table {cdf}");
    }

    [Fact]
    public void KolmogorovStatisticOfAHandCase()
    {
        // Sample {0.1, 0.4, 0.7} against U(0, 1): the gaps are i/n - F = 0.2333, 0.2667, 0.3 above and F - (i-1)/n =
        // 0.1, 0.0667, 0.0333 below, so D = 0.3.
        Assert.Equal(0.3, SampleTests.KolmogorovSmirnov([0.7, 0.1, 0.4], x => x), 1e-15);
        // {0.9, 0.95}: below-gaps 0.9 - 0 = 0.9 and 0.95 - 0.5 = 0.45; above-gaps 0.5 - 0.9 < 0 and 1 - 0.95: D = 0.9.
        Assert.Equal(0.9, SampleTests.KolmogorovSmirnov([0.95, 0.9], x => x), 1e-15);
    }

    [Fact]
    public void EnergyStatisticOfHandCases()
    {
        // 1D: x = {0, 1}, y = {3, 5}. E|X - Y| = (3 + 5 + 2 + 4)/4 = 3.5, E|X - X'| = 1, E|Y - Y'| = 2: 2 (3.5) - 1 - 2 = 4.
        Assert.Equal(4, SampleTests.EnergyDistance([[0], [1]], [[3], [5]]), 1e-14);
        // 2D: x = {(0,0), (3,4)}, y = {(0,4), (3,0)}. E|X - Y| = (4 + 3 + 3 + 4)/4 = 3.5, E|X - X'| = 5, E|Y - Y'| = 5: -3.
        Assert.Equal(-3, SampleTests.EnergyDistance([[0, 0], [3, 4]], [[0, 4], [3, 0]]), 1e-14);
        // The linear estimator on x = {0, 1, 2, 6}, y = {3, 5, 4, 4}: pair 1 (x 0, 1; y 3, 5) gives |0-5| + |1-3| - 1 - 2 = 4,
        // pair 2 (x 2, 6; y 4, 4) gives |2-4| + |6-4| - 4 - 0 = 0: mean 2, standard error sd{4, 0}/sqrt(2) = 2.
        var (estimate, se) = SampleTests.EnergyDistanceLinear([[0], [1], [2], [6]], [[3], [5], [4], [4]]);
        Assert.Equal(2, estimate, 1e-14);
        Assert.Equal(2, se, 1e-14);
    }

    /// <summary>E|Z| for Z ~ N(m, s^2): s sqrt(2/pi) exp(-m^2 / (2 s^2)) + m (1 - 2 Phi(-m/s)).</summary>
    private static double MeanAbs(double m, double s) => s * Math.Sqrt(2 / Math.PI) * Math.Exp(-m * m / (2 * s * s)) + m * (1 - 2 * Normal.CDF(0, 1, -m / s));

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(0.0, 1.0, 0.5, 1.0)]
    [InlineData(-1.0, 0.5, 1.0, 2.0)]
    public void EnergyStatisticMatchesItsClosedFormForTwoGaussians(double mx, double sx, double my, double sy)
    {
        // Closed form: 2 E|X - Y| - E|X - X'| - E|Y - Y'| with X - Y ~ N(mx - my, sx^2 + sy^2), X - X' ~ N(0, 2 sx^2), so
        // E|X - X'| = 2 sx / sqrt(pi).
        double exact = 2 * MeanAbs(mx - my, Math.Sqrt(sx * sx + sy * sy)) - 2 * sx / Math.Sqrt(Math.PI) - 2 * sy / Math.Sqrt(Math.PI);
        var rng = new Random(20261124);
        double[][] Draw(int n, double m, double s) => Enumerable.Range(0, n).Select(_ => new[] { Normal.Sample(rng, m, s) }).ToArray();
        // Linear estimator: n = 200000, the mean of 100000 independent h_i, a CLT bound with false-failure probability
        // 1e-7. The U-statistic (n = 3000) is the Rao-Blackwellisation of the linear one at the same n, so its variance is
        // no larger; the linear estimator's standard error at n = 3000 (computed on the same points) bounds it.
        double z = Bounds.TwoSidedZ(1e-7, 2);
        var (big, bigSe) = SampleTests.EnergyDistanceLinear(Draw(200000, mx, sx), Draw(200000, my, sy));
        var x = Draw(3000, mx, sx);
        var y = Draw(3000, my, sy);
        double u = SampleTests.EnergyDistance(x, y);
        var (_, smallSe) = SampleTests.EnergyDistanceLinear(x, y);
        output.WriteLine($"exact {exact:G6}: linear {big:G6} +- {bigSe:G3}, U-statistic {u:G6} +- {smallSe:G3} (seed 20261124)");
        Assert.True(Math.Abs(big - exact) <= z * bigSe, $"linear {big} against {exact} +- {z * bigSe}");
        Assert.True(Math.Abs(u - exact) <= z * smallSe, $"U-statistic {u} against {exact} +- {z * smallSe}");
    }

    [Fact]
    public void OrderFitRecoversExactPowerLaws()
    {
        // errors = C h^p exactly: the least-squares slope on the logarithms is p and the intercept log C, to rounding.
        foreach (var (c, p) in new[] { (3.0, 1.5), (0.02, 0.5), (7e-3, 4.0), (1.0, 1.0) })
        {
            var h = Enumerable.Range(0, 6).Select(k => 0.1 / (1 << k)).ToArray();
            var fit = OrderFit.Of(h, h.Select(v => c * Math.Pow(v, p)).ToArray());
            Assert.Equal(p, fit.Order, 1e-12);
            Assert.Equal(Math.Log(c), fit.Intercept, 1e-11);
        }
        // A curved error (h + h^2) fitted over h = 1/2 .. 1/64: the slope is the secant slope of log(h + h^2), between 1
        // and the local slope 1 + h/(1 + h) at the largest h (1.33).
        var hs = Enumerable.Range(1, 6).Select(k => 1.0 / (1 << k)).ToArray();
        var curved = OrderFit.Of(hs, hs.Select(v => v + v * v).ToArray());
        Assert.InRange(curved.Order, 1.0, 1 + 0.5 / 1.5);
    }
}
