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
/// discretisation-bias budget: for the affine (Euler-Maruyama-type) samplers the exact bias of the discretised law is
/// computed in closed form for each data component taken as Gaussian data (the score is then affine, so the law stays
/// Gaussian and its mean and variance follow a recursion), and the budget is twice the largest of these plus 1e-3;
/// for ODE samplers the budget is 1e-3 (their error at the grids used is below 1e-5 in x).
/// </summary>
public class MarginalEquality(ITestOutputHelper output)
{
    private const int N = 20000;
    private const double Alpha = 1e-6;
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);

    public static TheoryData<string> Kinds => new() { "vp", "subvp", "ve", "cosine", "condot" };

    private static GaussianPath PathOf(string kind) => GaussianPath.All.First(p => p.Kind == kind);

    private static double ExactCdf(GaussianMixture data, GaussianPath path, double t, double x) => data.Along(path, t).Density.Cdf(x);

    internal static double GaussianBias(GaussianPath path, Sampler sampler, Schedule schedule, double m0, double v0)
        => Samplers.GaussianDiscretisationBias(path, sampler, schedule, m0, v0);

    private double Budget(GaussianPath path, Sampler sampler, Schedule schedule)
    {
        if (sampler is Sampler.ProbabilityFlow or Sampler.PredictorCorrector) return 1e-3;
        double worst = Data.Components.Max(c => GaussianBias(path, sampler, schedule, c.Mean[0], c.Covariance[0][0]));
        return 2 * worst + 1e-3;
    }

    private void AssertMatches(string kind, Sampler sampler, int steps, ulong seed, string label)
    {
        var path = PathOf(kind);
        var schedule = Schedule.For(path, steps);
        var result = Samplers.RunFromExactMarginal(Data, path, sampler, schedule, N, seed);
        double ks = Tests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, schedule.TEnd, x));
        double crit = Tests.KolmogorovCritical(Alpha, N), budget = sampler is Sampler.PredictorCorrector ? 1e-3 : Budget(path, sampler, schedule);
        output.WriteLine($"{kind} {label}: KS {ks:F5}, critical {crit:F5} + bias budget {budget:F5}, p = {Tests.KolmogorovPValue(ks, N):G3}, {result.Seconds:F2}s");
        Assert.True(ks <= crit + budget, $"{kind} {label}: KS {ks} exceeds {crit} + {budget} (seed {seed})");
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
        var result = Samplers.RunFromExactMarginal(Data, path, new Sampler.ReverseSde(), schedule, N, 21);
        double ks = Tests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, 0.5, x));
        double budget = 2 * Data.Components.Max(c => GaussianBias(path, new Sampler.ReverseSde(), schedule, c.Mean[0], c.Covariance[0][0])) + 1e-3;
        output.WriteLine($"{kind} reverse SDE to t = 0.5: KS {ks:F5}");
        Assert.True(ks <= Tests.KolmogorovCritical(Alpha, N) + budget);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ForwardSdeFromDataReproducesTheMarginals(string kind)
    {
        var path = PathOf(kind);
        var full = Schedule.For(path, 1000);
        var schedule = new Schedule(full.TEnd, 0.5, 500); // from near the data end, noising, to t = 0.5
        var initial = Samplers.ExactMarginalSample(Data, path, schedule.TStart, N, 22);
        var result = Samplers.Forward(path, initial, schedule, 22);
        double ks = Tests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, 0.5, x));
        output.WriteLine($"{kind} forward SDE to t = 0.5: KS {ks:F5}");
        // Bias budget: forward Euler-Maruyama on a linear SDE with 500 steps; 2e-3 covers its O(h) variance error
        // (relative variance error ~ |F| h, at most 0.02 near the ends, giving a CDF error below 1e-3).
        Assert.True(ks <= Tests.KolmogorovCritical(Alpha, N) + 2e-3);
    }

    [Fact]
    public void TheKsCheckDetectsAWrongScore()
    {
        // Negative control: a score off by 20 % must fail the same test.
        var path = GaussianPath.Vp;
        var schedule = Schedule.For(path, 1000);
        var field = new MarginalField(Data, path);
        var result = Samplers.RunFromExactMarginal(Data, path, new Sampler.ReverseSde(), schedule, N, 23, score: (t, x, s) => { field.Score(t, x, s); s[0] *= 1.2; });
        double ks = Tests.KolmogorovSmirnov(result.Final.Column(0), x => ExactCdf(Data, path, schedule.TEnd, x));
        output.WriteLine($"wrong score: KS {ks:F5}");
        Assert.True(ks > Tests.KolmogorovCritical(Alpha, N) + Budget(path, new Sampler.ReverseSde(), schedule));
    }
}
