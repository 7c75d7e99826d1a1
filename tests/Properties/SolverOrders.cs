using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// Convergence orders fitted by least squares over six step sizes (five halvings), against closed-form solutions; for
/// SDEs the solver and the closed form are driven by the same refinable Brownian paths. Orders must be within 0.2 of
/// theory (strong) or 0.3 (weak), as DESIGN.md says.
/// </summary>
public class SolverOrders(ITestOutputHelper output)
{
    // x' = x cos t, x(0) = 1: x(t) = exp(sin t), integrated over [0, 3].
    private static readonly OdeProblem Problem = new((t, x, dx) => dx[0] = x[0] * Math.Cos(t), [1.0], 0, 3);
    private static readonly double Exact = Math.Exp(Math.Sin(3));

    [Theory]
    [InlineData("euler", 1.0, 16)]
    [InlineData("heun", 2.0, 16)]
    [InlineData("rk4", 4.0, 8)]
    [InlineData("dopri5", 5.0, 8)]
    public void OdeOrders(string method, double theory, int coarsest)
    {
        var steps = Enumerable.Range(0, 6).Select(k => coarsest << k).ToArray();
        var errors = steps.Select(n =>
        {
            OdeAlgorithm a = method switch
            {
                "euler" => new OdeAlgorithm.Euler(n),
                "heun" => new OdeAlgorithm.Heun(n),
                "rk4" => new OdeAlgorithm.Rk4(n),
                _ => new OdeAlgorithm.DormandPrinceFixed(n),
            };
            return Math.Abs(Ode.Solve(Problem, a).Final[0] - Exact);
        }).ToArray();
        var fit = OrderFit.Of(steps.Select(n => 3.0 / n).ToArray(), errors);
        output.WriteLine($"{method}: order {fit.Order:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.InRange(fit.Order, theory - 0.2, theory + 0.2);
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-7)]
    [InlineData(1e-10)]
    public void AdaptiveDormandPrinceMeetsItsTolerance(double tol)
    {
        var sol = Ode.Solve(Problem, new OdeAlgorithm.DormandPrince(tol, tol));
        double err = Math.Abs(sol.Final[0] - Exact);
        output.WriteLine($"tol {tol:G2}: error {err:G3}, nfe {sol.Nfe}, accepted {sol.AcceptedSteps}, rejected {sol.RejectedSteps}");
        // Local error control keeps the global error within a small multiple of the tolerance for this smooth,
        // non-stiff problem; 10 x tol (x max|x| = e) leaves room for the accumulation over ~the accepted steps.
        Assert.True(err <= 10 * tol * Math.E, $"error {err} for tolerance {tol}");
    }

    [Fact]
    public void BackwardIntegrationReturnsToTheStart()
    {
        var forward = Ode.Solve(Problem, new OdeAlgorithm.DormandPrince(1e-11, 1e-11));
        var back = Ode.Solve(Problem with { X0 = forward.Final, T0 = 3, T1 = 0 }, new OdeAlgorithm.DormandPrince(1e-11, 1e-11));
        Assert.Equal(1.0, back.Final[0], 1e-8); // two solves at tolerance 1e-11 over ~100 steps
    }

    private const double Mu = 1.01, Vol = 0.87, U0 = 0.5;

    private static SdeProblem Gbm() => new(
        (t, x, f) => f[0] = Mu * x[0], (t, x, g) => g[0] = Vol * x[0], [U0], 0, 1, (t, x, dg) => dg[0] = Vol);

    private static double GbmExact(BrownianPath w) => U0 * Math.Exp((Mu - Vol * Vol / 2) + Vol * w.Values(0)[1][0]);

    /// <summary>Mean absolute error at T = 1 over M Brownian paths, levels 4..9 (16..512 steps).</summary>
    private double[] StrongErrors(SdeProblem problem, SdeAlgorithm algorithm, Func<BrownianPath, double> exact, int paths)
    {
        var levels = Enumerable.Range(4, 6).ToArray();
        var errors = new double[levels.Length];
        for (int p = 0; p < paths; p++)
        {
            var w = new BrownianPath((ulong)p + 1000, 1, 0, 1);
            double truth = exact(w);
            for (int l = 0; l < levels.Length; l++)
                errors[l] += Math.Abs(SdeSolver.Solve(problem, algorithm, w, levels[l]).Final[0] - truth) / paths;
        }
        return errors;
    }

