using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>The 1D reference Fokker-Planck solver against closed forms, its conservation laws, and SDE ensembles.</summary>
public class FokkerPlanckTests(ITestOutputHelper output)
{
    private static System.Collections.Immutable.ImmutableArray<double> OnGrid(Grid1D grid, Func<double, double> density) => [.. grid.Centres().Select(density)];

    private static double L1(FokkerPlanck1DSolution s, Func<double, double> exact)
        => s.Grid.Centres().Select((x, i) => Math.Abs(s.Density[i] - exact(x))).Sum() * s.Grid.Dx;

    [Fact]
    public void OuStationaryDensityIsAnExactDiscreteStationaryState()
    {
        double theta = 1.7, sigma = 0.9, v = sigma * sigma / (2 * theta);
        var grid = new Grid1D(-6, 6, 400);
        var p0 = OnGrid(grid, x => Normal.PDF(0, Math.Sqrt(v), x));
        var sol = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => -theta * x, t => sigma * sigma, p0, grid, 0, 5), 200);
        double worst = p0.Select((p, i) => Math.Abs(sol.Density[i] - p) / p0.Max()).Max();
        output.WriteLine($"OU stationary: max relative change after 200 steps {worst:G3}");
        Assert.True(worst < 1e-12, $"{worst}"); // round-off of 200 tridiagonal solves on 400 cells
    }

    [Fact]
    public void OuTransientFromANarrowGaussianMatchesTheClosedForm()
    {
        // dX = -theta X dt + sigma dW from N(m0, s0^2): X_t ~ N(m0 e^{-theta t}, s0^2 e^{-2 theta t} + v (1 - e^{-2 theta t})).
        double theta = 1.3, sigma = 0.8, m0 = 2, s0 = 0.1, v = sigma * sigma / (2 * theta), T = 0.7;
        double Exact(double x) => Normal.PDF(m0 * Math.Exp(-theta * T), Math.Sqrt(s0 * s0 * Math.Exp(-2 * theta * T) + v * (1 - Math.Exp(-2 * theta * T))), x);
        double previous = double.NaN;
        foreach (int cells in new[] { 200, 400, 800 })
        {
            var grid = new Grid1D(-3, 5, cells);
            var sol = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => -theta * x, t => sigma * sigma, OnGrid(grid, x => Normal.PDF(m0, s0, x)), grid, 0, T), 4 * cells);
            double err = L1(sol, Exact);
            output.WriteLine($"OU transient, {cells} cells, {4 * cells} steps: L1 error {err:G3}, mass {sol.Mass:R}");
            if (!double.IsNaN(previous)) Assert.True(err < 0.6 * previous, $"error did not fall with refinement: {previous} -> {err}");
            previous = err;
        }
        Assert.True(previous < 5e-3, $"L1 error {previous}"); // first order in time at dt = T/3200
    }

    [Fact]
    public void AutonomousAssemblyIsBitIdenticalForATimeFreeProblemAndFrozenOtherwise()
    {
        var grid = new Grid1D(-5, 5, 300);
        var p0 = OnGrid(grid, x => Normal.PDF(1, 0.5, x));
        // A time-free drift and diffusion: assembling once gives exactly what assembling every step gives.
        var free = new FokkerPlanck1DProblem((t, x) => 3 * Math.Sin(2 * x) - x, t => 0.7, p0, grid, 0, 2);
        var everyStep = FokkerPlanck1D.Solve(free, 40).Density.ToArray();
        var once = FokkerPlanck1D.Solve(free with { Autonomous = true }, 40).Density.ToArray();
        Assert.Equal(everyStep, once);
        // A time-dependent problem marked autonomous keeps the first step's matrix (t = dt): it must then differ from the
        // correct solution, and agree with the solution of the problem frozen at t = dt.
        var timed = new FokkerPlanck1DProblem((t, x) => (1 + 2 * t) * (3 * Math.Sin(2 * x) - x), t => 0.05 + t, p0, grid, 0, 2);
        var frozen = FokkerPlanck1D.Solve(timed with { Autonomous = true }, 40).Density.ToArray();
        var right = FokkerPlanck1D.Solve(timed, 40).Density.ToArray();
        var atFirstStep = FokkerPlanck1D.Solve(timed with { Drift = (t, x) => (1 + 2 * 0.05) * (3 * Math.Sin(2 * x) - x), DiffusionSquared = t => 0.05 + 0.05 }, 40).Density.ToArray();
        Assert.True(frozen.Zip(right).Max(q => Math.Abs(q.First - q.Second)) > 1e-3, "the flag changed nothing on a time-dependent problem");
        Assert.Equal(atFirstStep, frozen);
    }

    [Fact]
    public void MassIsConservedAndDensitiesStayPositive()
    {
        var grid = new Grid1D(-5, 5, 300);
        var p0 = OnGrid(grid, x => x > -1 && x < 1 ? 0.5 : 0); // a box: stiff edges
        var sol = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => 3 * Math.Sin(2 * x) - x, t => 0.05 + t, p0, grid, 0, 2), 50);
        double mass0 = p0.Sum() * grid.Dx;
        output.WriteLine($"mass {mass0:R} -> {sol.Mass:R}, min density {sol.Density.Min():G3}");
        Assert.True(Math.Abs(sol.Mass - mass0) < 1e-13, "mass drift"); // round-off of 50 solves
        Assert.True(sol.Density.Min() >= 0);
    }

    public static TheoryData<string> Kinds => new(Identities.RandomInstances.Kinds);

    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);

    private static double ExactPdf(GaussianPath path, double t, double x) => Math.Exp(Data.Along(path, t).LogDensity([x]));

    private static FokkerPlanck1DSolution SolvePath(GaussianPath path, double ta, double tb, int cells, int steps)
    {
        double a = path.Alpha(tb), s = path.Sigma(tb), half = a * 1.5 + 8 * Math.Sqrt(a * a * 0.36 + s * s) + 1;
        var grid = new Grid1D(-half, half, cells);
        return FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => path.LogAlphaDot(t) * x, t => path.DiffusionSquared(t),
            OnGrid(grid, x => ExactPdf(path, ta, x)), grid, ta, tb), steps);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ReproducesTheExactMarginalsOfEveryPath(string kind)
    {
        var path = GaussianPath.All.First(p => p.Kind == kind);
        double ta = path.DataEnd == DataEnd.Zero ? 0.05 : 0.95, tb = 0.5;
        var sol = SolvePath(path, ta, tb, 800, 2000);
        double err = L1(sol, x => ExactPdf(path, tb, x));
        output.WriteLine($"{kind}: from t = {ta} to {tb}, L1 error {err:G3}");
        Assert.True(err < 1e-2, $"{kind}: L1 error {err}"); // first order in time with dt = 2.25e-4: a few 1e-3
    }

    [Theory, MemberData(nameof(Kinds))]
    public void AgreesWithForwardSdeEnsembles(string kind)
    {
        // Forward Euler-Maruyama ensembles (n = 20000) against the solver's CDF: KS with false-failure 1e-6, plus
        // 5e-3 for the solver's own L1 error (a bound on its CDF error) and the SDE's discretisation bias.
        var path = GaussianPath.All.First(p => p.Kind == kind);
        double ta = path.DataEnd == DataEnd.Zero ? 0.05 : 0.95, tb = 0.5;
        var sol = SolvePath(path, ta, tb, 800, 2000);
        var initial = Samplers.ExactMarginalSample(Data, path, ta, 20000, 31);
        var ens = Samplers.Forward(path, initial, new Schedule(ta, tb, 1000), 31);
        double ks = SampleTests.KolmogorovSmirnov(ens.Final.Column(0), sol.Cdf);
        output.WriteLine($"{kind}: KS(ensemble, Fokker-Planck) {ks:F5}");
        Assert.True(ks <= SampleTests.KolmogorovCritical(1e-6, 20000) + 5e-3);
    }
}

