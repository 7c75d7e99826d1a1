using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// Each deterministic sampler is a solver of the probability-flow ODE of its stated order: with the exact score, the
/// distance of its end points from the exact flow map (Dormand-Prince at tolerance 1e-13 from the same start) falls like
/// N^-p over 8..1024 steps of a grid uniform in log-SNR. Rule for the asymptotic range: the order is fitted on the
/// five finest counts (64..1024); the coarser ones show the pre-asymptotic error and are printed only.
/// LMS is k-diffusion's: fourth-order Adams steps after a start at orders 1, 2 and 3 while its history fills, so its
/// global error is c4 N^-4 + c2 N^-2, the second term from the Euler first step (small, because the flow is nearly
/// linear in sigma / alpha at the noise end). Measured on 128..1024 it fits 2.9 to 3.9 depending on the path: no single
/// order holds there. The test asserts what does hold, a fitted order of at least 3.2 on 16..256, where the interior's
/// fourth-order term dominates (measured 3.38 to 3.56); a wrong Lagrange coefficient drops it to 2 or below. Tolerance |p - order|
/// &lt;= 0.3 (shared/DESIGN.md's weak-order tolerance). Deterministic, so no false-failure probability: a failure is a bug.
/// </summary>
public class SamplerOrders(ITestOutputHelper output)
{
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.0], [1.5]], [0.4, 0.6]);

    public static TheoryData<string, string, double> Cases()
    {
        var data = new TheoryData<string, string, double>();
        // Every deterministic fixed-step sampler of the registry, with the order its entry claims.
        foreach (var kind in Identities.RandomInstances.Kinds)
            foreach (var entry in SamplerRegistry.All.Where(e => !e.Stochastic && !e.Adaptive && e.DefinedOn(PathRegistry.Get(kind).Default) is null))
                data.Add(entry.Name, kind, entry.Order);
        return data;
    }

    internal static (double Order, double[] Errors) Fit(string name, GaussianPath path, Sampler sampler)
    {
        var ends = Schedule.For(path, 1, 0.02);
        var field = new MarginalField(Data, path);
        var score = Samplers.ExactScore(field);
        double sigma = path.Sigma(ends.TStart), alpha = path.Alpha(ends.TStart);
        var starts = new[] { -1.0, 0.2, 1.7 }.Select(v => new[] { alpha * v + sigma * v }).ToArray();
        var exact = starts.Select(x0 => Ode.Solve(new OdeProblem(Samplers.ProbabilityFlowField(path, score), [.. x0], ends.TStart, ends.TEnd), new OdeAlgorithm.DormandPrince(1e-13, 1e-13)).Final[0]).ToArray();
        int[] counts = [8, 16, 32, 64, 128, 256, 512, 1024];
        var errors = counts.Select(n =>
        {
            var run = Samplers.Run(path, score, sampler, Ensemble.FromRows(starts), new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, n), 0, 1);
            return Enumerable.Range(0, starts.Length).Max(i => Math.Abs(run.Final.Row(i)[0] - exact[i]));
        }).ToArray();
        int from = name == "lms" ? 1 : 3, to = name == "lms" ? 6 : 8;
        var fit = OrderFit.Of(counts[from..to].Select(n => 1.0 / n).ToArray(), errors[from..to]);
        return (fit.Order, errors);
    }

    public static TheoryData<string, string, double> NoiselessCases()
    {
        var data = new TheoryData<string, string, double>();
        foreach (var kind in new[] { "vp", "ve", "condot" })
            foreach (var (name, order) in new[] { ("euler_ancestral", 1.0), ("dpmpp_2m_sde", 2.0), ("dpmpp_2s_ancestral", 2.0), ("dpmpp_sde", 2.0), ("dpmpp_3m_sde", 2.0), ("dpmpp_3m_sde exact", 3.0) })
                data.Add(name, kind, order);
        return data;
    }

    [Theory, MemberData(nameof(NoiselessCases))]
    public void StochasticSamplersWithoutNoiseHaveTheirDeterministicOrder(string name, string kind, double order)
    {
        // With eta = 0 the stochastic samplers are ODE solvers: ancestral Euler is Euler, the SDE-DPM-Solver++ variants are
        // DPM-Solver++(2M) and a multistep method, DPM-Solver++(2S) a second-order singlestep one. Same rule as above.
        // k-diffusion's 3M update is second order (its quadratic term has half the weight the exact integral gives, see
        // DpmPp3MSde); with the exact weight it is third order.
        Sampler sampler = name switch
        {
            "euler_ancestral" => new Sampler.EulerAncestral(Eta: 0),
            "dpmpp_2m_sde" => new Sampler.DpmPp2MSde(Eta: 0),
            "dpmpp_2s_ancestral" => new Sampler.DpmPp2SAncestral(Eta: 0),
            "dpmpp_sde" => new Sampler.DpmPpSde(Eta: 0),
            "dpmpp_3m_sde" => new Sampler.DpmPp3MSde(Eta: 0),
            _ => new Sampler.DpmPp3MSde(Eta: 0, ExactSecondOrderTerm: true),
        };
        var (fitted, errors) = Fit(name, PathRegistry.Get(kind).Default, sampler);
        output.WriteLine($"{name}, eta = 0, on {kind}: order {fitted:F3} (expected {order}); errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.True(Math.Abs(fitted - order) <= 0.3, $"{name} on {kind}: fitted order {fitted:F3}, expected {order}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void EachDeterministicSamplerHasItsOrder(string name, string kind, double order)
    {
        var path = PathRegistry.Get(kind).Default;
        var (fitted, errors) = Fit(name, path, SamplerRegistry.Get(name).Default);
        output.WriteLine($"{name} on {path}: order {fitted:F3} (expected {order}); errors at 8..1024 steps {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        if (name == "lms") Assert.True(fitted >= 3.2, $"lms on {kind}: fitted order {fitted:F3} on 16..256, expected at least 3.2");
        // UniPC as diffusers configures it takes its last step at first order at every N, so its asymptotic order is 2,
        // but on 64..1024 the third-order error of the corrected steps can still dominate (measured: vp 1.94, ve 3.09,
        // condot 3.09): the claim checked here is at least order 2 - 0.3; UniPcHasTheOrderOfEachSetting pins each setting.
        else if (name == "unipc") Assert.True(fitted >= order - 0.3, $"unipc on {kind}: fitted order {fitted:F3}, expected at least {order - 0.3}");
        else Assert.True(Math.Abs(fitted - order) <= 0.3, $"{name} on {kind}: fitted order {fitted:F3}, expected {order}");
    }
    public static TheoryData<string, int, string, bool, bool, double> UniPcSettings()
    {
        var data = new TheoryData<string, int, string, bool, bool, double>();
        foreach (var kind in new[] { "vp", "ve", "condot" })
        {
            data.Add(kind, 1, "bh2", false, true, 2); // UniC-1 on UniP-1: trapezoidal in lambda
            data.Add(kind, 2, "bh2", false, true, 3);
            data.Add(kind, 2, "bh1", false, true, 3);
            data.Add(kind, 3, "bh2", false, true, 4);
            data.Add(kind, 3, "bh1", false, true, 4);
            data.Add(kind, 2, "bh2", false, false, 2); // the predictor alone
            data.Add(kind, 3, "bh2", false, false, 3);
        }
        return data;
    }

    [Theory, MemberData(nameof(UniPcSettings))]
    public void UniPcHasTheOrderOfEachSetting(string kind, int solverOrder, string type, bool lowerOrderFinal, bool corrector, double order)
    {
        // Zhao et al. 2023, Theorem 3.1 and 3.2: UniP-p has order p and UniC-p raises it to p + 1. Measured without
        // diffusers' lower_order_final (see EachDeterministicSamplerHasItsOrder for the default), same fit as above.
        var sampler = new Sampler.UniPc(solverOrder, type == "bh1" ? UniPcVariant.Bh1 : UniPcVariant.Bh2, lowerOrderFinal, corrector);
        var (fitted, errors) = Fit("unipc", PathRegistry.Get(kind).Default, sampler);
        output.WriteLine($"unipc p = {solverOrder} {type} corrector={corrector} on {kind}: order {fitted:F3} (expected {order}); errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.True(Math.Abs(fitted - order) <= 0.3, $"unipc p = {solverOrder} {type} corrector={corrector} on {kind}: fitted order {fitted:F3}, expected {order}");
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    [InlineData("condot")]
    public void ThirdOrderSinglestepReachesTheDataEndWithoutNaN(string kind)
    {
        // The failure users report: DPM-Solver-3 with a schedule whose last sigma is 0 takes log(0) at its last step and
        // returns NaN. Here a grid cannot contain the data end itself (the path's time is open there; the run refuses it,
        // naming the grid), and a run from 1e-3 inside the noise end to within 1e-9 of the data end, where sigma / alpha
        // is 3e-5 (vp), 1e-2 (ve: sigma_min) or 1e-9 (condot), is finite and close to the flow map: at 30 Karras steps the
        // worst distance of three starts is below 1e-3.
        var path = PathRegistry.Get(kind).Default;
        var ends = Schedule.For(path, 1, 1e-9);
        var grid = new TimeGrid.Karras(Schedule.For(path, 1, 1e-3).TStart, ends.TEnd, 30);
        double error = FlowMapError(Data, path, new Sampler.DpmSolver(3), grid);
        output.WriteLine($"dpm_solver_3 to t_end = {ends.TEnd:R} on {kind}: flow-map error {error:G3}");
        Assert.True(double.IsFinite(error) && error < 1e-3, $"{kind}: {error}");
        double dataEnd = path.NoisingDirection > 0 ? 0 : 1;
        var score = Samplers.ExactScore(new MarginalField(Data, path));
        var start = Ensemble.FromRows([[0.3]]);
        var e = Assert.Throws<ArgumentException>(() => Samplers.Run(path, score, new Sampler.DpmSolver(3), start, new TimeGrid.Explicit([ends.TStart, 0.5, dataEnd]), 0, 1));
        Assert.Equal("times", e.ParamName);
    }

    [Fact]
    public void FlowMatchEulerWithSd3sShiftIsFirstOrder()
    {
        // The shift is a smooth reparametrisation of each grid, so the shifted Euler keeps order 1 (same fit as above).
        var (fitted, errors) = Fit("flow_match_euler", PathRegistry.Get("condot").Default, new Sampler.FlowMatchEuler(3));
        output.WriteLine($"flow_match_euler shift 3 on condot: order {fitted:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.True(Math.Abs(fitted - 1) <= 0.3, $"fitted order {fitted:F3}");
    }

    [Fact]
    public void UniPcsLowerOrderFinalCostsAnOrderAtEveryStepCount()
    {
        // diffusers caps UniPC's order at N - k without DPM-Solver++'s "fewer than 15 steps" condition, so at 1024 steps
        // on vp the default is 10.7 times further from the flow map than the same sampler without the cap (measured
        // 3.6e-7 against 3.4e-8); the assertion asks for 4 times. A finding about diffusers' default, not a defect here.
        var path = PathRegistry.Get("vp").Default;
        var ends = Schedule.For(path, 1, 0.02);
        var grid = new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, 1024);
        double with = FlowMapError(Data, path, new Sampler.UniPc(), grid), without = FlowMapError(Data, path, new Sampler.UniPc(LowerOrderFinal: false), grid);
        output.WriteLine($"unipc at 1024 steps on vp: {with:G3} with lower_order_final, {without:G3} without");
        Assert.True(with > 4 * without, $"{with} against {without}");
    }

    private static double FlowMapError(GaussianMixture data, GaussianPath path, Sampler sampler, TimeGrid grid)
    {
        var score = Samplers.ExactScore(new MarginalField(data, path));
        var starts = new[] { -1.0, 0.2, 1.7 }.Select(v => new[] { path.Sigma(grid.Start) * v }).ToArray();
        var run = Samplers.Run(path, score, sampler, Ensemble.FromRows(starts), grid, 0, 1);
        return Enumerable.Range(0, starts.Length).Max(i => Math.Abs(run.Final.Row(i)[0] -
            Ode.Solve(new OdeProblem(Samplers.ProbabilityFlowField(path, score), [.. starts[i]], grid.Start, grid.End), new OdeAlgorithm.DormandPrince(1e-12, 1e-12)).Final[0]));
    }

    [Theory]
    [InlineData("vp", 5)]
    [InlineData("vp", 6)]
    [InlineData("ve", 4)]
    [InlineData("ve", 5)]
    public void DpmSolverPlusPlus2MTakesItsLastStepAtFirstOrderInShortRuns(string kind, int steps)
    {
        // The failure users report: DPM-Solver++(2M) at 10 steps or fewer on a Karras grid that ends near the data
        // (t = 1e-3, sharp data: standard deviations 0.05 and 0.1) extrapolates the data prediction over the last, longest
        // step in lambda and lands far from the flow map. With diffusers' lower_order_final (the default) the error is at
        // most half of what it is without (measured: vp 0.064 against 0.79 at 5 steps, 0.034 against 0.45 at 6; ve 0.064
        // against 0.79 at 4, 0.045 against 0.38 at 5).
        var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.0], [1.5]], [0.05, 0.1]);
        var path = PathRegistry.Get(kind).Default;
        var ends = Schedule.For(path, 1, 1e-3);
        var grid = new TimeGrid.Karras(ends.TStart, ends.TEnd, steps);
        double with = FlowMapError(data, path, new Sampler.DpmPp2M(), grid);
        double without = FlowMapError(data, path, new Sampler.DpmPp2M(LowerOrderFinal: false), grid);
        output.WriteLine($"{kind}, {steps} Karras steps: flow-map error {with:G3} with the first-order last step, {without:G3} without");
        Assert.True(with <= 0.5 * without, $"{kind} {steps}: {with} with, {without} without");
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    [InlineData("condot")]
    [InlineData("polynomial")]
    public void SamplersThatAreOneMapAgreeToRounding(string kind)
    {
        // Written apart, these are the same map on a Gaussian path: Euler in sigma / alpha, DPM-Solver-1 in lambda and DDIM
        // with eta = 0 (x0 and the noise prediction re-mixed); DPM-2 at the geometric midpoint and DPM-Solver-2 with
        // r1 = 1/2; ancestral Euler and SDE-DPM-Solver++(2M) with eta = 0 and their deterministic forms. 20 Karras steps from three starts; agreement to 1e-11 relative (the forms round differently).
        var path = PathRegistry.Get(kind).Default;
        var ends = Schedule.For(path, 1, 0.01);
        var grid = new TimeGrid.Karras(ends.TStart, ends.TEnd, 20);
        var score = Samplers.ExactScore(new MarginalField(Data, path));
        var start = Ensemble.FromRows(new[] { -1.0, 0.2, 1.7 }.Select(v => new[] { path.Sigma(grid.Start) * v }).ToArray());
        double[] Final(Sampler s) => Samplers.Run(path, score, s, start, grid, 0, 1).Final.ToArray();
        void Same(double[] a, double[] b, string what)
        {
            for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) <= 1e-11 * (1 + Math.Abs(a[i])), $"{what} on {kind}: {a[i]:R} against {b[i]:R}");
        }
        var euler = Final(new Sampler.Euler());
        if (kind == "condot") Same(euler, Final(new Sampler.FlowMatchEuler()), "euler and flow_match_euler with shift 1"); // Euler in x is DDIM on condot
        Same(euler, Final(new Sampler.DpmSolver(1)), "euler and dpm_solver_1");
        Same(euler, Final(new Sampler.Ddim(0)), "euler and ddim");
        Same(Final(new Sampler.Dpm2()), Final(new Sampler.DpmSolver(2)), "dpm_2 and dpm_solver_2");
        // The stochastic samplers with their noise switched off are the deterministic ones.
        Same(euler, Final(new Sampler.EulerAncestral(Eta: 0)), "euler and euler_ancestral with eta = 0");
        Same(Final(new Sampler.DpmPp2M(LowerOrderFinal: false)), Final(new Sampler.DpmPp2MSde(Eta: 0)), "dpmpp_2m and dpmpp_2m_sde with eta = 0");
        // Negative control: second order differs from first by far more than the tolerance.
        Assert.True(Math.Abs(euler[0] - Final(new Sampler.DpmSolver(2))[0]) > 1e-4);
    }
    [Fact]
    public void TheBrownianTreeMakesTheSdeSolverConvergePathByPath()
    {
        // SDE-DPM-Solver++(2M) draws its noise from one Brownian tree per path, so refining the grid refines the same
        // Brownian path: the mean distance between the end points of N and 2N steps from the same start falls (strong
        // convergence; measured ratios 2.4, 2.1 and 2.1 per halving). Ancestral Euler draws fresh normals, so its runs at N and
        // 2N are unrelated samples and the distance stays of the order of the data's spread (the negative control).
        // Deterministic given the seed, so no false-failure probability.
        var path = GaussianPath.Vp;
        var ends = Schedule.For(path, 1, 0.01);
        var score = Samplers.ExactScore(new MarginalField(Data, path));
        var start = Samplers.ExactMarginalSample(Data, path, ends.TStart, 200, 3);
        double Gap(Sampler sampler, int n)
        {
            var a = Samplers.Run(path, score, sampler, start, new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, n), seed: 9).Final.ToArray();
            var b = Samplers.Run(path, score, sampler, start, new TimeGrid.UniformLogSnr(ends.TStart, ends.TEnd, 2 * n), seed: 9).Final.ToArray();
            return a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        }
        var sde = new[] { 32, 64, 128, 256 }.Select(n => Gap(new Sampler.DpmPp2MSde(), n)).ToArray();
        var ancestral = new[] { 32, 256 }.Select(n => Gap(new Sampler.EulerAncestral(), n)).ToArray();
        output.WriteLine($"dpmpp_2m_sde mean |x_N - x_2N| at N = 32..256: {string.Join(", ", sde.Select(g => g.ToString("G3")))}; euler_ancestral at 32, 256: {ancestral[0]:G3}, {ancestral[1]:G3}");
        for (int k = 0; k + 1 < sde.Length; k++) Assert.True(sde[k] / sde[k + 1] > 1.3, $"no pathwise convergence: {sde[k]} then {sde[k + 1]}");
        Assert.True(ancestral[1] > 0.5 * ancestral[0] && ancestral[1] > 10 * sde[^1], $"ancestral {ancestral[0]}, {ancestral[1]}");
    }
    [Theory]
    [InlineData("vp")]
    [InlineData("cosine")]
    [InlineData("ve")]
    public void AncestralChainsAddTheVarianceTheyName(string kind)
    {
        // On Gaussian data N(0.7, 0.3^2) over 10 steps, where the two variances differ most, each variance choice produces
        // exactly the law DiscretisedGaussianLaw predicts for it (KS, n = 20000, false-failure probability 1e-6 per
        // assertion, Bonferroni over the 3 choices), and fails against the other choice's law (the negative control).
        var path = PathRegistry.Get(kind).Default;
        var data = GaussianMixture.Isotropic([1.0], [[0.7]], [0.3]);
        var schedule = Schedule.For(path, 10);
        double critical = SampleTests.KolmogorovCritical(1e-6 / 3, 20000);
        (double Mean, double Sd) Law(AncestralVariance v)
        {
            var (mean, variance, _, _) = DiscretisedGaussianLaw.Moments(path, new Sampler.Ancestral(v), schedule, 0.7, 0.09);
            return (mean, Math.Sqrt(variance));
        }
        foreach (var v in new[] { AncestralVariance.Default, AncestralVariance.FixedLarge, AncestralVariance.FixedSmall })
        {
            var x = Samplers.RunFromExactMarginal(data, path, new Sampler.Ancestral(v), schedule, 20000, 4).Final.Column(0);
            var (m, sd) = Law(v);
            double ks = SampleTests.KolmogorovSmirnov(x, y => MathNet.Numerics.Distributions.Normal.CDF(m, sd, y));
            output.WriteLine($"{kind} {v}: law N({m:G5}, {sd:G5}^2), KS {ks:F5} against {critical:F5}");
            Assert.True(ks <= critical, $"{kind} {v}: KS {ks}");
        }
        var large = Law(AncestralVariance.FixedLarge);
        var small = Law(AncestralVariance.FixedSmall);
        var sample = Samplers.RunFromExactMarginal(data, path, new Sampler.Ancestral(AncestralVariance.FixedSmall), schedule, 20000, 4).Final.Column(0);
        Assert.True(SampleTests.KolmogorovSmirnov(sample, y => MathNet.Numerics.Distributions.Normal.CDF(large.Mean, large.Sd, y)) > critical,
            $"{kind}: fixed_small's sample fits fixed_large's law N({large.Mean:G4}, {large.Sd:G4}^2) (fixed_small predicts N({small.Mean:G4}, {small.Sd:G4}^2))");
    }
    [Theory]
    [InlineData("euler_ancestral")]
    [InlineData("dpmpp_2s_ancestral")]
    [InlineData("dpmpp_sde")]
    [InlineData("dpmpp_2m_sde")]
    [InlineData("dpmpp_3m_sde")]
    public void StochasticSamplersCarryTheMeanOfGaussianDataExactly(string name)
    {
        // For Gaussian data N(m0, v0) the score is linear in x, every step is affine in the state and the noise, and the
        // noise has mean zero, so the mean of the output is the sampler run with its noise scaled to 0 (SNoise = 0, the
        // split into sigma_down and sigma_up kept) from the mean of the start. In x / alpha the exact mean is m0 at every
        // noise level and the data prediction there is m0, so an update whose coefficients of xh and D sum to 1 keeps it:
        // the weak error of the mean is zero, to rounding, at any step count. A wrong coefficient (e^-h for 1 - e^-h, a
        // missing sigma ratio) breaks it at once. The variance's weak order is not measured here.
        foreach (var kind in new[] { "vp", "ve", "condot" })
        {
            var path = PathRegistry.Get(kind).Default;
            var data = GaussianMixture.Isotropic([1.0], [[0.7]], [0.3]);
            var ends = Schedule.For(path, 1, 0.02);
            var score = Samplers.ExactScore(new MarginalField(data, path));
            Sampler sampler = name switch
            {
                "euler_ancestral" => new Sampler.EulerAncestral(SNoise: 0),
                "dpmpp_2s_ancestral" => new Sampler.DpmPp2SAncestral(SNoise: 0),
                "dpmpp_sde" => new Sampler.DpmPpSde(SNoise: 0),
                "dpmpp_2m_sde" => new Sampler.DpmPp2MSde(SNoise: 0),
                _ => new Sampler.DpmPp3MSde(SNoise: 0),
            };
            var start = Ensemble.FromRows([[path.Alpha(ends.TStart) * 0.7]]);
            double exact = path.Alpha(ends.TEnd) * 0.7;
            foreach (int n in new[] { 5, 37, 400 })
            {
                double mean = Samplers.Run(path, score, sampler, start, new TimeGrid.Karras(ends.TStart, ends.TEnd, n), 0, 1).Final.Row(0)[0];
                Assert.True(Math.Abs(mean - exact) <= 1e-13, $"{name} on {kind}, {n} steps: mean {mean:R}, exact {exact:R}");
            }
            // Negative control: a start off the mean is not kept (the check can fail).
            var off = Samplers.Run(path, score, sampler, Ensemble.FromRows([[path.Alpha(ends.TStart) * 0.7 + 1]]), new TimeGrid.Karras(ends.TStart, ends.TEnd, 5), 0, 1).Final.Row(0)[0];
            Assert.True(Math.Abs(off - exact) > 1e-6);
        }
    }
}