    [Theory]
    [InlineData("em", 0.5)]
    [InlineData("milstein", 1.0)]
    public void StrongOrderOnGeometricBrownianMotion(string method, double theory)
    {
        SdeAlgorithm a = method == "em" ? new SdeAlgorithm.EulerMaruyama() : new SdeAlgorithm.Milstein();
        var errors = StrongErrors(Gbm(), a, GbmExact, 400);
        var fit = OrderFit.Of(Enumerable.Range(4, 6).Select(l => Math.Pow(2, -l)).ToArray(), errors);
        output.WriteLine($"{method} on GBM: strong order {fit.Order:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.InRange(fit.Order, theory - 0.2, theory + 0.2);
    }

    [Fact]
    public void MilsteinWithoutDerivativeUsesDifferencesAndKeepsOrderOne()
    {
        var problem = Gbm() with { DiffusionDerivative = null };
        var errors = StrongErrors(problem, new SdeAlgorithm.Milstein(), GbmExact, 200);
        var fit = OrderFit.Of(Enumerable.Range(4, 6).Select(l => Math.Pow(2, -l)).ToArray(), errors);
        output.WriteLine($"Milstein (finite-difference dg/dx): strong order {fit.Order:F3}");
        Assert.InRange(fit.Order, 0.8, 1.2);
    }

    // Additive noise: Ornstein-Uhlenbeck dX = -lambda X dt + s dW, X(0) = 1. Integrating by parts,
    // X(1) = e^{-lambda} + s (W(1) - lambda int_0^1 e^{-lambda (1 - u)} W(u) du), with the integral of the Brownian path
    // taken by the trapezoid rule on level 16 (error O(2^-16), far below the solver errors at levels 4..9).
    private const double Lambda = 1.3, S = 0.9;

    private static double OuExact(BrownianPath w)
    {
        var values = w.Values(16);
        int n = values.Length - 1;
        double integral = 0;
        for (int i = 0; i < n; i++)
        {
            double u0 = (double)i / n, u1 = (double)(i + 1) / n;
            integral += 0.5 / n * (Math.Exp(-Lambda * (1 - u0)) * values[i][0] + Math.Exp(-Lambda * (1 - u1)) * values[i + 1][0]);
        }
        return Math.Exp(-Lambda) + S * (values[n][0] - Lambda * integral);
    }

    [Theory]
    [InlineData("em")]
    [InlineData("heun")]
    public void StrongOrderOneForAdditiveNoise(string method)
    {
        var problem = new SdeProblem((t, x, f) => f[0] = -Lambda * x[0], (t, x, g) => g[0] = S, [1.0], 0, 1);
        SdeAlgorithm a = method == "em" ? new SdeAlgorithm.EulerMaruyama() : new SdeAlgorithm.StochasticHeun();
        var errors = StrongErrors(problem, a, OuExact, 100);
        var fit = OrderFit.Of(Enumerable.Range(4, 6).Select(l => Math.Pow(2, -l)).ToArray(), errors);
        output.WriteLine($"{method} on OU: strong order {fit.Order:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.InRange(fit.Order, 0.8, 1.2);
    }

    [Fact]
    public void WeakOrderOneForEulerMaruyama()
    {
        // E[u(1)] = u0 e^{mu} in closed form. The weak error E[u_h(1)] - u0 e^mu is estimated with the exact solution as a
        // control variate: mean(u_h - u_exact) + (mean(u_exact) - u0 e^mu) has the second term's mean zero, so it is dropped;
        // the remaining mean of coupled differences has standard error ~ strong error / sqrt(M), ten times below the
        // weak error at the finest level.
        const int paths = 40000;
        var levels = Enumerable.Range(2, 6).ToArray();
        var sums = new double[levels.Length];
        var problem = Gbm();
        var partial = new double[64][];
        Parallel.For(0, 64, b =>
        {
            var local = new double[levels.Length];
            for (int p = b; p < paths; p += 64)
            {
                var w = new BrownianPath((ulong)p + 7_000_000, 1, 0, 1);
                double truth = GbmExact(w);
                for (int l = 0; l < levels.Length; l++)
                    local[l] += SdeSolver.Solve(problem, new SdeAlgorithm.EulerMaruyama(), w, levels[l]).Final[0] - truth;
            }
            partial[b] = local;
        });
        for (int b = 0; b < 64; b++) for (int l = 0; l < levels.Length; l++) sums[l] += partial[b][l];
        var errors = sums.Select(s => Math.Abs(s / paths)).ToArray();
        var fit = OrderFit.Of(levels.Select(l => Math.Pow(2, -l)).ToArray(), errors);
        output.WriteLine($"EM weak order {fit.Order:F3}; errors {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.InRange(fit.Order, 0.7, 1.3);
    }

    [Fact]
    public void BrownianRefinementKeepsTheCoarseValues()
    {
        var w = new BrownianPath(42, 3, 0, 2);
        var coarse = w.Values(3);
        var fine = w.Values(7);
        for (int i = 0; i < coarse.Length; i++) Assert.Equal(coarse[i], fine[i * 16]);
        // Increments at level 10 have variance h per coordinate: the sample variance over 3 x 1024 increments is within
        // 6 standard errors (sd of a variance estimate = h sqrt(2/n)), false failure below 1e-8.
        var dw = w.Increments(10).SelectMany(r => r).ToArray();
        double h = 2.0 / 1024, v = dw.Select(x => x * x).Average();
        Assert.InRange(v, h * (1 - 6 * Math.Sqrt(2.0 / dw.Length)), h * (1 + 6 * Math.Sqrt(2.0 / dw.Length)));
    }
}
