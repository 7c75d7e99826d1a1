using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The samplers carry the exact marginal at the noise end to the exact marginal at the data end (1D mixture data,
/// every path kind). Each assertion is a one-sample Kolmogorov-Smirnov test against the exact CDF of p_t at the end of
/// the schedule with false-failure probability 1e-6 (asymptotic Kolmogorov critical value, n = 20000), plus a
/// discretisation allowance (Catalog.SamplerAllowance): for the affine (Euler-Maruyama-type) samplers the bias of the
/// discretised law is computed in closed form for each data component taken as Gaussian data, by a recursion written
/// apart from the samplers (DiscretisedGaussianLaw), and the allowance is twice the largest of these plus 1e-3, capped
/// at 0.02; for ODE samplers and predictor-corrector it is 1e-3 (the ODE error at the grids used is below 1e-5 in x).
/// The negative controls below plant the slips a sampler plausibly has and assert that the same check fails.
/// </summary>
public class MarginalEquality(ITestOutputHelper output)
{
    private const int N = 20000;
    private const double Alpha = 1e-6;
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);

    public static TheoryData<string> Kinds => new(Identities.RandomInstances.Kinds);

    private static GaussianPath PathOf(string kind) => GaussianPath.All.First(p => p.Kind == kind);

    private static double ExactCdf(GaussianMixture data, GaussianPath path, double t, double x) => data.Along(path, t).Density.Cdf(x);

    private static double Budget(GaussianPath path, Sampler sampler, Schedule schedule) => Identities.Catalog.SamplerAllowance(Data, path, sampler, schedule);

    /// <summary>The check: KS of the sampler's output against the exact CDF at the end, and the bound it must stay under.</summary>
    private static (double Ks, double Bound, double Allowance) Judge(string kind, Sampler sampler, int steps, ulong seed, Identities.Catalog.Slip? slip = null, Schedule? schedule = null)
    {
        var path = PathOf(kind);
        schedule ??= Schedule.For(path, steps);
        var exact = Samplers.ExactScore(new MarginalField(Data, path));
        var result = Samplers.RunFromExactMarginal(Data, path, sampler, schedule, N, seed, 0, slip?.Score?.Invoke(exact) ?? exact, slip?.Coefficients, slip?.CorrectorNoise);
        double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, schedule.TEnd, x));
        double allowance = Budget(path, sampler, schedule);
        return (ks, SampleTests.KolmogorovCritical(Alpha, N) + allowance, allowance);
    }

    private void AssertMatches(string kind, Sampler sampler, int steps, ulong seed, string label)
    {
        var (ks, bound, allowance) = Judge(kind, sampler, steps, seed);
        output.WriteLine($"{kind} {label}: KS {ks:F5}, bound {bound:F5} (allowance {allowance:F5}), p = {SampleTests.KolmogorovPValue(ks, N):G3}");
        Assert.True(ks <= bound, $"{kind} {label}: KS {ks} exceeds {bound} (seed {seed})");
    }

    /// <summary>Plausible slips in an affine sampler's step x' = cx x + cs s + cn xi, applied to every step.</summary>
    public static TheoryData<string> Slips => new() { "noise g|h|", "score term sign", "score term doubled", "score term halved", "no noise" };

    internal static Identities.Catalog.Slip SlipNamed(string name) => name switch
    {
        "noise g|h|" => new(name, Coefficients: c => Transform(c, 2, (v, h) => v * Math.Sqrt(h))),
        "score term sign" => new(name, Coefficients: c => Transform(c, 1, (v, _) => -v)),
        "score term doubled" => new(name, Coefficients: c => Transform(c, 1, (v, _) => 2 * v)),
        "score term halved" => new(name, Coefficients: c => Transform(c, 1, (v, _) => v / 2)),
        "no noise" => new(name, Coefficients: c => Transform(c, 2, (_, _) => 0)),
        "coefficients one step late" => new(name, Coefficients: c => c.Select((_, k) => c[Math.Min(k + 3, c.Length - 3 + k % 3)]).ToArray()),
        _ => throw new ArgumentException($"unknown slip {name}", nameof(name)),
    };

    /// <summary>Applies f to coefficient <paramref name="which"/> (0 cx, 1 cs, 2 cn) of every step; h is the grid's |step|.</summary>
    private static double[] Transform(double[] coefficients, int which, Func<double, double, double> f)
    {
        var c = (double[])coefficients.Clone();
        double h = 1.0 / (c.Length / 3); // the grids of these tests span nearly unit time
        for (int k = which; k < c.Length; k += 3) c[k] = f(c[k], h);
        return c;
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ReverseSdeReachesTheData(string kind) => AssertMatches(kind, new Sampler.ReverseSde(), 1000, 11, "reverse SDE, 1000 steps");

    [Theory, MemberData(nameof(Kinds))]
    public void ProbabilityFlowRk4ReachesTheData(string kind) => AssertMatches(kind, new Sampler.ProbabilityFlow(OdeMethod.Rk4), 200, 12, "PF-ODE RK4, 200 steps");

    [Theory, MemberData(nameof(Kinds))]
    public void ProbabilityFlowDormandPrinceReachesTheData(string kind) => AssertMatches(kind, new Sampler.ProbabilityFlow(OdeMethod.DormandPrince, 1e-7, 1e-7), 1, 13, "PF-ODE Dormand-Prince");

    [Theory, MemberData(nameof(Kinds))]
    public void ExtensionTrickReachesTheDataForEverySigma(string kind)
    {
        var path = PathOf(kind);
        foreach (double c in new[] { 0.3, 1.0, 2.0 })
            AssertMatches(kind, new Sampler.Extension(t => c * Math.Sqrt(path.DiffusionSquared(t))), 1000, 14, $"extension sigma = {c} g(t)");
    }

    [Theory, MemberData(nameof(Kinds))]
    public void PredictorCorrectorReachesTheData(string kind) => AssertMatches(kind, new Sampler.PredictorCorrector(), 1000, 15, "predictor-corrector snr 0.16");

    [Theory]
    [InlineData("vp")]
    [InlineData("cosine")]
    [InlineData("ve")]
    public void AncestralSamplingReachesTheData(string kind) => AssertMatches(kind, new Sampler.Ancestral(), 1000, 16, "ancestral");

    [Theory, MemberData(nameof(Kinds))]
    public void AndersonReverseSdeReproducesIntermediateMarginals(string kind)
    {
        // From the exact marginal near the noise end to t = 0.5 only: the law there must be the exact p_0.5.
        var path = PathOf(kind);
        var full = Schedule.For(path, 1000);
        var schedule = new Schedule(full.TStart, 0.5, 500);
        var (ks, bound, _) = Judge(kind, new Sampler.ReverseSde(), 500, 21, schedule: schedule);
        output.WriteLine($"{kind} reverse SDE to t = 0.5: KS {ks:F5}, bound {bound:F5}");
        Assert.True(ks <= bound);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ForwardSdeFromDataReproducesTheMarginals(string kind)
    {
        var path = PathOf(kind);
        var full = Schedule.For(path, 1000);
        var schedule = new Schedule(full.TEnd, 0.5, 500); // from near the data end, noising, to t = 0.5
        var initial = Samplers.ExactMarginalSample(Data, path, schedule.TStart, N, 22);
        var result = Samplers.Forward(path, initial, schedule, 22);
        double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, 0.5, x));
        output.WriteLine($"{kind} forward SDE to t = 0.5: KS {ks:F5}");
        // Bias budget: forward Euler-Maruyama on a linear SDE with 500 steps; 2e-3 covers its O(h) variance error
        // (relative variance error ~ |F| h, at most 0.02 near the ends, giving a CDF error below 1e-3).
        Assert.True(ks <= SampleTests.KolmogorovCritical(Alpha, N) + 2e-3);
    }

    [Fact]
    public void TheKsCheckDetectsAWrongScore()
    {
        // Negative control: a score off by 20 % must fail the same test.
        var slip = new Identities.Catalog.Slip("score x 1.2", Score: f => (t, x, s) => { f(t, x, s); s[0] *= 1.2; });
        var (ks, bound, _) = Judge("vp", new Sampler.ReverseSde(), 1000, 23, slip);
        output.WriteLine($"wrong score: KS {ks:F5}, bound {bound:F5}");
        Assert.True(ks > bound);
    }

    [Theory, MemberData(nameof(Slips))]
    public void EveryAffineSamplerCheckFailsForAPlantedSlip(string slip)
    {
        // Negative controls: the checks above, fed a sampler with the slip, must fail for every affine sampler. The
        // allowance is computed from the reference recursion, which the slip does not touch, and it is capped, so a slip
        // cannot widen its own tolerance. (The off-by-one-step slip changes the law by O(h) only; the coarse-grid
        // exact-law check, SamplerDiscreteLawCatchesSlips, is the one that sees it.)
        var path = PathOf("vp");
        foreach (var (sampler, label) in new (Sampler, string)[]
                 {
                     (new Sampler.ReverseSde(), "reverse SDE"),
                     (new Sampler.Extension(t => 0.5 * Math.Sqrt(path.DiffusionSquared(t))), "extension 0.5 g"),
                     (new Sampler.Ancestral(), "ancestral"),
                 })
        {
            // 250 steps: the slips move KS to 0.19-0.57 whatever the step count, and the allowance is computed for this grid.
            var (ks, bound, allowance) = Judge("vp", sampler, 250, 24, SlipNamed(slip));
            output.WriteLine($"{label} with slip '{slip}': KS {ks:F5}, bound {bound:F5} (allowance {allowance:F5})");
            Assert.True(ks > bound, $"{label} with slip '{slip}' passed: KS {ks} <= {bound}");
        }
    }

    [Fact]
    public void ThePredictorCorrectorCheckFailsForAPlantedCorrectorSlip()
    {
        // The Langevin corrector repairs a broken predictor: with the predictor's noise scaled by |h|, removed, or its score
        // term doubled or halved, predictor-corrector (snr 0.16, one corrector step per time, 1000 steps) still ends at
        // KS 0.009, 0.008, 0.013 and 0.006 from the target, inside the bound 0.020: the corrector alone samples p_t.
        // Those slips live in the coefficients the reverse-SDE sampler shares and are caught there. The corrector's own
        // slip, noise sqrt(eps) instead of sqrt(2 eps) (whose invariant law is proportional to p_t^2), must be caught here.
        var slip = new Identities.Catalog.Slip("corrector noise sqrt(eps)", CorrectorNoise: Math.Sqrt);
        foreach (var kind in new[] { "vp", "ve" })
        {
            var (ks, bound, _) = Judge(kind, new Sampler.PredictorCorrector(), 1000, 26, slip);
            output.WriteLine($"{kind} predictor-corrector with corrector noise sqrt(eps): KS {ks:F5}, bound {bound:F5}");
            Assert.True(ks > bound);
        }
    }

    [Theory]
    [InlineData("score x 2 (the 1/2 of the probability-flow drift dropped)", 2.0)]
    [InlineData("score sign flipped", -1.0)]
    public void TheOdeSamplerCheckFailsForAPlantedSlip(string name, double factor)
    {
        var slip = new Identities.Catalog.Slip(name, Score: f => (t, x, s) => { f(t, x, s); s[0] *= factor; });
        foreach (var kind in new[] { "vp", "condot" })
        {
            var (ks, bound, _) = Judge(kind, new Sampler.ProbabilityFlow(OdeMethod.Rk4), 200, 25, slip);
            output.WriteLine($"{kind} PF-ODE with '{name}': KS {ks:F5}, bound {bound:F5}");
            Assert.True(ks > bound);
        }
    }
}
