using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The library side of issue 12: diagonal covariances held as d numbers agree with the Cholesky form, the run watch stops
/// a diverging sampler at the same step on any thread count and changes nothing otherwise, the empirical energy distance
/// is pinned and never negative, and the request reader's key suggestions.
/// </summary>
public class FrontDoorTests
{
    /// <summary>A diagonal covariance in the full (Cholesky) form: off-diagonal entries of 1e-300 keep it out of the diagonal form and change nothing else at double precision.</summary>
    private static Gaussian FullForm(double[] mean, double[] variances)
    {
        int d = mean.Length;
        var c = new double[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i, j] = i == j ? variances[i] : 1e-300;
        var g = new Gaussian(mean, c);
        Assert.False(g.IsDiagonal);
        return g;
    }

    private static (double[] Mean, double[] Variances) RandomDiagonal(Random rng, int d)
        => (Enumerable.Range(0, d).Select(_ => 3 * (2 * rng.NextDouble() - 1)).ToArray(),
            Enumerable.Range(0, d).Select(_ => 0.05 + 2 * rng.NextDouble()).ToArray());

    [Property(MaxTest = 40)]
    public Property DiagonalFormAgreesWithTheCholeskyForm(int seed)
    {
        var rng = new Random(seed);
        int d = 2 + rng.Next(5); // d >= 2: a 1 x 1 matrix is always held in the diagonal form
        var (mean, variances) = RandomDiagonal(rng, d);
        var diag = Gaussian.Diagonal(mean, variances);
        var full = FullForm(mean, variances);
        var x = Enumerable.Range(0, d).Select(_ => 4 * (2 * rng.NextDouble() - 1)).ToArray();
        double scale = 1 + Math.Abs(full.LogDensity(x));
        bool logOk = Math.Abs(diag.LogDensity(x) - full.LogDensity(x)) <= 1e-13 * scale;
        var sd = diag.Score(x); var sf = full.Score(x);
        bool scoreOk = sd.Zip(sf).All(p => Math.Abs(p.First - p.Second) <= 1e-13 * (1 + Math.Abs(p.Second)));
        var hd = diag.Hessian(); var hf = full.Hessian();
        bool hessOk = Enumerable.Range(0, d).All(i => Enumerable.Range(0, d).All(j => Math.Abs(hd[i, j] - hf[i, j]) <= 1e-12 * (1 + Math.Abs(hf[i, j]))));
        bool drawOk = diag.Sample(new Random(seed)).Zip(full.Sample(new Random(seed))).All(p => Math.Abs(p.First - p.Second) <= 1e-13 * (1 + Math.Abs(p.Second)));
        return (logOk && scoreOk && hessOk && drawOk).Label($"d={d} log {diag.LogDensity(x):R} vs {full.LogDensity(x):R}");
    }

