using System.Collections.Immutable;
namespace ScoreSpec.Solvers;

/// <summary>Diagonal noise: the coefficients g_i(t, x) of dx_i = f_i dt + g_i dW_i, written into <c>g</c>.</summary>
public delegate void DiagonalNoise(double t, ReadOnlySpan<double> x, Span<double> g);

/// <summary>
/// An Ito SDE with diagonal noise, dx_i = f_i(t, x) dt + g_i(t, x) dW_i, x(T0) = X0, solved up to T1 (T1 &lt; T0 runs
/// backward in time: the step h is negative and the Brownian increments have variance |h|).
/// </summary>
/// <param name="Drift">f(t, x).</param>
/// <param name="Diffusion">g(t, x), diagonal.</param>
/// <param name="X0">The initial state (copied).</param>
/// <param name="T0">Initial time.</param>
/// <param name="T1">Final time.</param>
/// <param name="DiffusionDerivative">dg_i/dx_i, for Milstein; when absent Milstein uses central differences.</param>
public sealed record SdeProblem(VectorField Drift, DiagonalNoise Diffusion, ImmutableArray<double> X0, double T0, double T1, DiagonalNoise? DiffusionDerivative = null) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(SdeProblem? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(SdeProblem)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Drift, Diffusion, X0, T0, T1, DiffusionDerivative];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>An SDE algorithm.</summary>
public abstract record SdeAlgorithm
{
    /// <summary>Euler-Maruyama: x += f h + g dW. Strong order 1/2 (1 for additive noise), weak order 1.</summary>
    public sealed record EulerMaruyama : SdeAlgorithm;
    /// <summary>Milstein for diagonal noise: x_i += f_i h + g_i dW_i + (1/2) g_i (dg_i/dx_i)(dW_i^2 - h). Strong order 1.</summary>
    public sealed record Milstein : SdeAlgorithm;
    /// <summary>
    /// Stochastic Heun: predictor x~ = x + f h + g dW, then x += (f(x) + f(x~)) h/2 + (g(x) + g(x~)) dW/2. It converges to
    /// the Stratonovich solution, which equals the Ito one for additive noise (strong order 1 there).
    /// </summary>
    public sealed record StochasticHeun : SdeAlgorithm;
}

/// <summary>The result of an SDE solve on one Brownian path.</summary>
/// <param name="Final">x(T1).</param>
/// <param name="Steps">Steps taken.</param>
public sealed record SdeSolution(ImmutableArray<double> Final, int Steps) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(SdeSolution? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(SdeSolution)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Final, Steps];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>Solves SDE problems on a given <see cref="BrownianPath"/>, so that solves at different levels share their noise.</summary>
public static class SdeSolver
{
    /// <summary>
    /// Solves <paramref name="problem"/> with 2^<paramref name="level"/> equal steps, driven by the increments of
    /// <paramref name="brownian"/> at that level (the path must span |T1 - T0| and have the problem's dimension).
    /// </summary>
    public static SdeSolution Solve(SdeProblem problem, SdeAlgorithm algorithm, BrownianPath brownian, int level)
    {
        if (problem is null) throw new ArgumentException("problem must not be null.", nameof(problem));
        if (algorithm is null) throw new ArgumentException("algorithm must not be null.", nameof(algorithm));
        if (brownian is null) throw new ArgumentException("brownian must not be null.", nameof(brownian));
        var x = Guard.Initial(problem.X0, "X0");
        int d = x.Length;
        if (brownian.Dimension != d) throw new ArgumentException($"brownian must have dimension {d}, got {brownian.Dimension}.", nameof(brownian));
        double span = Math.Abs(problem.T1 - problem.T0);
        if (Math.Abs(brownian.T1 - brownian.T0 - span) > 1e-12 * Math.Max(1, span))
            throw new ArgumentException($"brownian must span {span}, got {brownian.T1 - brownian.T0}.", nameof(brownian));
        var dW = brownian.Increments(level);
        int steps = dW.Length;
        double h = (problem.T1 - problem.T0) / steps;
        var f = new double[d]; var g = new double[d]; var dg = new double[d];
        var xp = new double[d]; var f2 = new double[d]; var g2 = new double[d];
        for (int n = 0; n < steps; n++)
        {
            double t = problem.T0 + n * h;
            problem.Drift(t, x, f);
            problem.Diffusion(t, x, g);
            var w = dW[n];
            switch (algorithm)
            {
                case SdeAlgorithm.EulerMaruyama:
                    for (int i = 0; i < d; i++) x[i] += f[i] * h + g[i] * w[i];
                    break;
                case SdeAlgorithm.Milstein:
                    if (problem.DiffusionDerivative is { } deriv) deriv(t, x, dg);
                    else CentralDerivative(problem.Diffusion, t, x, dg, xp, g2);
                    for (int i = 0; i < d; i++) x[i] += f[i] * h + g[i] * w[i] + 0.5 * g[i] * dg[i] * (w[i] * w[i] - Math.Abs(h));
                    break;
                case SdeAlgorithm.StochasticHeun:
                    for (int i = 0; i < d; i++) xp[i] = x[i] + f[i] * h + g[i] * w[i];
                    problem.Drift(t + h, xp, f2);
                    problem.Diffusion(t + h, xp, g2);
                    for (int i = 0; i < d; i++) x[i] += 0.5 * (f[i] + f2[i]) * h + 0.5 * (g[i] + g2[i]) * w[i];
                    break;
                default:
                    throw new ArgumentException($"algorithm {algorithm} is not known.", nameof(algorithm));
            }
        }
        return new SdeSolution(Guard.Own(x), steps);
    }

    /// <summary>dg_i/dx_i by central differences with step eps^(1/3) (1 + |x_i|), which balances truncation and rounding.</summary>
    private static void CentralDerivative(DiagonalNoise g, double t, double[] x, double[] dg, double[] probe, double[] gp)
    {
        int d = x.Length;
        var gm = new double[d];
        for (int i = 0; i < d; i++)
        {
            double step = 6.0554544523933395e-06 * (1 + Math.Abs(x[i]));
            x.CopyTo(probe, 0);
            probe[i] = x[i] + step; g(t, probe, gp);
            double up = gp[i];
            probe[i] = x[i] - step; g(t, probe, gm);
            dg[i] = (up - gm[i]) / (2 * step);
        }
    }
}
