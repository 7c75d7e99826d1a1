using ScoreSpec.Densities;
using ScoreSpec.Discrete;
using ScoreSpec.Likelihood;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// Checks that Stryker.NET's survivors asked for (docs/verification.md, "Mutation testing"): the DDPM chain's first
/// step, its log alpha-bars and DDIM with eta &gt; 0 against the DDPM posterior; the likelihood's end times for a path
/// with data at t = 1, its Hutchinson option and bits per dimension; the statistics on cases computed by hand; and
/// the rejection of bad input, with the parameter and the rule named.
/// </summary>
public class EdgesFoundByMutation
{
    /// <summary>The action throws an ArgumentException naming <paramref name="param"/> with <paramref name="rule"/> in its message.</summary>
    internal static void Rejects(string param, string rule, Action action)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(param, ex.ParamName);
        Assert.Contains(rule, ex.Message);
    }

    [Fact]
    public void TheFirstDdpmStepHasTheDataAsItsPosteriorMean()
    {
        // At step 0 there is nothing before x_0: the posterior of "x_{-1}" given x_0 is x_0 itself, variance 0,
        // coefficients (1, 0); the general formula gives c0 = sqrt(1) beta_0 / (1 - abar_0) = 1 since 1 - abar_0 = beta_0.
        var s = DdpmSchedule.Linear(1e-4, 0.02, 1000);
        Assert.Equal(0, s.PosteriorVariance(0));
        var (c0, ct) = s.PosteriorMean(0);
        Assert.Equal(1, c0, 1e-15);
        Assert.Equal(0, ct);
        // Log alpha-bars: log of the plain product of (1 - beta_j).
        double product = 1;
        for (int i = 0; i < 1000; i++)
        {
            product *= 1 - s.Betas[i];
            Assert.Equal(Math.Log(product), s.LogAlphaBars[i], 1e-12 * Math.Abs(Math.Log(product)) + 1e-18);
        }
    }

    [Fact]
    public void DdimWithEtaOneIsTheDdpmPosteriorStep()
    {
        // On the exact discretisation of VP (abar_i = alpha(t_{i+1})^2), a DDIM step with eta = 1 from t_{i+1} to t_i is
        // the DDPM posterior q(x_{i-1} | x_i, x0^) with x0^ = (x - sigma e^)/alpha: same mean, noise variance the
        // posterior variance. Two independent formulas (Ddim.Step's c and the schedule's beta-tilde).
        var vp = GaussianPath.Vp;
        const int T = 50;
        var s = DdpmSchedule.ExactOfVp(vp, T);
        foreach (int i in new[] { 1, 10, 30, 48 })
        {
            var from = vp.At((i + 1.0) / T);
            var to = vp.At((double)i / T);
            double[] x = [0.7], eps = [-0.4];
            double x0 = (x[0] - from.Sigma * eps[0]) / from.Alpha;
            var (c0, ct) = s.PosteriorMean(i);
            double mean = c0 * x0 + ct * x[0];
            double noMoves = Ddim.Step(from, to, x, eps, 1, [0.0])[0];
            double unitMove = Ddim.Step(from, to, x, eps, 1, [1.0])[0];
            Assert.Equal(mean, noMoves, 1e-12);
            Assert.Equal(Math.Sqrt(s.PosteriorVariance(i)), unitMove - noMoves, 1e-12);
        }
    }

    [Fact]
    public void DdimWithEtaZeroKeepsTheNoisePrediction()
    {
        // eta = 0: x_t = alpha_t z^ + sigma_t e^ exactly (no fresh noise); hand values on cosine at 0.6 -> 0.4.
        var path = GaussianPath.Cosine;
        var from = path.At(0.6);
        var to = path.At(0.4);
        double z = (1.3 - from.Sigma * 0.25) / from.Alpha;
        Assert.Equal(to.Alpha * z + to.Sigma * 0.25, Ddim.Step(from, to, [1.3], [0.25], 0, [5.0])[0], 1e-14);
    }

    [Theory]
    [InlineData("condot")]
    [InlineData("cosine")]
    [InlineData("subvp")]
    public void TheLikelihoodIntegratesFromTheDataEndToTheNoiseEnd(string kind)
    {
        // The end point must be where the probability-flow ODE carries x from the data end to the noise end (for condot
        // from t = 1 - eps down to eps); an integration over an empty interval would pass the exact-prior check trivially.
        var path = GaussianPath.All.First(p => p.Kind == kind);
        var data = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0, 0.5], [1.0, -0.5]], [0.6, 0.8]);
        double[] x = [0.3, -0.2];
        var r = ProbabilityFlowLikelihood.LogLikelihood(data, path, x, new LikelihoodOptions(Epsilon: 1e-3, Rtol: 1e-10, Atol: 1e-10));
        double t0 = path.DataEnd == DataEnd.Zero ? 1e-3 : 1 - 1e-3, t1 = 1 - t0;
        var field = Samplers.ProbabilityFlowField(path, Samplers.ExactScore(new MarginalField(data, path)));
        var end = Solvers.Ode.Solve(new Solvers.OdeProblem(field, [.. x], t0, t1), new Solvers.OdeAlgorithm.DormandPrince(1e-11, 1e-11)).Final;
        for (int i = 0; i < 2; i++) Assert.True(Math.Abs(end[i] - r.NoiseEndPoint[i]) <= 1e-6 * (1 + Math.Abs(end[i])), $"{kind}: {r.NoiseEndPoint[i]} against {end[i]}");
        Assert.Equal(data.Along(path, t1).LogDensity(end.ToArray()), r.PriorLogDensity, 1e-6);
        Assert.Equal(-r.LogDensity / (2 * Math.Log(2)), r.BitsPerDimension, 1e-12);
    }

    [Fact]
    public void HutchinsonLikelihoodsScatterAroundTheExactOne()
    {
        // With one Gaussian probe per solve the log-likelihood is an unbiased estimate: over 60 probe seeds the values
        // differ from the exact one (the probes are used) and their mean is within z = 5.3 standard errors (false-failure
        // probability 1e-7, CLT) of it.
        var data = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0, 0.5], [1.0, -0.5]], [0.6, 0.8]);
        double[] x = [0.3, -0.2];
        var exact = ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, x, new LikelihoodOptions(Rtol: 1e-9, Atol: 1e-9)).LogDensity;
        var values = Enumerable.Range(0, 60).Select(k => ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, x,
            new LikelihoodOptions(Divergence: DivergenceMethod.HutchinsonGaussian, Probes: 1, Seed: (ulong)k, Rtol: 1e-9, Atol: 1e-9)).LogDensity).ToArray();
        double mean = values.Average(), se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
        Assert.True(values.Max() - values.Min() > 1e-3, "the probes change nothing");
        Assert.True(Math.Abs(mean - exact) <= 5.3 * se, $"mean {mean} +- {se} against {exact}");
    }

    [Fact]
    public void ProbesAreRademacherOrGaussianAsAsked()
    {
        var rademacher = ProbabilityFlowLikelihood.Probes(new LikelihoodOptions(Divergence: DivergenceMethod.HutchinsonRademacher, Probes: 50), 3);
        var gaussian = ProbabilityFlowLikelihood.Probes(new LikelihoodOptions(Divergence: DivergenceMethod.HutchinsonGaussian, Probes: 50), 3);
        Assert.All(rademacher.SelectMany(u => u), v => Assert.Equal(1, Math.Abs(v)));
        Assert.Contains(gaussian.SelectMany(u => u), v => Math.Abs(v) != 1);
        Assert.Equal(50, rademacher.Length);
        Assert.Empty(ProbabilityFlowLikelihood.Probes(new LikelihoodOptions(), 3));
    }

    [Fact]
    public void HutchinsonAveragesItsProbes()
    {
        // For the linear field v(x) = A x the estimate with probe u is u^T A u exactly; with several probes, their mean.
        double[,] a = { { 1, 2 }, { -3, 0.5 } };
        Solvers.VectorField drift = (t, x, dx) => { dx[0] = a[0, 0] * x[0] + a[0, 1] * x[1]; dx[1] = a[1, 0] * x[0] + a[1, 1] * x[1]; };
        double[][] probes = [[1, 1], [1, -1], [2, 0.5]];
        double Quad(double[] u) => u[0] * (a[0, 0] * u[0] + a[0, 1] * u[1]) + u[1] * (a[1, 0] * u[0] + a[1, 1] * u[1]);
        Assert.Equal(probes.Average(Quad), ProbabilityFlowLikelihood.Hutchinson(drift, 0.5, [3.0, -7.0], probes), 1e-7);
        Assert.Equal(Quad([2, 0.5]), ProbabilityFlowLikelihood.Hutchinson(drift, 0.5, [30.0, -70.0], [[2, 0.5]]), 1e-6);
    }

    [Fact]
    public void StatisticsOnMoreHandCases()
    {
        // Linear energy estimator with three pairs: x = {0, 1, 2, 6, 0, 4}, y = {3, 5, 4, 4, 1, 1}: h = 4, 0 and
        // |0 - 1| + |4 - 1| - 4 - 0 = 0; mean 4/3, standard error sqrt(sum (h - 4/3)^2 / (3 * 2)) = sqrt((64/9 + 16/9 + 16/9)/6).
        var (estimate, se) = SampleTests.EnergyDistanceLinear([[0], [1], [2], [6], [0], [4]], [[3], [5], [4], [4], [1], [1]]);
        Assert.Equal(4.0 / 3, estimate, 1e-14);
        Assert.Equal(Math.Sqrt((64.0 / 9 + 16.0 / 9 + 16.0 / 9) / 6), se, 1e-14);
        // Unequal sizes: pairs are taken up to the smaller sample (4 points in y: two pairs).
        Assert.Equal(2, SampleTests.EnergyDistanceLinear([[0], [1], [2], [6], [9], [9]], [[3], [5], [4], [4]]).Estimate, 1e-14);
        // Moments: rows (1, 2), (3, 6), (5, 4): mean (3, 4), covariance [[4, 2], [2, 4]] (divisor n - 1 = 2).
        var (mean, cov) = SampleTests.Moments([[1, 2], [3, 6], [5, 4]]);
        Assert.Equal([3.0, 4.0], mean);
        Assert.Equal(4, cov[0, 0], 1e-14); Assert.Equal(2, cov[0, 1], 1e-14); Assert.Equal(4, cov[1, 1], 1e-14);
        // KS of a single point at the median of U(0, 1): D = 0.5.
        Assert.Equal(0.5, SampleTests.KolmogorovSmirnov([0.5], v => v), 1e-15);
    }

    [Fact]
    public void BadInputIsRejectedWithTheParameterAndTheRule()
    {
        Rejects("betas", "must not be null", () => new DdpmSchedule(null!));
        Rejects("betas", "must not be empty", () => new DdpmSchedule([]));
        Rejects("betas", "betas[1] must lie in (0, 1)", () => new DdpmSchedule([0.1, 1.0]));
        Rejects("betas", "betas[0] must lie in (0, 1)", () => new DdpmSchedule([0.0]));
        Rejects("betas", "must lie in (0, 1)", () => new DdpmSchedule([0.5, -0.1]));
        Rejects("steps", "at least 2", () => DdpmSchedule.Linear(1e-4, 0.02, 1));
        Assert.Equal(2, DdpmSchedule.Linear(1e-4, 0.02, 2).Steps);
        Rejects("vp", "must not be null", () => DdpmSchedule.EulerOfVp(null!, 10));
        Rejects("vp", "must not be null", () => DdpmSchedule.ExactOfVp(null!, 10));
        Rejects("steps", "at least 1", () => DdpmSchedule.EulerOfVp(GaussianPath.Vp, 0));
        Rejects("steps", "at least 1", () => DdpmSchedule.ExactOfVp(GaussianPath.Vp, 0));
        Assert.Equal(1, DdpmSchedule.ExactOfVp(GaussianPath.Vp, 1).Steps);
        Assert.Equal(1, DdpmSchedule.EulerOfVp(new VpPath(0.1, 0.5), 1).Steps);
        var s = DdpmSchedule.Linear(1e-4, 0.02, 10);
        Rejects("step", "must lie in [0, 9], got 10", () => s.PosteriorVariance(10));
        Rejects("step", "must lie in [0, 9], got -1", () => s.PosteriorMean(-1));
        Assert.Equal(s.Betas[9] * s.OneMinusAlphaBars[8] / s.OneMinusAlphaBars[9], s.PosteriorVariance(9), 1e-17);
        // One forward step with given noise, by hand: sqrt(1 - beta_0) x + sqrt(beta_0) e.
        Assert.Equal(Math.Sqrt(1 - 1e-4) * 2 + Math.Sqrt(1e-4) * 1.5, s.ForwardStep(0, [2.0], [1.5])[0], 1e-15);
        Rejects("previous", "", () => s.ForwardStep(0, [double.NaN], [0.0]));
        Rejects("noise", "", () => s.ForwardStep(0, [0.0], [0.0, 1.0]));
        var from = GaussianPath.Vp.At(0.5);
        var to = GaussianPath.Vp.At(0.4);
        Rejects("from", "must not be null", () => Ddim.Step(null!, to, [0.0], [0.0], 0, [0.0]));
        Rejects("to", "must not be null", () => Ddim.Step(from, null!, [0.0], [0.0], 0, [0.0]));
        Rejects("x", "", () => Ddim.Step(from, to, [double.PositiveInfinity], [0.0], 0, [0.0]));
        Rejects("noisePrediction", "", () => Ddim.Step(from, to, [0.0], [0.0, 0.0], 0, [0.0]));
        Rejects("xi", "", () => Ddim.Step(from, to, [0.0], [0.0], 0, [double.NaN]));
        Rejects("eta", "", () => Ddim.Step(from, to, [0.0], [0.0], -0.5, [0.0]));

        var data = GaussianMixture.Isotropic([1.0], [[0.0]], [1.0]);
        Rejects("data", "must not be null", () => ProbabilityFlowLikelihood.LogLikelihood(null!, GaussianPath.Vp, [0.0]));
        Rejects("path", "must not be null", () => ProbabilityFlowLikelihood.LogLikelihood(data, null!, [0.0]));
        Rejects("x", "", () => ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, [0.0, 1.0]));
        Rejects("options", "Epsilon must lie in (0, 0.5)", () => ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, [0.0], new LikelihoodOptions(Epsilon: 0)));
        Rejects("options", "Epsilon must lie in (0, 0.5)", () => ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, [0.0], new LikelihoodOptions(Epsilon: 0.5)));
        Rejects("options", "Probes must be at least 1", () => ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, [0.0], new LikelihoodOptions(Probes: 0)));
        Rejects("drift", "must not be null", () => ProbabilityFlowLikelihood.Hutchinson(null!, 0.5, [0.0], [[1.0]]));
        Rejects("probes", "must not be null", () => ProbabilityFlowLikelihood.Hutchinson((t, y, dy) => dy[0] = y[0], 0.5, [0.0], null!));
        Rejects("probes", "must not be empty", () => ProbabilityFlowLikelihood.Hutchinson((t, y, dy) => dy[0] = y[0], 0.5, [0.0], []));

        Rejects("errors", "same length, at least 2", () => OrderFit.Of([0.1, 0.05], [1.0]));
        Rejects("errors", "same length, at least 2", () => OrderFit.Of([0.1], [1.0]));
        Rejects("errors", "positive and finite", () => OrderFit.Of([0.1, 0.05], [1.0, 0.0]));
        Rejects("errors", "positive and finite", () => OrderFit.Of([0.1, 0.05], [1.0, double.PositiveInfinity]));
        Rejects("steps", "must not be null", () => OrderFit.Of(null!, [1.0]));
        Rejects("errors", "must not be null", () => OrderFit.Of([0.1, 0.05], null!));
        Rejects("x", "must not be null", () => SampleTests.EnergyDistanceLinear(null!, [[0.0], [1.0], [2.0], [3.0]]));
        Rejects("y", "must not be null", () => SampleTests.EnergyDistanceLinear([[0.0], [1.0], [2.0], [3.0]], null!));
        Rejects("sample", "must not be null", () => SampleTests.KolmogorovSmirnov(null!, v => v));
        Rejects("sample", "must not be empty", () => SampleTests.KolmogorovSmirnov([], v => v));
        Rejects("x", "must not be null", () => SampleTests.EnergyDistance(null!, [[0.0], [1.0]]));
        Rejects("y", "must not be null", () => SampleTests.EnergyDistance([[0.0], [1.0]], null!));
        Rejects("x", "at least 2 points", () => SampleTests.EnergyDistance([[0.0], [1.0]], [[0.0]]));
        Rejects("x", "at least 2 points", () => SampleTests.EnergyDistance([[0.0]], [[0.0], [1.0]]));
        Rejects("x", "at least 4 points", () => SampleTests.EnergyDistanceLinear([[0.0], [1.0]], [[0.0], [1.0], [2.0], [3.0]]));
        Rejects("sample", "must not be null", () => SampleTests.Moments((double[][])null!));
    }

    // ---- Solvers (Stryker run of 2026-11-24 on Paths, Densities, Solvers and Sampling)

    /// <summary>A fixed-step solve that does not start at t = 0: h = (T1 - T0) / n, not (T1 + T0) / n, and each method's evaluation count.</summary>
    [Fact]
    public void FixedStepSolvesAwayFromTimeZeroCountTheirEvaluations()
    {
        // y' = y from t = 1 to t = 2: y(2) = e y(1), whatever the start time; RK4 with 64 steps is exact to 1e-9.
        var problem = OdeProblem.FromFunc((t, y) => [y[0]], [1.0], 1, 2);
        var rk4 = Ode.Solve(problem, new OdeAlgorithm.Rk4(64));
        Assert.Equal(Math.E, rk4.Final[0], 1e-8); // the RK4 error at h = 1/64 is 1.3e-9
        Assert.Equal(4 * 64, rk4.Nfe);
        Assert.Equal(64, Ode.Solve(problem, new OdeAlgorithm.Euler(64)).Nfe);
        Assert.Equal(2 * 64, Ode.Solve(problem, new OdeAlgorithm.Heun(64)).Nfe);
        // A time-dependent field, y' = t, from 1 to 3: y = 1 + (9 - 1)/2 = 5 exactly for Heun (the trapezoid rule).
        var heun = Ode.Solve(OdeProblem.FromFunc((t, y) => [t], [1.0], 1, 3), new OdeAlgorithm.Heun(7));
        Assert.Equal(5.0, heun.Final[0], 1e-13);
    }

    /// <summary>Dormand-Prince's count: one evaluation at the start, one to size the first step, six per attempted step (first same as last).</summary>
    [Fact]
    public void DormandPrinceCountsEveryEvaluation()
    {
        int calls = 0;
        var problem = new OdeProblem((t, y, dy) => { Interlocked.Increment(ref calls); dy[0] = -2 * t * y[0]; }, [1.0], 0, 3);
        var sol = Ode.Solve(problem, new OdeAlgorithm.DormandPrince(1e-10, 1e-10));
        Assert.Equal(calls, sol.Nfe);
        Assert.Equal(2 + 6 * (sol.AcceptedSteps + sol.RejectedSteps), sol.Nfe);
        Assert.Equal(Math.Exp(-9), sol.Final[0], 1e-9);
        // Integrating backwards in time reaches the same point.
        var back = Ode.Solve(new OdeProblem((t, y, dy) => dy[0] = -2 * t * y[0], [Math.Exp(-9)], 3, 0), new OdeAlgorithm.DormandPrince(1e-10, 1e-10));
        Assert.Equal(1.0, back.Final[0], 1e-6); // atol 1e-10 at y = e^-9 amplified by e^9 on the way back
        // Too few steps allowed: the solver says so instead of returning an unfinished answer.
        var ex = Assert.Throws<InvalidOperationException>(() => Ode.Solve(problem, new OdeAlgorithm.DormandPrince(1e-12, 1e-12, MaxSteps: 5)));
        Assert.Contains("more than 5 steps", ex.Message);
    }

    [Fact]
    public void OdeSolveRejectsBadProblemsNamingTheField()
    {
        VectorField f = (t, y, dy) => dy[0] = y[0];
        Rejects("X0", "must be finite", () => Ode.Solve(new OdeProblem(f, [double.NaN], 0, 1), new OdeAlgorithm.Rk4(4)));
        Rejects("T0", "finite", () => Ode.Solve(new OdeProblem(f, [1.0], double.NaN, 1), new OdeAlgorithm.Rk4(4)));
        Rejects("T1", "finite", () => Ode.Solve(new OdeProblem(f, [1.0], 0, double.PositiveInfinity), new OdeAlgorithm.Rk4(4)));
        Rejects("rtol", "positive", () => Ode.Solve(new OdeProblem(f, [1.0], 0, 1), new OdeAlgorithm.DormandPrince(0, 1e-8)));
        Rejects("atol", "positive", () => Ode.Solve(new OdeProblem(f, [1.0], 0, 1), new OdeAlgorithm.DormandPrince(1e-8, -1)));
        Rejects("algorithm", "at least 1", () => Ode.Solve(new OdeProblem(f, [1.0], 0, 1), new OdeAlgorithm.Euler(0)));
        Assert.Equal(1 + 1.0, Ode.Solve(new OdeProblem(f, [1.0], 0, 1), new OdeAlgorithm.Euler(1)).Final[0]); // one step is allowed
        Rejects("problem", "must not be null", () => Ode.Solve(null!, new OdeAlgorithm.Rk4(4)));
    }

    // ---- Densities and Paths (the same run)

    /// <summary>Every entry point that takes a point rejects a non-finite one, naming it, instead of answering NaN.</summary>
    [Fact]
    public void NonFinitePointsAreRejectedAtEveryEntry()
    {
        var g = Gaussian.Isotropic([0.0, 1.0], 0.8);
        var m = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [0.7, 0.7]);
        var pt = m.Along(GaussianPath.Vp, 0.4);
        var field = new MarginalField(m, GaussianPath.Vp);
        var sde = GaussianPath.Vp.ForwardSde;
        var point = new PathPoint(GaussianPath.Vp, 0.4);
        double[] bad = [double.NaN, 0.0];
        Rejects("x", "must be finite", () => g.LogDensity(bad));
        Rejects("x", "must be finite", () => g.Score(bad));
        Rejects("x", "must be finite", () => m.LogDensity(bad));
        Rejects("x", "must be finite", () => m.PosteriorWeights(bad));
        Rejects("x", "must be finite", () => m.Score(bad));
        Rejects("x", "must be finite", () => m.Hessian(bad));
        Rejects("x", "must be finite", () => pt.Denoiser(bad));
        Rejects("x", "must be finite", () => pt.Noise(bad));
        Rejects("x", "must be finite", () => pt.Velocity(bad));
        Rejects("x", "must be finite", () => pt.VPrediction(bad));
        Rejects("x", "must be finite", () => field.Score(0.4, bad));
        Rejects("t", "strictly inside (0, 1)", () => field.Score(1.0, [0.0, 0.0]));
        Rejects("x", "must be finite", () => sde.DriftAt(0.4, bad));
        Rejects("x", "must be finite", () => sde.ProbabilityFlow((t, y, s) => s.Clear()).DriftAt(0.4, bad));
        Rejects("z", "must be finite", () => point.Mix(bad, [0.0, 0.0]));
        Rejects("z", "must be finite", () => point.ConditionalTarget(Quantity.Score, bad, [0.0, 0.0]));
        Rejects("x", "must be finite", () => point.Convert(Quantity.Score, Quantity.Noise, bad, [0.0, 0.0]));
        Rejects("x", "finite", () => GaussianMixture.Isotropic([1.0], [[0.0]], [1.0]).Cdf(double.NaN));
        Rejects("covariance", "finite", () => new Gaussian([0.0, 0.0], new double[,] { { 1, double.PositiveInfinity }, { double.PositiveInfinity, 1 } }));
        Rejects("mean", "must not be null", () => Gaussian.Isotropic(null!, 1.0));
        Rejects("means", "must not be null", () => GaussianMixture.Create([1.0], null!, [new double[,] { { 1 } }]));
        Rejects("covariances", "must not be null", () => GaussianMixture.Create([1.0], [[0.0]], null!));
    }

    /// <summary>MarginalField writes its answer into the caller's buffer: whatever the buffer held before must not leak into it.</summary>
    [Fact]
    public void MarginalFieldOverwritesTheCallersBuffer()
    {
        var m = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [0.7, 0.7]);
        var field = new MarginalField(m, GaussianPath.Cosine);
        double[] x = [0.3, -0.2];
        double[] dirtyScore = [123.0, -7.0], dirtyDenoiser = [55.0, 9.0];
        field.Score(0.6, x, dirtyScore);
        field.Denoiser(0.6, x, dirtyDenoiser);
        var exact = m.Along(GaussianPath.Cosine, 0.6);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(exact.Score(x)[i], dirtyScore[i], 1e-12);
            Assert.Equal(exact.Denoiser(x)[i], dirtyDenoiser[i], 1e-12);
        }
    }

    /// <summary>VE with sigma_max barely above sigma_min: log(sigma_max / sigma_min) must come from log1p, not from a rounded ratio.</summary>
    [Fact]
    public void VeRateIsAccurateWhenTheSigmasNearlyAgree()
    {
        var path = new VePath(1.0, 1.0 + 1e-12);
        // sigma_max as stored is 1 + delta with delta = (1 + 1e-12) - 1 exactly (Sterbenz); log(1 + delta) = delta - delta^2/2
        // to double precision. A logarithm of the rounded ratio would be off by about 1e-4 relative.
        double delta = (1.0 + 1e-12) - 1.0, logRatio = delta - delta * delta / 2;
        Assert.Equal(path.Sigma(0.5) * logRatio, path.SigmaDot(0.5), 1e-13 * path.Sigma(0.5) * logRatio);
    }

    /// <summary>Converting a v-prediction to a denoiser near alpha = 0 goes through the 2 x 2 solve, not through (x - sigma e)/alpha, which loses the digits that alpha divides away.</summary>
    [Fact]
    public void VPredictionConvertsAccuratelyNearTheNoiseEnd()
    {
        var m = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [1.0]], [0.5, 0.5]);
        double t = 0.99999;
        var pt = m.Along(GaussianPath.Cosine, t);
        Assert.True(pt.Point.Alpha < 1e-4);
        double[] x = [0.7];
        var fromV = pt.Point.Convert(Quantity.VPrediction, Quantity.Denoiser, x, pt.VPrediction(x));
        Assert.Equal(pt.Denoiser(x)[0], fromV[0], 1e-12 * Math.Abs(pt.Denoiser(x)[0]) + 1e-15);
        var fromZ = pt.Point.Convert(Quantity.Denoiser, Quantity.Noise, x, pt.Denoiser(x));
        Assert.Equal(pt.Noise(x)[0], fromZ[0], 1e-9);
    }

    /// <summary>
    /// The SDE solvers on time-dependent problems that do not start at t = 0 (every earlier test was autonomous from 0).
    /// With no noise the methods are ODE methods whose answers are known in closed form: y' = t from t = 1 to 3 over
    /// n = 8 steps of h = 1/4 gives the left Riemann sum 2 + 2 (n - 1)/n = 3.75 for Euler-Maruyama and the exact 4 for
    /// stochastic Heun (the trapezoid rule). With additive noise g(t) = t and no drift, Heun's answer is
    /// sum (t_n + t_n+1)/2 dW_n over the path's own increments.
    /// </summary>
    [Fact]
    public void SdeSolversHandleTimeAndAStartAwayFromZero()
    {
        var w = new BrownianPath(5, 1, 0, 2);
        var drift = new SdeProblem((t, x, f) => f[0] = t, (t, x, g) => g[0] = 0, [1.0], 1, 3);
        Assert.Equal(1 + 3.75, SdeSolver.Solve(drift, new SdeAlgorithm.EulerMaruyama(), w, 3).Final[0], 1e-13);
        Assert.Equal(1 + 4.0, SdeSolver.Solve(drift, new SdeAlgorithm.StochasticHeun(), w, 3).Final[0], 1e-13);
        var noise = new SdeProblem((t, x, f) => f[0] = 0, (t, x, g) => g[0] = t, [0.0], 1, 3);
        var dW = w.Increments(3);
        double expected = 0;
        for (int n = 0; n < 8; n++) expected += (1 + n * 0.25 + 0.125) * dW[n][0];
        Assert.Equal(expected, SdeSolver.Solve(noise, new SdeAlgorithm.StochasticHeun(), w, 3).Final[0], 1e-13);
        // A Brownian path over [2, 3] has the increments of one over [0, 1]: only the span matters.
        Assert.Equal(new BrownianPath(9, 1, 0, 1).Increments(4)[3][0], new BrownianPath(9, 1, 2, 3).Increments(4)[3][0]);
    }

    /// <summary>
    /// Stochastic Heun converges to the Stratonovich solution: for dX = s X o dW, X_T = X_0 exp(s W_T). On 20 paths at
    /// 4096 steps its error is below 1e-3 (strong order 1); a predictor with the noise's sign flipped misses by order one.
    /// Milstein without an analytic dg/dx (central differences) agrees with Milstein given it.
    /// </summary>
    [Fact]
    public void StochasticHeunFindsTheStratonovichSolutionAndMilsteinItsOwnDerivative()
    {
        const double s = 0.5;
        var stratonovich = new SdeProblem((t, x, f) => f[0] = 0, (t, x, g) => g[0] = s * x[0], [1.0], 0, 1);
        var ito = new SdeProblem((t, x, f) => f[0] = 0.1 * x[0], (t, x, g) => g[0] = s * x[0], [1.0], 0, 1, (t, x, dg) => dg[0] = s);
        var itoNumeric = ito with { DiffusionDerivative = null };
        for (int p = 0; p < 20; p++)
        {
            var w = new BrownianPath(100 + (ulong)p, 1, 0, 1);
            double wT = w.Values(0)[1][0];
            Assert.True(Math.Abs(SdeSolver.Solve(stratonovich, new SdeAlgorithm.StochasticHeun(), w, 12).Final[0] - Math.Exp(s * wT)) < 1e-3);
            double analytic = SdeSolver.Solve(ito, new SdeAlgorithm.Milstein(), w, 8).Final[0];
            double numeric = SdeSolver.Solve(itoNumeric, new SdeAlgorithm.Milstein(), w, 8).Final[0];
            Assert.Equal(analytic, numeric, 1e-8 * Math.Abs(analytic));
        }
    }

    [Fact]
    public void SdeSolveAndBrownianPathRejectBadInput()
    {
        var problem = new SdeProblem((t, x, f) => f[0] = 0, (t, x, g) => g[0] = 1, [0.0], 0, 1);
        Rejects("brownian", "dimension 1", () => SdeSolver.Solve(problem, new SdeAlgorithm.EulerMaruyama(), new BrownianPath(1, 2, 0, 1), 3));
        Rejects("brownian", "must span 1", () => SdeSolver.Solve(problem, new SdeAlgorithm.EulerMaruyama(), new BrownianPath(1, 1, 0, 2), 3));
        Rejects("problem", "must not be null", () => SdeSolver.Solve(null!, new SdeAlgorithm.EulerMaruyama(), new BrownianPath(1, 1, 0, 1), 3));
        Rejects("algorithm", "must not be null", () => SdeSolver.Solve(problem, null!, new BrownianPath(1, 1, 0, 1), 3));
        Rejects("brownian", "must not be null", () => SdeSolver.Solve(problem, new SdeAlgorithm.EulerMaruyama(), null!, 3));
        Rejects("X0", "must be finite", () => SdeSolver.Solve(problem with { X0 = [double.NaN] }, new SdeAlgorithm.EulerMaruyama(), new BrownianPath(1, 1, 0, 1), 3));
        Rejects("level", "must lie in [0, 24]", () => new BrownianPath(1, 1, 0, 1).Values(-1));
        Rejects("level", "must lie in [0, 24]", () => new BrownianPath(1, 1, 0, 1).Values(25));
        Rejects("Dimension", "at least 1", () => new BrownianPath(1, 0, 0, 1).Values(2));
        Rejects("T1", "must exceed T0", () => new BrownianPath(1, 1, 1, 1).Values(2));
        Assert.Equal(2, new BrownianPath(1, 1, 0, 1).Values(24 - 23).Length - 1); // level 1: two steps, three points
    }

    // ---- Sampling/DiscretisedGaussianLaw.cs (a Stryker run with coverage analysis off, 2026-11-24)

    /// <summary>The Kolmogorov distance between two normals, against closed forms: equal variances, sup = 2 Phi(delta / 2) - 1; equal means, the gap where the densities cross.</summary>
    [Fact]
    public void KolmogorovDistanceBetweenNormalsMatchesClosedForms()
    {
        double Phi(double x) => MathNet.Numerics.Distributions.Normal.CDF(0, 1, x);
        Assert.Equal(2 * Phi(0.25) - 1, DiscretisedGaussianLaw.KolmogorovDistance(0, 1, 0.5, 1), 1e-10);
        Assert.Equal(2 * Phi(1.5) - 1, DiscretisedGaussianLaw.KolmogorovDistance(7, 2, 1, 2), 1e-10);
        // N(0, 1) against N(0, 4): the densities cross at x^2 = 8 ln 2 / 3; the gap there is Phi(x) - Phi(x / 2).
        double cross = Math.Sqrt(8 * Math.Log(2) / 3);
        Assert.Equal(Phi(cross) - Phi(cross / 2), DiscretisedGaussianLaw.KolmogorovDistance(0, 1, 0, 2), 1e-10);
        Assert.Equal(Phi(cross) - Phi(cross / 2), DiscretisedGaussianLaw.KolmogorovDistance(3, 2, 3, 1), 1e-10);
        Assert.Equal(0.0, DiscretisedGaussianLaw.KolmogorovDistance(1, 1, 1, 1), 1e-15);
    }

    /// <summary>
    /// The law's recursion against a second one built here from the samplers' own step coefficients: for Gaussian data
    /// N(m0, v0) the score at t is -(x - alpha_t m0) / V_t with V_t = alpha_t^2 v0 + sigma_t^2, so x' = cx x + cs s + cn xi
    /// moves the mean to (cx - cs / V) m + cs alpha m0 / V and the variance to (cx - cs / V)^2 v + cn^2. A mean m0 other
    /// than 0 and 1 is needed to see a factor of m0 misplaced.
    /// </summary>
    [Theory]
    [InlineData("reverse")]
    [InlineData("ancestral")]
    [InlineData("extension")]
    public void DiscretisedLawAgreesWithTheStepCoefficients(string kind)
    {
        double m0 = 2.5, v0 = 0.3;
        var path = GaussianPath.Vp;
        var schedule = Schedule.For(path, 10);
        Sampler sampler = kind switch { "reverse" => new Sampler.ReverseSde(), "ancestral" => new Sampler.Ancestral(), _ => new Sampler.Extension(_ => 0.4) };
        var coef = Samplers.StepCoefficients(path, sampler, schedule);
        double a0 = path.Alpha(schedule.TStart), s0 = path.Sigma(schedule.TStart);
        double mean = a0 * m0, variance = a0 * a0 * v0 + s0 * s0;
        for (int k = 0; k < schedule.Steps; k++)
        {
            double t = schedule.Time(k), a = path.Alpha(t), sg = path.Sigma(t), V = a * a * v0 + sg * sg;
            double cx = coef[3 * k], cs = coef[3 * k + 1], cn = coef[3 * k + 2], slope = cx - cs / V;
            mean = slope * mean + cs * a * m0 / V;
            variance = slope * slope * variance + cn * cn;
        }
        var law = DiscretisedGaussianLaw.Moments(path, sampler, schedule, m0, v0);
        Assert.Equal(mean, law.Mean, 1e-12 * Math.Abs(mean));
        Assert.Equal(variance, law.Variance, 1e-12 * variance);
        double aEnd = path.Alpha(schedule.TEnd), sEnd = path.Sigma(schedule.TEnd);
        Assert.Equal(aEnd * m0, law.TargetMean, 1e-15);
        Assert.Equal(aEnd * aEnd * v0 + sEnd * sEnd, law.TargetVariance, 1e-15);
    }

    [Fact]
    public void DiscretisedLawRejectsBadInput()
    {
        var schedule = Schedule.For(GaussianPath.Vp, 10);
        Rejects("v0", "must be positive", () => DiscretisedGaussianLaw.Moments(GaussianPath.Vp, new Sampler.ReverseSde(), schedule, 0, 0));
        Rejects("m0", "finite", () => DiscretisedGaussianLaw.Moments(GaussianPath.Vp, new Sampler.ReverseSde(), schedule, double.NaN, 1));
        Rejects("path", "must not be null", () => DiscretisedGaussianLaw.Moments(null!, new Sampler.ReverseSde(), schedule, 0, 1));
        Rejects("schedule", "must not be null", () => DiscretisedGaussianLaw.Moments(GaussianPath.Vp, new Sampler.ReverseSde(), null!, 0, 1));
        Rejects("sampler", "affine stochastic sampler", () => DiscretisedGaussianLaw.Moments(GaussianPath.Vp, new Sampler.ProbabilityFlow(), schedule, 0, 1));
        Rejects("sampler", "ancestral sampling is defined", () => DiscretisedGaussianLaw.Moments(GaussianPath.CondOt, new Sampler.Ancestral(), Schedule.For(GaussianPath.CondOt, 10), 0, 1));
    }

    /// <summary>The discretisation bias of Euler-Maruyama on Gaussian data is positive and first order in the step: ten times the steps, about a tenth of the bias.</summary>
    [Fact]
    public void DiscretisationBiasFallsWithTheStep()
    {
        double Bias(int steps) => DiscretisedGaussianLaw.Bias(GaussianPath.Vp, new Sampler.ReverseSde(), Schedule.For(GaussianPath.Vp, steps), 2.5, 0.3);
        double b100 = Bias(100), b1000 = Bias(1000);
        Assert.True(b100 > 1e-4, $"bias at 100 steps {b100}");
        Assert.InRange(b100 / b1000, 6.0, 14.0);
    }

    /// <summary>
    /// Anderson's reverse drift differs from the probability-flow drift by the score term once more: reverse - flow =
    /// -Direction g^2 s / 2 = a_t s, with a_t from Proposition 1 (PathPoint, from the path's alpha and sigma). The second
    /// Stryker run found the reverse drift reached by no test of the mutation tier.
    /// </summary>
    [Fact]
    public void ReverseDriftExceedsTheFlowByTheScoreTerm()
    {
        foreach (var path in GaussianPath.All)
        {
            var sde = path.ForwardSde;
            double t = 0.3;
            double[] x = [0.7, -1.2], score = [-0.4, 2.5];
            ScoreFunction constant = (u, y, s) => score.CopyTo(s);
            var reverse = sde.Reverse(constant).DriftAt(t, x);
            var flow = sde.ProbabilityFlow(constant).DriftAt(t, x);
            double a = new PathPoint(path, t).A;
            for (int i = 0; i < 2; i++)
                Assert.Equal(a * score[i], reverse[i] - flow[i], 1e-12 * (1 + Math.Abs(a * score[i]) + Math.Abs(flow[i])));
            Rejects("x", "must be finite", () => sde.Reverse(constant).DriftAt(t, [double.NaN, 0.0]));
        }
    }
}
