using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Discrete;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>The discrete DDPM chain: posterior, marginals, convergence to the VP SDE, and DDIM as an ODE solver.</summary>
public class DdpmTests(ITestOutputHelper output)
{
    [Fact]
    public void PosteriorVarianceOfTheLinearScheduleAtStep487()
    {
        var s = DdpmSchedule.Linear(1e-4, 0.02, 1000);
        double v = s.PosteriorVariance(487);
        // Independent route: condition the joint Gaussian (x_{i-1}, x_i) given x_0. Var(x_{i-1} | x_0) = 1 - abar_{i-1} = w,
        // x_i = sqrt(1 - beta) x_{i-1} + sqrt(beta) e, so Var(x_{i-1} | x_i, x_0) = w - (1 - beta) w^2 / ((1 - beta) w + beta).
        double w = 1 - s.AlphaBars[486], b = s.Betas[487];
        double bayes = w - (1 - b) * w * w / ((1 - b) * w + b);
        output.WriteLine($"posterior variance at 0-based step 487: {v:G6} (Bayes route {bayes:G6}); at 1-based step 487 it would be {s.PosteriorVariance(486):G6}");
        Assert.Equal(bayes, v, 1e-15);
        Assert.Equal(0.00979, Math.Round(v, 5)); // the value the issue quotes, to 3 significant digits: it uses 0-based steps
    }

    [Fact]
    public void ChainMarginalsMatchTheClosedForm()
    {
        // 20000 chains from x0 = 1.5 through 50 steps: mean and variance within z standard errors (false failure 1e-6
        // for the two assertions) and KS against N(sqrt(abar) x0, 1 - abar) at false failure 1e-6.
        var s = DdpmSchedule.Linear(1e-3, 0.1, 50);
        var rng = new Random(12);
        int n = 20000;
        var finals = new double[n];
        for (int k = 0; k < n; k++)
        {
            double[] x = [1.5];
            for (int i = 0; i < s.Steps; i++) x = s.ForwardStep(i, x, [Normal.Sample(rng, 0, 1)]);
            finals[k] = x[0];
        }
        double ab = s.AlphaBars[^1], m = Math.Sqrt(ab) * 1.5, v = 1 - ab;
        double mean = finals.Average(), var = finals.Select(f => (f - mean) * (f - mean)).Sum() / (n - 1);
        double z = Bounds.TwoSidedZ(1e-6, 2);
        output.WriteLine($"abar {ab:G5}: mean {mean:G5} vs {m:G5}, variance {var:G5} vs {v:G5}");
        Assert.InRange(mean, m - z * Math.Sqrt(v / n), m + z * Math.Sqrt(v / n));
        Assert.InRange(var, v - z * v * Math.Sqrt(2.0 / n), v + z * v * Math.Sqrt(2.0 / n));
        Assert.True(SampleTests.KolmogorovSmirnov(finals, x => Normal.CDF(m, Math.Sqrt(v), x)) <= SampleTests.KolmogorovCritical(1e-6, n));
    }

    [Fact]
    public void EulerScheduleOfTheStandardVpPathAtOneThousandSteps()
    {
        // Absolute values, by hand: shared/seeds/003 ("From Discrete to Continuous") writes the chain as
        // x_i = sqrt(1 - beta_i) x_{i-1} + sqrt(beta_i) e with beta_i = beta(t_i) / T at the end t_i = i/T of step i (1-based),
        // so 0-based beta_0 = (0.1 + 19.9/1000)/1000 = 1.199e-4, beta_499 = (0.1 + 19.9 * 0.5)/1000 = 0.01005 and
        // beta_999 = 20/1000 = 0.02. Taking beta at the start of each step instead gives 1e-4, 0.0100301 and 0.0199801.
        var s = DdpmSchedule.EulerOfVp(GaussianPath.Vp, 1000);
        Assert.Equal(1.199e-4, s.Betas[0], 1e-19);
        Assert.Equal(0.01005, s.Betas[499], 1e-17);
        Assert.Equal(0.02, s.Betas[999], 1e-17);
        // alpha-bar at the last step by a plain product of the hand-written betas, against the schedule's compensated sums.
        double product = 1;
        for (int i = 0; i < 1000; i++) product *= 1 - (0.1 + 19.9 * (i + 1) / 1000.0) / 1000;
        Assert.Equal(product, s.AlphaBars[999], 1e-13 * product);
        // And against the continuous path: alpha(1)^2 = exp(-(0.1 + 20)/2) = 4.32e-5. The chain's log alpha-bar is
        // sum log(1 - beta_i) = -sum beta_i - sum beta_i^2/2 - ..., where sum beta_i exceeds the integral 10.05 by the
        // right-endpoint excess 19.9/2000 = 0.00995 and sum beta_i^2/2 = 0.0667: a ratio exp(-0.0767) = 0.926.
        double continuous = Math.Exp(-(0.1 + 20) / 2);
        output.WriteLine($"alpha-bar_999 {s.AlphaBars[999]:G6}, alpha(1)^2 {continuous:G6}");
        Assert.InRange(s.AlphaBars[999] / continuous, 0.92, 0.93);
    }

