using ScoreSpec.Solvers;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// Gaps the Solvers mutation run of 2026-11-25 found (docs/verification.md): each test pins a piece of arithmetic that the
/// order and accuracy checks could not see.
/// </summary>
public class SolversEdges
{
    /// <summary>
    /// One step of stochastic Heun on dX = a X dt + b X dW from t = 1, written out by hand: predictor
    /// x~ = x + a x h + b x dW, then x + (a x + a x~) h/2 + (b x + b x~) dW/2. The Brownian path spans [1, 1.25], not
    /// [0, 0.25]: the solver must accept it (its span check compares T1 - T0).
    /// </summary>
    [Fact]
    public void StochasticHeunTakesItsWrittenOutStep()
    {
        double a = 0.7, b = 0.4, x0 = 1.3, h = 0.25;
        var problem = new SdeProblem((_, x, f) => f[0] = a * x[0], (_, x, g) => g[0] = b * x[0], [x0], 1, 1 + h);
        var brownian = new BrownianPath(9, 1, 1, 1 + h);
        double dw = brownian.Increments(0)[0][0];
        double xp = x0 + a * x0 * h + b * x0 * dw;
        double expected = x0 + (a * x0 + a * xp) * h / 2 + (b * x0 + b * xp) * dw / 2;
        var solved = SdeSolver.Solve(problem, new SdeAlgorithm.StochasticHeun(), brownian, 0);
        Assert.Equal(expected, solved.Final[0], 1e-14);
        Assert.Equal(1, solved.Steps);
    }

    /// <summary>
    /// Milstein with its central-difference derivative of g against Milstein with the analytic dg_i/dx_i, over four steps
    /// of a 2D SDE whose diagonal noise couples the coordinates, g_0 = b x_0 (1 + x_1^2), g_1 = b x_1 (1 + x_0^2): the
    /// derivative must be taken at the current point in every coordinate, not only the one it differentiates. Equal to
    /// the difference step's error, 1e-8 relative.
    /// </summary>
    [Fact]
    public void MilsteinsNumericalDerivativeIsTakenAtTheCurrentPoint()
    {
        double a = 0.3, b = 0.5;
        VectorField drift = (_, x, f) => { f[0] = a * x[0]; f[1] = -a * x[1]; };
        DiagonalNoise g = (_, x, gx) => { gx[0] = b * x[0] * (1 + x[1] * x[1]); gx[1] = b * x[1] * (1 + x[0] * x[0]); };
        var numerical = new SdeProblem(drift, g, [0.8, -0.6], 0, 0.5);
        var analytic = numerical with { DiffusionDerivative = (_, x, dg) => { dg[0] = b * (1 + x[1] * x[1]); dg[1] = b * (1 + x[0] * x[0]); } };
        var brownian = new BrownianPath(4, 2, 0, 0.5);
        var n = SdeSolver.Solve(numerical, new SdeAlgorithm.Milstein(), brownian, 2).Final;
        var e = SdeSolver.Solve(analytic, new SdeAlgorithm.Milstein(), brownian, 2).Final;
        for (int i = 0; i < 2; i++) Assert.Equal(e[i], n[i], 1e-8 * Math.Abs(e[i]));
    }

    /// <summary>
    /// Inside a leaf of a coarse tree (Tolerance 1e-3 on [0, 1], leaves 2^-10 wide) W is a Brownian bridge between the
    /// leaf's ends, so W(0.5 + d) - W(0.5) has variance d exactly. Over 4000 seeds the sample variance has a relative
    /// standard error sqrt(2/4000) = 2.2 %; 15 % is 6.7 of them (false-failure probability below 1e-10, chi-square
    /// tails). A bridge variance of (t - a)(b - t)(b - a) in place of (t - a)(b - t)/(b - a) gives about 10 % of d.
    /// </summary>
    [Fact]
    public void InsideALeafTheTreeIsABrownianBridge()
    {
        const double d = 1e-4;
        double sum = 0, sq = 0;
        for (ulong seed = 1; seed <= 4000; seed++)
        {
            var tree = new BrownianTree(seed, 1, 0, 1, 1e-3);
            double inc = tree.Increment(0.5, 0.5 + d)[0];
            sum += inc; sq += inc * inc;
        }
        double variance = (sq - sum * sum / 4000) / 3999;
        Assert.InRange(variance / d, 0.85, 1.15);
    }

    [Fact]
    public void TheTreeAcceptsItsOwnLimitsAndNamesWhatIsWrong()
    {
        var tree = new BrownianTree(1, 2, 0, 2, 1e-3);
        Assert.Equal(2, tree.Value(2.0).Length); // t = T1 is inside
        Assert.Equal(2, new BrownianTree(1, 2, 0, 2, 1e-14).Value(1.0).Length);
        var e = Assert.Throws<ArgumentException>("t", () => tree.Value(2.5));
        Assert.Contains("t must lie in [0, 2], got 2.5", e.Message);
        e = Assert.Throws<ArgumentException>("w", () => tree.Value(1.0, new double[3]));
        Assert.Contains("w must have length 2, got 3", e.Message);
        e = Assert.Throws<ArgumentException>("Dimension", () => new BrownianTree(1, 0, 0, 1).Value(0.5));
        Assert.Contains("Dimension must be at least 1, got 0", e.Message);
        e = Assert.Throws<ArgumentException>("T1", () => new BrownianTree(1, 1, 1, 1).Value(1.0));
        Assert.Contains("T1 must exceed T0", e.Message);
        e = Assert.Throws<ArgumentException>("Tolerance", () => new BrownianTree(1, 1, 0, 1, 2e-3).Value(0.5));
        Assert.Contains("Tolerance must lie in [1e-14, 1e-3], got 0.002", e.Message);
        Assert.Throws<ArgumentException>("Tolerance", () => new BrownianTree(1, 1, 0, 1, 5e-15).Value(0.5));
    }
}
