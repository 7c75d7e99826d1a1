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
/// The weak order of every stochastic sampler, measured exactly with <see cref="GaussianEndLaw"/>. For Gaussian data N(m, v) the score is affine in x, so
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
/// against 1/N over N = 64, 108, 181, 304, 512 steps of a grid uniform in log-SNR (coarser grids are pre-asymptotic: at 16 and 32
/// steps the error of dpmpp_2m_sde on vp changes sign) and must lie within 0.3 of the registry's stated weak order.
/// Measured: 0.97-1.02 for euler_ancestral, ddim (eta = 1), ancestral, euler_maruyama and extension (0.88 on ve);
/// 1.95-2.12 for the exponential integrators of DPM-Solver++ (dpmpp_2s_ancestral, dpmpp_sde, dpmpp_2m_sde,
/// dpmpp_3m_sde), whose linear part is exact. Predictor-corrector is left out: its Langevin step is set from the
/// whole ensemble's score norms, so a path's coefficients depend on every path's noise (its law is checked statistically
/// by MarginalEquality and PredictorCorrectorVariants).
/// </summary>
public class WeakOrders(ITestOutputHelper output)
{
    private const double M = 0.7, V = 0.09;
    private static readonly int[] Counts = [64, 108, 181, 304, 512];

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

    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    public void TheFittedLawIsTheClosedFormRecursionsLaw(string kind)
    {
        // For the samplers with a step table (x' = cx x + cs s + cn xi), DiscretisedGaussianLaw propagates the mean and
        // variance by a closed-form recursion that shares nothing with the fit; both must agree to 1e-9 relative.
        var path = PathRegistry.Get(kind).Default;
        var schedule = Schedule.For(path, 37);
        foreach (var sampler in new Sampler[] { new Sampler.ReverseSde(), new Sampler.Extension(_ => 0.7), new Sampler.Ancestral() })
        {
            var law = GaussianEndLaw.Of(M, V, path, sampler, schedule.Grid);
            var (mean, variance, _, _) = DiscretisedGaussianLaw.Moments(path, sampler, schedule, M, V);
            output.WriteLine($"{sampler} on {kind}: fit N({law.Mean:G10}, {law.Variance:G10}), recursion N({mean:G10}, {variance:G10}), residual {law.Residual:G3}");
            Assert.True(Math.Abs(law.Mean - mean) <= 1e-9 * (1 + Math.Abs(mean)) && Math.Abs(law.Variance / variance - 1) <= 1e-9, $"{sampler} on {kind}");
        }
    }

    [Fact]
    public void TheBrownianTreesCovarianceIsTheOneTheFitAssumes()
    {
        // For the tree samplers the fit's variance uses Cov(W(l_j), W(l_k)) = min(l_j, l_k). A sample of 40000 end points of
        // dpmpp_sde (two tree values a step) must have that variance: |s^2 - V| <= z sqrt(2 / (n - 1)) V with z for a
        // two-sided false-failure probability of 1e-6 (the sample variance of normal data; seed fixed: 5).
        var path = PathRegistry.Get("vp").Default;
        var grid = new TimeGrid.Karras(0.999, 0.02, 12);
        var sampler = new Sampler.DpmPpSde();
        var law = GaussianEndLaw.Of(M, V, path, sampler, grid);
        var data = GaussianMixture.Isotropic([1.0], [[M]], [Math.Sqrt(V)]);
        var x = Samplers.RunFromExactMarginal(data, path, sampler, grid, 40000, 5).Final.Column(0);
        double mean = x.Average(), s2 = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
        double bound = Bounds.TwoSidedZ(1e-6) * Math.Sqrt(2.0 / (x.Length - 1)) * law.Variance;
        output.WriteLine($"dpmpp_sde, 12 Karras steps on vp: fitted variance {law.Variance:G6}, sample variance {s2:G6} (bound {bound:G3})");
        Assert.True(Math.Abs(s2 - law.Variance) <= bound, $"{s2} against {law.Variance}");
        Assert.Throws<ArgumentException>(() => GaussianEndLaw.Of(M, V, path, new Sampler.PredictorCorrector(), grid));
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
            var errors = Counts.Select(n => Math.Abs(GaussianEndLaw.Of(M, V, path, sampler, new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, n)).Variance / exact - 1)).ToArray();
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
            var (mean, variance, residual, _) = GaussianEndLaw.Of(M, V, path, sampler, grid);
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