    [Fact]
    public void EulerScheduleConvergesToTheVpSdeAtRateOne()
    {
        var vp = GaussianPath.Vp;
        var steps = Enumerable.Range(0, 6).Select(k => 40 << k).ToArray(); // T >= 40: beta_max / T must stay below 1
        var errors = steps.Select(T => Math.Abs(DdpmSchedule.EulerOfVp(vp, T).AlphaBars[T / 2 - 1] - Math.Pow(vp.Alpha(0.5), 2))).ToArray();
        var fit = OrderFit.Of(steps.Select(T => 1.0 / T).ToArray(), errors);
        output.WriteLine($"alpha-bar at t = 0.5 against alpha^2: rate {fit.Order:F3}, errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.InRange(fit.Order, 0.8, 1.2);
        var exact = DdpmSchedule.ExactOfVp(vp, 1000);
        Assert.Equal(Math.Pow(vp.Alpha(0.5), 2), exact.AlphaBars[499], 1e-14); // the exact discretisation has no error
    }

    [Fact]
    public void DdimWithEtaZeroIsAFirstOrderProbabilityFlowSolver()
    {
        var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);
        foreach (var path in new GaussianPath[] { GaussianPath.Vp, GaussianPath.Cosine, GaussianPath.CondOt })
        {
            var schedule = Schedule.For(path, 1, 0.05);
            double[] x0 = [0.7];
            var field = new MarginalField(data, path);
            var reference = Ode.Solve(new OdeProblem(Samplers.ProbabilityFlowField(path, Samplers.ExactScore(field)), [.. x0], schedule.TStart, schedule.TEnd),
                new OdeAlgorithm.DormandPrince(1e-12, 1e-12)).Final[0];
            var counts = Enumerable.Range(0, 6).Select(k => 16 << k).ToArray();
            var errors = counts.Select(n =>
            {
                var grid = new Schedule(schedule.TStart, schedule.TEnd, n);
                double[] x = [.. x0];
                for (int k = 0; k < n; k++)
                {
                    var from = path.At(grid.Time(k));
                    var eps = data.Along(path, grid.Time(k)).Noise(x);
                    x = Ddim.Step(from, path.At(grid.Time(k + 1)), x, eps, 0, [0.0]);
                }
                return Math.Abs(x[0] - reference);
            }).ToArray();
            var fit = OrderFit.Of(counts.Select(n => 1.0 / n).ToArray(), errors);
            output.WriteLine($"{path.Kind}: DDIM (eta 0) order {fit.Order:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
            Assert.InRange(fit.Order, 0.7, 1.3);
        }
    }

    [Fact]
    public void DdimWithEtaOneOnVpMatchesTheMarginals()
    {
        // eta = 1 on a VP-type path is ancestral sampling: from exact p at t = 0.95 to t = 0.05 in 500 steps, KS at 1e-6
        // plus 5e-3 for the discretisation.
        var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);
        var path = GaussianPath.Vp;
        var grid = new Schedule(0.95, 0.05, 500);
        var start = Samplers.ExactMarginalSample(data, path, 0.95, 20000, 3).Column(0);
        var state = new ulong[4];
        Xoshiro.Seed(state, 3, 0);
        var xi = new double[1];
        var field = new MarginalField(data, path);
        var finals = start.Select(x0 =>
        {
            double[] x = [x0];
            for (int k = 0; k < grid.Steps; k++)
            {
                Xoshiro.Normals(state, xi);
                var from = path.At(grid.Time(k));
                var eps = from.NoiseFromScore(x, field.Score(grid.Time(k), x)); // e^ = -sigma_t score, exact
                x = Ddim.Step(from, path.At(grid.Time(k + 1)), x, eps, 1, [xi[0]]);
            }
            return x[0];
        }).ToArray();
        var target = data.Along(path, 0.05).Density;
        double ks = SampleTests.KolmogorovSmirnov(finals, x => target.Components.Select((c, k) => target.Weights[k] * Normal.CDF(c.Mean[0], Math.Sqrt(c.Covariance[0][0]), x)).Sum());
        output.WriteLine($"DDIM eta = 1: KS {ks:F5}");
        Assert.True(ks <= SampleTests.KolmogorovCritical(1e-6, 20000) + 5e-3);
    }
}
