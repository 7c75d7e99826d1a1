using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The SIMD kernels of the ensemble runner (issue 15): the register-wide exp, log and turn sine and cosine against the
/// runtime's scalar functions, the Box-Muller normals against the normal law, the block score against the point-by-point
/// score, and the runner's bits against the thread count and a path's place in its block.
/// </summary>
public class VectorMathTests
{
    private static double[] Apply<T>(Func<T, T> f, double[] x) where T : struct, ILanes<T>
    {
        var padded = new double[VectorMath.Padded(x.Length)];
        x.CopyTo(padded, 0);
        var result = new double[padded.Length];
        for (int i = 0; i < padded.Length; i += T.Count)
            T.Store(f(T.Load(ref padded[0], i)), ref result[0], i);
        return result[..x.Length];
    }

    private static double[] Apply(Func<VectorLanes, VectorLanes> f, double[] x) => Apply<VectorLanes>(f, x);

    /// <summary>
    /// The 512-bit registers give the same bits as the portable ones, lane for lane, for exp, log and the turn sine and
    /// cosine (skipped in effect where 512-bit registers are not accelerated: both sides are then the portable ones).
    /// </summary>
    [Fact]
    public void RegisterWidthDoesNotChangeTheBits()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 4096).Select(_ => -700 + 1400 * rng.NextDouble()).ToArray();
        var u = Enumerable.Range(0, 4096).Select(_ => rng.NextDouble() + 1e-17).ToArray();
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        Assert.Equal(Apply<VectorLanes>(VectorMath.Exp, x), Apply<Lanes512>(VectorMath.Exp, x));
        Assert.Equal(Apply<VectorLanes>(VectorMath.Log, u), Apply<Lanes512>(VectorMath.Log, u));
        Assert.Equal(Apply<VectorLanes>(v => VectorMath.SinCosTurn(v).Sin, u), Apply<Lanes512>(v => VectorMath.SinCosTurn(v).Sin, u));
        Assert.Equal(Apply<VectorLanes>(v => VectorMath.SinCosTurn(v).Cos, u), Apply<Lanes512>(v => VectorMath.SinCosTurn(v).Cos, u));
        var data = GaussianMixture.Isotropic([0.5, 0.3, 0.2], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.5, 0.7, 0.4]);
        var field = new MarginalField(data, new VpPath());
        int W = field.BlockWidth;
        var points = Enumerable.Range(0, 2 * W).Select(_ => 8 * rng.NextDouble() - 4).ToArray();
        var narrow = new double[2 * W];
        var wide = new double[2 * W];
        field.ScoreBlock<VectorLanes>(0.3, points, narrow, new double[field.BlockScratchLength]);
        field.ScoreBlock<Lanes512>(0.3, points, wide, new double[field.BlockScratchLength]);
        Assert.Equal(narrow, wide);
    }

    /// <summary>Relative error at most 2^-51 (two units in the last place) over [-708, 709.7], exact 1 at 0, 0 below -708, +inf above 709.7, NaN kept.</summary>
    [Fact]
    public void ExpIsWithinTwoUlpOfMathExp()
    {
        var rng = new Random(20261125);
        var x = Enumerable.Range(0, 20000).Select(_ => -708 + rng.NextDouble() * 1417.7)
            .Concat(Enumerable.Range(0, 2000).Select(_ => -rng.NextDouble() * 1e-3))
            .Concat([0, -1e-300, 1e-300, Math.Log(2), -Math.Log(2) / 2, Math.Log(2) / 2, -707.99, 709.69, -1, 1]).ToArray();
        var y = Apply<VectorLanes>(VectorMath.Exp, x);
        double worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(y[i] / Math.Exp(x[i]) - 1));
        Assert.True(worst <= Math.Pow(2, -51), $"worst relative error {worst:E3}");
        Assert.Equal(1.0, Apply<VectorLanes>(VectorMath.Exp, [0.0])[0]);
        Assert.Equal([0.0, 0.0, double.PositiveInfinity, double.PositiveInfinity], Apply<VectorLanes>(VectorMath.Exp, [-709, double.NegativeInfinity, 710, double.PositiveInfinity]));
        Assert.True(double.IsNaN(Apply<VectorLanes>(VectorMath.Exp, [double.NaN])[0]));
    }

    /// <summary>Absolute error at most 2 ulp of |ln x| (and 2^-53 near 1) for the uniforms Box-Muller takes, 2^-54 to 1.</summary>
    [Fact]
    public void LogIsWithinTwoUlpOfMathLog()
    {
        var rng = new Random(7);
        var x = Enumerable.Range(0, 20000).Select(_ => rng.NextDouble() + 1e-17)
            .Concat(Enumerable.Range(0, 2000).Select(_ => Math.Pow(2, -54 * rng.NextDouble())))
            .Concat([1.0, 0.5, Math.Pow(2, -54), 1 / Math.Sqrt(2), Math.Sqrt(2) / 2 + 1e-16, 1 - 1e-16, 0.75]).ToArray();
        var y = Apply<VectorLanes>(VectorMath.Log, x);
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Log(x[i]);
            worst = Math.Max(worst, Math.Abs(y[i] - exact) / Math.Max(Math.Abs(exact), 0.5) );
        }
        Assert.True(worst <= Math.Pow(2, -51), $"worst scaled error {worst:E3}");
        Assert.Equal(0.0, Apply<VectorLanes>(VectorMath.Log, [1.0])[0]);
        Assert.Equal(-Math.Log(2) * 54, Apply<VectorLanes>(VectorMath.Log, [Math.Pow(2, -54)])[0], 1e-13);
    }

    /// <summary>
    /// sin and cos of 2 pi u within 4e-16 of Math.SinCos(2 pi u) (whose own argument carries a rounding of up to
    /// 2 pi u 2^-53), exact at the quarter turns, and each quadrant's signs right.
    /// </summary>
    [Fact]
    public void TurnSineAndCosineMatchMath()
    {
        var rng = new Random(11);
        var u = Enumerable.Range(0, 20000).Select(_ => rng.NextDouble()).Concat([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1 - 1e-16]).ToArray();
        var s = Apply(v => VectorMath.SinCosTurn(v).Sin, u);
        var c = Apply(v => VectorMath.SinCosTurn(v).Cos, u);
        double worst = 0;
        for (int i = 0; i < u.Length; i++)
        {
            var (es, ec) = Math.SinCos(2 * Math.PI * u[i]);
            worst = Math.Max(worst, Math.Max(Math.Abs(s[i] - es), Math.Abs(c[i] - ec)));
        }
        Assert.True(worst <= 4e-16 + 2 * Math.PI * Math.Pow(2, -53), $"worst error {worst:E3}");
        Assert.Equal([0.0, 1.0, 0.0, -1.0], Apply(v => VectorMath.SinCosTurn(v).Sin, [0, 0.25, 0.5, 0.75]).Select(x => x + 0.0));
        Assert.Equal([1.0, 0.0, -1.0, 0.0], Apply(v => VectorMath.SinCosTurn(v).Cos, [0, 0.25, 0.5, 0.75]).Select(x => x + 0.0));
    }

    /// <summary>
    /// 2^20 Box-Muller normals from xoshiro uniforms (seed 1): mean within 5.3 standard errors of 0, variance within 5.3
    /// of 1 (standard error sqrt(2/n)), the two outputs of a pair uncorrelated to 5.3 standard errors, and the
    /// Kolmogorov-Smirnov distance to Phi under its 1e-6 critical value. False-failure probability below 5e-7 in all,
    /// fixed seed; a factor sqrt 2 lost in the radius or a half turn in the angle fails each.
    /// </summary>
    [Fact]
    public void BoxMullerGivesStandardNormals()
    {
        int n = 1 << 19;
        var state = new ulong[4];
        Xoshiro.Seed(state, 1, 0);
        var u1 = new double[n];
        var u2 = new double[n];
        for (int i = 0; i < n; i++) (u1[i], u2[i]) = Xoshiro.BoxMullerUniforms(state);
        VectorMath.BoxMuller<VectorLanes>(u1, u2);
        var z = u1.Concat(u2).ToArray();
        double mean = z.Average(), variance = z.Select(v => (v - mean) * (v - mean)).Sum() / (z.Length - 1);
        double correlation = Enumerable.Range(0, n).Sum(i => u1[i] * u2[i]) / n;
        Assert.True(Math.Abs(mean) < 5.3 / Math.Sqrt(z.Length), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 5.3 * Math.Sqrt(2.0 / z.Length), $"variance {variance}");
        Assert.True(Math.Abs(correlation) < 5.3 / Math.Sqrt(n), $"pair correlation {correlation}");
        // The scalar samplers' normals (Xoshiro.Normals) are these, bit for bit, in the order (cos, sin) of each pair.
        var again = new ulong[4];
        Xoshiro.Seed(again, 1, 0);
        var scalar = new double[6];
        Xoshiro.Normals(again, scalar);
        Assert.Equal([u1[0], u2[0], u1[1], u2[1], u1[2], u2[2]], scalar);
        double ks = Statistics.SampleTests.KolmogorovSmirnov(z, x => MathNet.Numerics.Distributions.Normal.CDF(0, 1, x));
        Assert.True(Statistics.SampleTests.KolmogorovPValue(ks, z.Length) > 1e-7, $"KS {ks}");
    }

    public static IEnumerable<object[]> Mixtures()
    {
        yield return [GaussianMixture.Isotropic([0.5, 0.3, 0.2], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.5, 0.7, 0.4]), "isotropic K=3 d=2"];
        yield return [GaussianMixture.Isotropic([1.0], [[0.3]], [0.2]), "K=1 d=1"];
        yield return [new GaussianMixture([0.6, 0.4], [
            new Gaussian([1.0, -1.0, 0.5], new double[,] { { 1.0, 0.3, 0.1 }, { 0.3, 0.5, -0.2 }, { 0.1, -0.2, 0.8 } }),
            new Gaussian([-2.0, 0.5, 0.0], new double[,] { { 0.2, 0.0, 0.05 }, { 0.0, 0.9, 0.0 }, { 0.05, 0.0, 0.3 } })]), "full K=2 d=3"];
        var rng = new Random(3);
        yield return [GaussianMixture.Isotropic(Enumerable.Repeat(1.0 / 9, 9).ToArray(),
            Enumerable.Range(0, 9).Select(_ => Enumerable.Range(0, 7).Select(_ => 4 * rng.NextDouble() - 2).ToArray()).ToArray(),
            Enumerable.Range(0, 9).Select(_ => 0.1 + rng.NextDouble()).ToArray()), "isotropic K=9 d=7"];
    }

    /// <summary>
    /// The block score equals the point-by-point score of the same field to 1e-13 relative (|s| + 1), at times across
    /// (0, 1) on VP and CondOT and at points up to 6 data scales out, including a partly filled block. Why 1e-13: both are
    /// double-precision evaluations of one formula in different orders with exponentials 2 ulp apart; the softmax turns
    /// an absolute error of about 1e-16 |logit| into a relative error of the weights, and the logits here reach a few
    /// hundred (6 scales out at t = 0.001), so about 1e-14 is expected; a factor 2 or a sign is off by order 1.
    /// </summary>
    [Theory]
    [MemberData(nameof(Mixtures))]
    public void BlockScoreEqualsPointScore(GaussianMixture data, string name)
    {
        foreach (GaussianPath path in new GaussianPath[] { new VpPath(), new CondOtPath() })
        {
            var field = new MarginalField(data, path);
            int d = data.Dimension, W = field.BlockWidth, m = W - 3;
            var rng = new Random(name.Length);
            foreach (double t in new[] { 0.001, 0.05, 0.3, 0.7, 0.999 })
            {
                var x = new double[d * W];
                var points = new double[m][];
                for (int i = 0; i < m; i++)
                {
                    points[i] = Enumerable.Range(0, d).Select(_ => 12 * rng.NextDouble() - 6).ToArray();
                    for (int j = 0; j < d; j++) x[j * W + i] = points[i][j];
                }
                var s = new double[d * W];
                field.ScoreBlock(t, x, s, new double[field.BlockScratchLength]);
                for (int i = 0; i < m; i++)
                {
                    var expected = new double[d];
                    field.Score(t, points[i], expected);
                    double norm = Math.Sqrt(expected.Sum(v => v * v));
                    for (int j = 0; j < d; j++)
                        Assert.True(Math.Abs(s[j * W + i] - expected[j]) <= 1e-13 * (norm + 1),
                            $"{name} on {path.Kind} t = {t}: point {i} coordinate {j}: block {s[j * W + i]}, point {expected[j]}");
                }
            }
        }
    }

    /// <summary>
    /// The SIMD runner gives the same bits on 1, 2 and every thread, and a path's end point does not depend on n or on its
    /// place in its block: the first 37 paths of a run of 37 equal those of a run of 1000 (same seed).
    /// </summary>
    [Fact]
    public void SimdRunnerBitsDependOnSeedAndIndexOnly()
    {
        var data = GaussianMixture.Isotropic([0.5, 0.3, 0.2], [[-2.0, 0.0, 1.0], [2.0, 0.0, -1.0], [0.0, 2.5, 0.0]], [0.5, 0.7, 0.4]);
        var path = new VpPath();
        var schedule = Schedule.For(path, 30);
        var runs = new[] { 1, 2, 0 }.Select(threads => Samplers.RunFromExactMarginal(data, path, new Sampler.ReverseSde(), schedule, 1000, 5, threads).Final).ToArray();
        Assert.Equal(runs[0], runs[1]);
        Assert.Equal(runs[0], runs[2]);
        var small = Samplers.RunFromExactMarginal(data, path, new Sampler.ReverseSde(), schedule, 37, 5, 1).Final;
        Assert.True(small.Span.SequenceEqual(runs[0].Span[..(37 * 3)]), "a path's end point changed with n");
        Assert.False(runs[0].Span.SequenceEqual(Samplers.RunFromExactMarginal(data, path, new Sampler.ReverseSde(), schedule, 1000, 6, 1).Final.Span), "another seed gave the same bits");
    }
}
