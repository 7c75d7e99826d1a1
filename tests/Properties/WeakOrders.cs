using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The weak order of every stochastic sampler, measured exactly. For Gaussian data N(m, v) the score is affine in x, so
/// every sampler's end point is an affine function of its start and of the noise it drew: x_N = c + a x_0 + sum_j b_j w_j,
/// where w_j are the path's normals (one per step, from its xoshiro stream (seed, i), for the samplers with fresh noise)
/// or the values W(l_j) of its Brownian tree at the levels it queries (the grid's sigma / alpha and, for dpmpp_sde, the
/// lambda midpoints). Running the sampler on more paths than there are coefficients and solving for (c, a, b) by least
/// squares recovers them to rounding (the fit's residual is asserted, so a sampler that draws its noise differently
/// fails loudly); then the law of x_N is exactly Gaussian with mean c + a E[x_0] and variance
/// a^2 Var[x_0] + |b|^2 (fresh normals) or b' C b with C_jk = min(l_j, l_k) (Brownian values), with x_0 from the exact
/// p at the start. Its weak error against the exact data-end law N(alpha m, alpha^2 v + sigma^2) is then a number, not an
/// estimate: no sampling error and no false-failure probability. The mean is exact at every step count for the samplers
/// whose updates keep it (StochasticSamplersCarryTheMeanOfGaussianDataExactly); the variance's relative error is fitted
/// against 1/N over N = 64, 128, 256, 512 steps of a grid uniform in log-SNR (coarser grids are pre-asymptotic: at 16 and 32
/// steps the error of dpmpp_2m_sde on vp changes sign) and must lie within 0.3 of the registry's stated weak order.
/// Measured: 0.97-1.02 for euler_ancestral, ddim (eta = 1), ancestral, euler_maruyama and extension (0.88 on ve);
/// 1.95-2.12 for the exponential integrators of DPM-Solver++ (dpmpp_2s_ancestral, dpmpp_sde, dpmpp_2m_sde,
/// dpmpp_3m_sde), whose linear part is exact. Predictor-corrector is left out: its Langevin step is scaled by the ensemble's score norms, so it
/// is not affine in the noise.
/// </summary>
public class WeakOrders(ITestOutputHelper output)
{
    private const double M = 0.7, V = 0.09;
    private const ulong Seed = 424242;
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([1.0], [[M]], [Math.Sqrt(V)]);
    private static readonly int[] Counts = [64, 128, 256, 512];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in SamplerRegistry.All.Where(e => e.Stochastic && e.Order > 0 && e.Name != "predictor_corrector"))
            foreach (var kind in new[] { "vp", "ve", "condot" })
                if (entry.DefinedOn(PathRegistry.Get(kind).Default) is null) data.Add(entry.Name, kind);
        return data;
    }

    private static Sampler SamplerFor(string name) => name switch
    {
        "ddim" => new Sampler.Ddim(1), // the registry's default eta = 0 is deterministic; eta = 1 is DDPM-like
        _ => SamplerRegistry.Get(name).Default,
    };

    private static bool UsesTree(Sampler s) => s is Sampler.DpmPpSde or Sampler.DpmPp2MSde or Sampler.DpmPp3MSde;

    /// <summary>The exact mean and variance of the sampler's end point and the residual of the affine fit.</summary>
    internal static (double Mean, double Variance, double Residual) ExactLaw(GaussianPath path, Sampler sampler, TimeGrid grid)
    {
        var times = grid.TimesArray(path);
        int steps = times.Length - 1;
        // The noise variables of path i: its normals, or its Brownian tree at the levels the sampler can query.
        double[] levels = [];
        if (UsesTree(sampler))
        {
            var lambda = times.Select(t => path.LogSnr(t) / 2).ToArray();
            var list = new List<double>();
            for (int k = 0; k <= steps; k++)
            {
                var p = path.At(times[k]);
                list.Add(p.Sigma / p.Alpha);
                if (k < steps && sampler is Sampler.DpmPpSde)
                {
                    var mid = path.At(path.TimeOfLogSnr(2 * (lambda[k] + (lambda[k + 1] - lambda[k]) / 2)));
                    list.Add(mid.Sigma / mid.Alpha);
                }
            }
            levels = [.. list];
        }
        int features = UsesTree(sampler) ? levels.Length : steps;
        int n = features + 2 + 40;
        double t0 = times[0];
        var start = Samplers.ExactMarginalSample(Data, path, t0, n, 11);
        var score = Samplers.ExactScore(new MarginalField(Data, path));
        var end = Samplers.Run(path, score, sampler, start, new TimeGrid.Explicit(times), Seed, 1).Final;
        double sigmaHat0 = path.Sigma(t0) / path.Alpha(t0);
        var design = Matrix<double>.Build.Dense(n, features + 2);
        for (int i = 0; i < n; i++)
        {
            design[i, 0] = 1;
            design[i, 1] = start.Row(i)[0];
            var stream = new ulong[4];
            Xoshiro.Seed(stream, Seed, (ulong)i);
            var w = new double[1];
            if (UsesTree(sampler))
            {
                ulong key = SplitMix64.Hash(Seed, stream[0]);
                for (int j = 0; j < levels.Length; j++)
                {
                    BrownianTree.Fill(key, 0, sigmaHat0, 1e-12, levels[j], w);
                    design[i, 2 + j] = w[0];
                }
            }
            else
                for (int k = 0; k < steps; k++)
                {
                    Xoshiro.Normals(stream, w);
                    design[i, 2 + k] = w[0];
                }
        }
        var target = Vector<double>.Build.Dense(end.Column(0));
        var coefficients = design.QR().Solve(target);
        double residual = (design * coefficients - target).AbsoluteMaximum();
        double m0 = path.Alpha(t0) * M, v0 = path.Alpha(t0) * path.Alpha(t0) * V + path.Sigma(t0) * path.Sigma(t0);
        double mean = coefficients[0] + coefficients[1] * m0, variance = coefficients[1] * coefficients[1] * v0;
        var b = coefficients.SubVector(2, features);
        if (UsesTree(sampler))
        {
            var cov = Matrix<double>.Build.Dense(features, features, (j, k) => Math.Min(levels[j], levels[k]));
            variance += b * (cov * b);
        }
        else variance += b * b;
        return (mean, variance, residual);
    }

    [Fact]
    public void ANoiseScaleOffByAFewPercentHasNoWeakOrder()
    {
        // The negative control: with s_noise 1.03 instead of 1 the variance error stops falling (it tends to a constant
        // of about 6% of the noise's share), so the fitted order drops far below the stated one, for fresh normals and for
        // the Brownian tree alike.
        var path = PathRegistry.Get("vp").Default;
        var ends = Schedule.For(path, 1, 0.02);
        double exact = path.Alpha(ends.TEnd) * path.Alpha(ends.TEnd) * V + path.Sigma(ends.TEnd) * path.Sigma(ends.TEnd);
        foreach (var sampler in new Sampler[] { new Sampler.EulerAncestral(SNoise: 1.03), new Sampler.DpmPp2MSde(SNoise: 1.03) })
        {
            var errors = Counts.Select(n => Math.Abs(ExactLaw(path, sampler, new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, n)).Variance / exact - 1)).ToArray();
            var fit = OrderFit.Of(Counts.Select(n => 1.0 / n).ToArray(), errors);
            output.WriteLine($"{sampler}: errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}, order {fit.Order:F3}");
            Assert.True(fit.Order < 0.5, $"{sampler}: order {fit.Order:F3}");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void EachStochasticSamplerHasItsWeakOrder(string name, string kind)
    {
        var path = PathRegistry.Get(kind).Default;
        var sampler = SamplerFor(name);
        var ends = Schedule.For(path, 1, 0.02);
        double tEnd = ends.TEnd, exactMean = path.Alpha(tEnd) * M, exactVariance = path.Alpha(tEnd) * path.Alpha(tEnd) * V + path.Sigma(tEnd) * path.Sigma(tEnd);
        var errors = new double[Counts.Length];
        for (int c = 0; c < Counts.Length; c++)
        {
            var grid = new TimeGrid.UniformLogSnr(ends.TStart, tEnd, Counts[c]);
            var (mean, variance, residual) = ExactLaw(path, sampler, grid);
            Assert.True(residual <= 1e-9, $"{name} on {kind}, {Counts[c]} steps: the end point is not affine in the assumed noise (residual {residual:G3})");
            errors[c] = Math.Abs(variance / exactVariance - 1);
            if (sampler is not (Sampler.ReverseSde or Sampler.Extension or Sampler.Ancestral))
                Assert.True(Math.Abs(mean - exactMean) <= 1e-10 * (1 + Math.Abs(exactMean)), $"{name} on {kind}: mean {mean:R}, exact {exactMean:R}");
        }
        var fit = OrderFit.Of(Counts.Select(n => 1.0 / n).ToArray(), errors);
        double order = SamplerRegistry.Get(name).Order;
        output.WriteLine($"{name} on {kind}: relative variance error {string.Join(", ", errors.Select(e => e.ToString("G3")))} at {string.Join(", ", Counts)} steps: weak order {fit.Order:F3} (stated {order})");
        // Euler-Maruyama on ve measures 1.88: for Gaussian data on the drift-free ve path the first-order term of its
        // variance error cancels over the run. The general claim is order 1; there only "at least" is asserted.
        if (name == "euler_maruyama" && kind == "ve") Assert.True(fit.Order >= order - 0.3, $"{name} on {kind}: weak order {fit.Order:F3}, stated {order}");
        else Assert.True(Math.Abs(fit.Order - order) <= 0.3, $"{name} on {kind}: weak order {fit.Order:F3}, stated {order}");
    }
}