public class FokkerPlanckGenericTests
{
    [Fact]
    public void ResidualFromLogDensityAloneVanishesForPathMarginalsAndNotForAWrongDiffusion()
    {
        var data = GaussianMixture.Isotropic([0.4, 0.6], [[-1.0, 0.5], [1.2, -0.3]], [0.6, 0.8]);
        foreach (var path in GaussianPath.All)
        {
            double t = 0.4;
            var drift = FokkerPlanckOperator.ForwardDrift(path);
            double[] x = [0.3, -0.4];
            double Log(double u, double[] y) => data.Along(path, u).LogDensity(y);
            double step = 1e-3 * 0.6 * Math.Min(path.Alpha(t), 1) + 1e-4;
            double ok = FokkerPlanckOperator.Residual(Log, drift, path.DiffusionSquared, t, x, step, 1e-3 * t, path.NoisingDirection);
            double wrong = FokkerPlanckOperator.Residual(Log, drift, u => 2 * path.DiffusionSquared(u), t, x, step, 1e-3 * t, path.NoisingDirection);
            double rate = Math.Abs(FokkerPlanckOperator.RelativeRate(y => Log(t, y), drift, path.DiffusionSquared(t), t, x, step, path.NoisingDirection));
            // Finite differences of first and second order in x and first order in t, all five-point: relative 1e-6 of the
            // rate's size (plus 1e-8 absolute) is far above their O(h^4) and rounding errors and far below a wrong g^2.
            Assert.True(Math.Abs(ok) <= 1e-6 * (rate + 1) + 1e-8, $"{path}: residual {ok}");
            Assert.True(Math.Abs(wrong) > 1e-3, $"{path}: a doubled diffusion left residual {wrong}");
        }
    }
}