    [Property(MaxTest = 30)]
    public Property DiagonalMixtureMarginalAgreesWithTheCholeskyForm(int seed)
    {
        var rng = new Random(seed);
        int d = 2 + rng.Next(3), K = 1 + rng.Next(3);
        var parts = Enumerable.Range(0, K).Select(_ => RandomDiagonal(rng, d)).ToArray();
        var weights = Enumerable.Repeat(1.0 / K, K).ToArray();
        var diag = new GaussianMixture(weights, parts.Select(p => Gaussian.Diagonal(p.Mean, p.Variances)).ToArray());
        var full = new GaussianMixture(weights, parts.Select(p => FullForm(p.Mean, p.Variances)).ToArray());
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(5)]);
        double t = RandomInstances.Time(rng);
        var md = diag.Along(path, t); var mf = full.Along(path, t);
        var fd = new MarginalField(diag, path); var ff = new MarginalField(full, path);
        var x = Enumerable.Range(0, d).Select(_ => 3 * (2 * rng.NextDouble() - 1)).ToArray();
        bool ok = true;
        foreach (var q in new[] { Quantity.Score, Quantity.Noise, Quantity.Denoiser, Quantity.Velocity })
            ok &= md.Evaluate(q, x).Zip(mf.Evaluate(q, x)).All(p => Math.Abs(p.First - p.Second) <= 1e-11 * (1 + Math.Abs(p.Second)));
        ok &= fd.Score(t, x).Zip(ff.Score(t, x)).All(p => Math.Abs(p.First - p.Second) <= 1e-11 * (1 + Math.Abs(p.Second)));
        ok &= fd.Score(t, x).Zip(md.Score(x)).All(p => Math.Abs(p.First - p.Second) <= 1e-11 * (1 + Math.Abs(p.Second)));
        ok &= Math.Abs(md.LogDensity(x) - mf.LogDensity(x)) <= 1e-12 * (1 + Math.Abs(mf.LogDensity(x)));
        return ok.Label($"{path} t={t} d={d} K={K}");
    }

    [Fact]
    public void IsotropicNormalInTenThousandDimensionsIsHeldAsItsVariances()
    {
        int d = 10000;
        var g = Gaussian.Isotropic(new double[d], 0.5);
        Assert.True(g.IsDiagonal);
        var x = Enumerable.Repeat(0.5, d).ToArray();
        // log N(x; 0, 0.25 I) = -d/2 log(2 pi 0.25) - |x|^2 / (2 0.25), written out here.
        double expected = -d / 2.0 * Math.Log(2 * Math.PI * 0.25) - d * 0.25 / 0.5;
        Assert.Equal(expected, g.LogDensity(x), 1e-12 * Math.Abs(expected));
        Assert.Equal(-2.0, g.Score(x)[1234], 1e-15);
        var marginal = GaussianMixture.Single(g).Along(GaussianPath.Vp, 0.5);
        Assert.True(marginal.Density.Components[0].IsDiagonal);
        var pt = marginal.Point;
        double v = pt.Alpha * pt.Alpha * 0.25 + pt.Sigma * pt.Sigma;
        Assert.Equal(-0.5 / v, marginal.Score(x)[9999], 1e-14);
        Assert.Equal(0.5 * pt.Alpha * 0.25 / v, marginal.Denoiser(x)[17], 1e-14);
        Assert.StartsWith("Gaussian { Dimension = 10000, Mean = [0, 0, 0, 0, 0, 0, 0, 0, ...], Variances = [0.25,", g.ToString());
    }

    [Fact]
    public void DiagonalRejectsBadVariancesNamingThem()
    {
        Assert.Equal("variances", Assert.Throws<ArgumentException>(() => Gaussian.Diagonal([0.0, 1.0], [1.0, 0.0])).ParamName);
        Assert.Equal("variances", Assert.Throws<ArgumentException>(() => Gaussian.Diagonal([0.0, 1.0], [1.0])).ParamName);
        Assert.Equal("variances", Assert.Throws<ArgumentException>(() => Gaussian.Diagonal([0.0], [double.PositiveInfinity])).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentException>(() => Gaussian.Isotropic([0.0], 1e-200)).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentException>(() => Gaussian.Isotropic([0.0], 1e200)).ParamName);
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => new Gaussian([0.0, 0.0], new double[,] { { 1, 0 }, { 0, -1 } })).ParamName);
    }

    /// <summary>The energy distance between empirical distributions on a case done by hand: x = {0, 1}, y = {0, 3}.</summary>
    [Fact]
    public void EmpiricalEnergyDistanceOnAHandCase()
    {
        // E|X - Y| over the 4 pairs: (0 + 3 + 1 + 2)/4 = 1.5; E|X - X'| over 4 ordered pairs: (0 + 1 + 1 + 0)/4 = 0.5;
        // E|Y - Y'|: (0 + 3 + 3 + 0)/4 = 1.5; so 2 (1.5) - 0.5 - 1.5 = 1.
        Assert.Equal(1.0, SampleTests.EnergyDistanceEmpirical([[0.0], [1.0]], [[0.0], [3.0]]), 1e-15);
        // The unbiased form on the same case: 2 (1.5) - 1 - 3 = -1, negative although the samples differ.
        Assert.Equal(-1.0, SampleTests.EnergyDistance([[0.0], [1.0]], [[0.0], [3.0]]), 1e-15);
    }

    [Property(MaxTest = 50)]
    public Property EmpiricalEnergyDistanceIsNeverNegative(int seed)
    {
        var rng = new Random(seed);
        int n = 2 + rng.Next(30), m = 2 + rng.Next(30), d = 1 + rng.Next(3);
        var x = Enumerable.Range(0, n).Select(_ => RandomInstances.StandardNormal(rng, d)).ToArray();
        var y = Enumerable.Range(0, m).Select(_ => RandomInstances.StandardNormal(rng, d)).ToArray();
        double e = SampleTests.EnergyDistanceEmpirical(x, y);
        return (e >= -1e-12).Label($"energy {e}");
    }

    [Fact]
    public void EnsembleMomentsAgreeWithTheRowForm()
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 500).Select(_ => RandomInstances.StandardNormal(rng, 3).Select((v, j) => v * (j + 1) + j).ToArray()).ToArray();
        var ensemble = Ensemble.FromRows(rows);
        var (m1, c1) = SampleTests.Moments(rows);
        var (m2, c2) = SampleTests.Moments(ensemble);
        var (m3, v3) = SampleTests.MeanAndVariance(ensemble);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(m1[i], m2[i], 1e-12);
            Assert.Equal(m1[i], m3[i], 1e-12);
            Assert.Equal(c1[i, i], v3[i], 1e-12);
            for (int j = 0; j < 3; j++) Assert.Equal(c1[i, j], c2[i, j], 1e-12);
        }
    }

    private static readonly GaussianMixture TwoBumps = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);

    [Fact]
    public void RunWatchStopsADivergingSamplerAtTheSameStepOnAnyThreadCount()
    {
        var path = new VpPath(0.1, 1e6);
        var schedule = Schedule.For(path, 20);
        double bound = RunWatch.ScaleBound(TwoBumps, path, schedule);
        Assert.Equal(1e4 * (2 + 7 + 10 * path.Sigma(schedule.TStart)), bound, 1e-9 * bound);
        var one = Assert.Throws<SamplerDivergedException>(() => Samplers.RunFromExactMarginal(TwoBumps, path, new Sampler.ReverseSde(), schedule, 2000, 3, threads: 1, watch: new RunWatch(bound)));
        var two = Assert.Throws<SamplerDivergedException>(() => Samplers.RunFromExactMarginal(TwoBumps, path, new Sampler.ReverseSde(), schedule, 2000, 3, threads: 2, watch: new RunWatch(bound)));
        Assert.Equal(one.Step, two.Step);
        Assert.Equal(one.Value, two.Value);
        Assert.InRange(one.Step, 0, 19);
        Assert.Equal(schedule.Time(one.Step + 1), one.Time);
        Assert.True(Math.Abs(one.Value) > bound);
        // Without a bound the same run finishes with values far beyond the data's scale (the nonsense issue 12 saw: a mean of 1e79).
        var unbounded = Samplers.RunFromExactMarginal(TwoBumps, path, new Sampler.ReverseSde(), schedule, 2000, 3);
        Assert.True(unbounded.Final.Values.Max(Math.Abs) > 1e10 * bound);
        // A non-finite value stops any run, bound or not: a score that turns NaN at the 8th of 20 steps.
        var grid = Schedule.For(GaussianPath.Vp, 20);
        var field = new MarginalField(TwoBumps, GaussianPath.Vp);
        ScoreFunction poisoned = (t, x, sc) => { field.Score(t, x, sc); if (t < grid.Time(7) + 1e-12) sc[0] = double.NaN; };
        var initial = Samplers.ExactMarginalSample(TwoBumps, GaussianPath.Vp, grid.TStart, 100, 1);
        var nan = Assert.Throws<SamplerDivergedException>(() => Samplers.Run(GaussianPath.Vp, poisoned, new Sampler.ReverseSde(), initial, grid, 1));
        Assert.Equal(7, nan.Step);
        Assert.True(double.IsNaN(nan.Value));
    }

    [Fact]
    public void RunWatchChangesNothingWhenTheRunStaysInRange()
    {
        var schedule = Schedule.For(GaussianPath.Vp, 50);
        var progress = new List<double>();
        var reporter = new SynchronousProgress(progress);
        foreach (Sampler sampler in new Sampler[] { new Sampler.ReverseSde(), new Sampler.ProbabilityFlow(OdeMethod.Heun), new Sampler.PredictorCorrector(), new Sampler.ProbabilityFlow(OdeMethod.DormandPrince) })
        {
            var plain = Samplers.RunFromExactMarginal(TwoBumps, GaussianPath.Vp, sampler, schedule, 300, 9);
            var watched = Samplers.RunFromExactMarginal(TwoBumps, GaussianPath.Vp, sampler, schedule, 300, 9, watch: new RunWatch(RunWatch.ScaleBound(TwoBumps, GaussianPath.Vp, schedule), reporter));
            Assert.Equal(plain.Final, watched.Final);
        }
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.InRange(p, 0, 1));
        Assert.Equal(1.0, progress.Max());
    }

    private sealed class SynchronousProgress(List<double> sink) : IProgress<double>
    {
        public void Report(double value) { lock (sink) sink.Add(value); }
    }

    [Theory]
    [InlineData("setps", "steps")]
    [InlineData("quantites", "quantities")]
    [InlineData("beta_mx", "beta_max")]
    [InlineData("denoisr", "denoiser")]
    [InlineData("Steps", "steps")]
    public void MisspeltKeysFindTheIntendedOne(string typed, string intended)
        => Assert.Equal(intended, Cli.Fields.Nearest(typed, ["steps", "n", "seed", "quantities", "beta_max", "beta_min", "denoiser", "score"]));

    [Fact]
    public void FarFetchedKeysGetNoSuggestion() => Assert.Null(Cli.Fields.Nearest("colour", ["steps", "n", "seed"]));

    [Fact]
    public void AnswersNeverCarryNegativeZero()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            Cli.Json.WriteNumber(w, "a", -0.0);
            w.WritePropertyName("b");
            Cli.Json.WriteVector(w, [-0.0, 1.5, -2.0], "b");
            w.WriteEndObject();
        }
        Assert.Equal("""{"a":0,"b":[0,1.5,-2]}""", System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        Assert.Throws<Cli.NonFiniteAnswer>(() => Cli.Json.WriteNumber(new Utf8JsonWriter(new MemoryStream()), "c", double.NaN));
    }
}
