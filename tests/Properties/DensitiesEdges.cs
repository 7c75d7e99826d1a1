using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Paths;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// Edges of Densities that the Stryker run of 2026-11-25 found no test reaching or checking: value equality, hashing and
/// printing of the records; the diagonal and full-covariance guards with their messages; the Hessian of a single
/// Gaussian; the fast field's heap scratch for large problems (K d &gt; 256, K &gt; 32) against the direct marginal; and the
/// span entry points' check of t.
/// </summary>
public class DensitiesEdges
{
    private static void Refused(string param, string words, Action act) => EdgesFoundByMutation.Rejects(param, words, act);

    [Fact]
    public void GaussiansCompareHashAndPrintByValue()
    {
        var full = new Gaussian([1.0, 2.0], new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } });
        var same = new Gaussian([1.0, 2.0], new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } });
        var diag = Gaussian.Diagonal([1.0, 2.0], [2.0, 1.0]);
        var diagFromMatrix = new Gaussian([1.0, 2.0], new[,] { { 2.0, 0.0 }, { 0.0, 1.0 } });
        Assert.Equal(full, same);
        Assert.Equal(full.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(full, diag);
        Assert.NotEqual(full, new Gaussian([1.0, 2.5], new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } }));
        Assert.Equal(diag, diagFromMatrix);
        Assert.Equal(diag.GetHashCode(), diagFromMatrix.GetHashCode());
        Assert.False(full.Equals(null));
        Assert.True(diag.IsDiagonal);
        Assert.False(full.IsDiagonal);
        Assert.Equal([2.0, 1.0], full.Variances.ToArray());
        Assert.Equal([2.0, 1.0], diag.Variances.ToArray());
        Assert.Equal("Gaussian { Dimension = 2, Mean = [1, 2], Variances = [2, 1] }", diag.ToString());
        Assert.Equal("Gaussian { Dimension = 2, Mean = [1, 2], Covariance rows = 2, Diagonal = [2, 1] }", full.ToString());
        Assert.EndsWith(", ...] }", Gaussian.Isotropic(new double[9], 1).ToString());
        Assert.DoesNotContain("...", Gaussian.Isotropic(new double[8], 1).ToString());
        // Hessian = -Sigma^-1: for [[2, .5], [.5, 1]], det = 1.75.
        var h = full.Hessian();
        Assert.Equal(-1 / 1.75, h[0, 0], 14);
        Assert.Equal(0.5 / 1.75, h[0, 1], 14);
        Assert.Equal(-2 / 1.75, h[1, 1], 14);
        var hd = diag.Hessian();
        Assert.Equal(-0.5, hd[0, 0], 15);
        Assert.Equal(-1.0, hd[1, 1], 15);
        Assert.Equal(0.0, Math.Abs(hd[0, 1]) + Math.Abs(hd[1, 0])); // a diagonal Gaussian's precision has no off-diagonal entries
        Assert.Equal(1.0, diag.SmallestStd(), 15);
        Assert.Equal(Math.Sqrt(1.5 - Math.Sqrt(0.5)), full.SmallestStd(), 13); // eigenvalues 3/2 -+ sqrt(1/4 + 1/4)
    }

    [Fact]
    public void GaussianGuardsNameTheParameterAndTheRule()
    {
        Refused("mean", "at least one entry", () => new Gaussian([], new double[0, 0]));
        Refused("covariance", "must not be null", () => new Gaussian([0.0], null!));
        Refused("covariance", "2 x 2 to match mean, got 1 x 1", () => new Gaussian([0.0, 0.0], new[,] { { 1.0 } }));
        Refused("covariance", "entries must be finite", () => new Gaussian([0.0, 0.0], new[,] { { 1.0, 0.0 }, { 0.0, double.NaN } }));
        Refused("covariance", "must be symmetric", () => new Gaussian([0.0, 0.0], new[,] { { 1e4, 5e3 }, { 5e3 + 1e-5, 1e4 } }));
        // An asymmetry below 1e-10 of the largest entry is rounding, and accepted.
        _ = new Gaussian([0.0, 0.0], new[,] { { 1e4, 5e3 }, { 5e3 + 1e-7, 1e4 } });
        Refused("covariance", "positive definite", () => new Gaussian([0.0, 0.0], new[,] { { 1.0, 2.0 }, { 2.0, 1.0 } }));
        Refused("covariance", "too close to singular", () => new Gaussian([0.0, 0.0], new[,] { { 1e-310, 1e-320 }, { 1e-320, 1.0 } }));
        Refused("variances", "positive definite: diagonal entry 1 is 0", () => Gaussian.Diagonal([0.0, 0.0], [1.0, 0.0]));
        Refused("variances", "infinite inverse", () => Gaussian.Diagonal([0.0], [1e-310]));
        Refused("variances", "2 entries to match mean, got 1", () => Gaussian.Diagonal([0.0, 0.0], [1.0]));
        Refused("mean", "at least one entry", () => Gaussian.Diagonal([], []));
        Refused("std", "finite positive square", () => Gaussian.Isotropic([0.0], 1e-170));
        Refused("dimension", "at least 1", () => Gaussian.Standard(0));
        Refused("rng", "must not be null", () => Gaussian.Standard(2).Sample(null!));
    }

    [Fact]
    public void MixturesCompareHashAndRefuseBadParts()
    {
        var a = GaussianMixture.Isotropic([0.3, 0.7], [[0.0], [1.0]], [1.0, 2.0]);
        var b = GaussianMixture.Isotropic([0.3, 0.7], [[0.0], [1.0]], [1.0, 2.0]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, GaussianMixture.Isotropic([0.3, 0.7], [[0.0], [1.0]], [1.0, 2.5]));
        Assert.NotEqual(a, GaussianMixture.Isotropic([0.4, 0.6], [[0.0], [1.0]], [1.0, 2.0]));
        Assert.False(a.Equals(null));
        var draws = a.Sample(new Random(3), 5);
        Assert.Equal(5, draws.Length);
        Assert.All(draws, x => Assert.Single(x));
        Assert.Empty(a.Sample(new Random(3), 0));
        Refused("n", "non-negative", () => a.Sample(new Random(3), -1));
        Refused("rng", "must not be null", () => a.Sample(null!, 2));
        Refused("rng", "must not be null", () => a.Sample(null!));
        Refused("components", "must not be null", () => new GaussianMixture([1.0], null!));
        Refused("weights", "at least one entry", () => new GaussianMixture([], []));
        Refused("components", "one entry per weight (2), got 1", () => new GaussianMixture([0.5, 0.5], [Gaussian.Standard(1)]));
        Refused("weights", "weights[1] must be positive", () => new GaussianMixture([1.0, 0.0], [Gaussian.Standard(1), Gaussian.Standard(1)]));
        Refused("weights", "sum to 1", () => new GaussianMixture([0.5, 0.6], [Gaussian.Standard(1), Gaussian.Standard(1)]));
        Refused("components", "components[1] must not be null", () => new GaussianMixture([0.5, 0.5], [Gaussian.Standard(1), null!]));
        Refused("components", "components[1] has dimension 2", () => new GaussianMixture([0.5, 0.5], [Gaussian.Standard(1), Gaussian.Standard(2)]));
        Refused("covariances", "one entry per mean (2), got 1", () => GaussianMixture.Create([0.5, 0.5], [[0.0], [1.0]], [new[,] { { 1.0 } }]));
        Refused("stds", "one entry per mean (2), got 1", () => GaussianMixture.Isotropic([0.5, 0.5], [[0.0], [1.0]], [1.0]));
        Refused("means", "must not be null", () => GaussianMixture.Isotropic([1.0], null!, [1.0]));
        Refused("stds", "must not be null", () => GaussianMixture.Isotropic([1.0], [[0.0]], null!));
        var ex = Assert.Throws<InvalidOperationException>(() => GaussianMixture.Isotropic([1.0], [[0.0, 0.0]], [1.0]).Cdf(0));
        Assert.Contains("one-dimensional mixtures; this one has dimension 2", ex.Message);
    }

    public static TheoryData<int, int, bool> LargeProblems => new() { { 40, 2, true }, { 30, 10, true }, { 6, 50, false }, { 40, 3, false } };

    [Theory, MemberData(nameof(LargeProblems))]
    public void TheFieldOnHeapScratchMatchesTheDirectMarginal(int components, int d, bool diagonal)
    {
        // K > 32 or K d > 256 moves the field's scratch from the stack to per-thread buffers; the answers must not change.
        var rng = new Random(components * 100 + d);
        var weights = Enumerable.Range(0, components).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        double total = weights.Sum();
        weights = weights.Select(w => w / total).ToArray();
        weights[^1] = 1 - weights[..^1].Sum();
        var parts = Enumerable.Range(0, components).Select(_ =>
        {
            var mean = RandomInstances.StandardNormal(rng, d);
            if (diagonal) return Gaussian.Diagonal(mean, Enumerable.Range(0, d).Select(_ => 0.2 + rng.NextDouble()).ToArray());
            var a = new double[d, d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) a[i, j] = 0.3 * RandomInstances.StandardNormal(rng, 1)[0];
            var c = new double[d, d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) { double s = i == j ? 0.5 : 0; for (int k = 0; k < d; k++) s += a[i, k] * a[j, k]; c[i, j] = s; }
            return new Gaussian(mean, c);
        }).ToArray();
        var data = new GaussianMixture(weights, parts);
        var field = new MarginalField(data, GaussianPath.Vp);
        foreach (double t in new[] { 0.2, 0.7 })
        {
            var mt = data.Along(GaussianPath.Vp, t);
            var x = mt.Sample(rng);
            Assert.Equal(mt.LogDensity(x), field.LogDensity(t, x), 1e-9 * (1 + Math.Abs(mt.LogDensity(x))));
            var s = field.Score(t, x);
            var z = new double[d];
            field.Denoiser(t, x, z);
            var s2 = mt.Score(x);
            var z2 = mt.Denoiser(x);
            for (int i = 0; i < d; i++)
            {
                Assert.Equal(s2[i], s[i], 1e-8 * (1 + Math.Abs(s2[i])));
                Assert.Equal(z2[i], z[i], 1e-8 * (1 + Math.Abs(z2[i])));
            }
            var h = mt.Hessian(x);
            double trace = Enumerable.Range(0, d).Sum(i => h[i, i]);
            Assert.Equal(trace, field.LaplacianLogDensity(t, x), 1e-8 * (1 + Math.Abs(trace)));
        }
    }

    [Fact]
    public void TheFieldsSpanEntriesCheckTheTime()
    {
        var data = GaussianMixture.Isotropic([0.5, 0.5], [[0.0], [1.0]], [1.0, 0.5]);
        var field = new MarginalField(data, GaussianPath.Vp);
        var buffer = new double[1];
        Refused("t", "strictly inside (0, 1)", () => field.Score(1.5, new double[] { 0.0 }.AsSpan(), buffer.AsSpan()));
        Refused("t", "strictly inside (0, 1)", () => field.LogDensity(0.0, new double[] { 0.0 }.AsSpan()));
        Refused("t", "strictly inside (0, 1)", () => field.Denoiser(double.NaN, new double[] { 0.0 }.AsSpan(), buffer.AsSpan()));
        Refused("t", "strictly inside (0, 1)", () => field.LaplacianLogDensity(1.0, new double[] { 0.0 }.AsSpan()));
        Refused("data", "must not be null", () => new MarginalField(null!, GaussianPath.Vp));
        Refused("path", "must not be null", () => new MarginalField(data, null!));
    }
}
