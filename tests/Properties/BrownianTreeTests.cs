using MathNet.Numerics.Distributions;
using ScoreSpec.Numerics;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The Brownian tree is Brownian motion queried anywhere: the law of its values and increments at non-dyadic times
/// (Kolmogorov-Smirnov over 20000 seeds, false-failure probability 1e-6 each, Bonferroni where several statistics are
/// asserted together), independence of disjoint increments (sample correlation within z / sqrt(n), same probability),
/// and the consistency the samplers rely on: the same value whatever else was asked and in whatever order, and the
/// increments of a refined grid summing to the coarse increment.
/// </summary>
public class BrownianTreeTests(ITestOutputHelper output)
{
    private const int N = 20000;
    private const double T0 = 0.1, T1 = 0.9;

    [Fact]
    public void ValuesAndIncrementsHaveTheLawOfBrownianMotion()
    {
        double s = 0.23713, t = 0.51279, u = 0.80011; // not dyadic points of [0.1, 0.9]
        var ws = new double[N]; var inc1 = new double[N]; var inc2 = new double[N]; var second = new double[N];
        for (int k = 0; k < N; k++)
        {
            var tree = new BrownianTree((ulong)k, 2, T0, T1);
            double[] a = tree.Value(s), b = tree.Value(t), c = tree.Value(u);
            ws[k] = a[0] / Math.Sqrt(s - T0);
            inc1[k] = (b[0] - a[0]) / Math.Sqrt(t - s);
            inc2[k] = (c[0] - b[0]) / Math.Sqrt(u - t);
            second[k] = (c[1] - a[1]) / Math.Sqrt(u - s);
        }
        double critical = SampleTests.KolmogorovCritical(1e-6 / 5, N);
        foreach (var (name, v) in new[] { ("W(s)", ws), ("W(t) - W(s)", inc1), ("W(u) - W(t)", inc2), ("second coordinate W(u) - W(s)", second) })
        {
            double ks = SampleTests.KolmogorovSmirnov(v, x => Normal.CDF(0, 1, x));
            output.WriteLine($"{name} / sqrt(length): KS {ks:F5} against {critical:F5}");
            Assert.True(ks <= critical, $"{name}: KS {ks}");
        }
        double r = Correlation(inc1, inc2), z = Bounds.TwoSidedZ(1e-6 / 5);
        output.WriteLine($"correlation of the disjoint increments {r:F5}, bound {z / Math.Sqrt(N):F5}");
        Assert.True(Math.Abs(r) <= z / Math.Sqrt(N), $"correlation {r}");
        // Negative control: overlapping increments are correlated, sqrt((t - s) / (u - s)) = 0.62, far beyond the bound.
        var overlap = new double[N];
        for (int k = 0; k < N; k++) overlap[k] = new BrownianTree((ulong)k, 2, T0, T1).Increment(s, u)[0];
        Assert.True(Correlation(inc1, overlap) > 0.5);
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxy / Math.Sqrt(sxx * syy);
    }

    [Fact]
    public void AValueDoesNotDependOnWhatElseWasAskedAndRefinementsShareTheNoise()
    {
        var tree = new BrownianTree(42, 3, T0, T1);
        double[] first = tree.Value(0.4321);
        _ = tree.Value(0.77); _ = tree.Value(0.12345);
        Assert.Equal(first, new BrownianTree(42, 3, T0, T1).Value(0.4321));
        Assert.Equal(first, tree.Value(0.4321));
        Assert.Equal(new double[3], tree.Value(T0));
        // A coarse step and its refinement into 37 unequal pieces: the fine increments sum to the coarse one.
        double a = 0.2, b = 0.7;
        var cuts = Enumerable.Range(0, 38).Select(i => a + (b - a) * Math.Pow(i / 37.0, 1.7)).ToArray();
        var coarse = tree.Increment(a, b);
        var sum = new double[3];
        for (int i = 0; i < 37; i++)
        {
            var d = tree.Increment(cuts[i], cuts[i + 1]);
            for (int j = 0; j < 3; j++) sum[j] += d[j];
        }
        for (int j = 0; j < 3; j++) Assert.Equal(coarse[j], sum[j], 1e-13);
        // Different seeds give different paths.
        Assert.NotEqual(first, new BrownianTree(43, 3, T0, T1).Value(0.4321));
    }

    [Fact]
    public void BadArgumentsAreRefusedByName()
    {
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => new BrownianTree(1, 1, 0, 1).Value(1.5)).ParamName);
        Assert.Equal("Dimension", Assert.Throws<ArgumentException>(() => new BrownianTree(1, 0, 0, 1).Value(0.5)).ParamName);
        Assert.Equal("T1", Assert.Throws<ArgumentException>(() => new BrownianTree(1, 1, 1, 1).Value(1)).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentException>(() => new BrownianTree(1, 1, 0, 1, 0.5).Value(0.5)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => new BrownianTree(1, 2, 0, 1).Value(0.5, new double[1])).ParamName);
    }
}
