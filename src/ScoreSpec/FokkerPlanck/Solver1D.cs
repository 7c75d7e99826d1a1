using System.Collections.Immutable;
using MathNet.Numerics.Integration;

namespace ScoreSpec.FokkerPlanck;

/// <summary>A uniform cell-centred grid on [Lo, Hi]: cell i has centre Lo + (i + 1/2) Dx.</summary>
/// <param name="Lo">Left end.</param>
/// <param name="Hi">Right end.</param>
/// <param name="Cells">Number of cells.</param>
public sealed record Grid1D(double Lo, double Hi, int Cells)
{
    /// <summary>The cell width.</summary>
    public double Dx => (Hi - Lo) / Cells;
    /// <summary>The centre of cell i.</summary>
    public double Centre(int i) => Lo + (i + 0.5) * Dx;
    /// <summary>All cell centres.</summary>
    public double[] Centres() => Enumerable.Range(0, Cells).Select(Centre).ToArray();

    internal void Validate()
    {
        Guard.Finite(Lo, nameof(Lo));
        Guard.Finite(Hi, nameof(Hi));
        if (!(Hi > Lo)) throw new ArgumentException($"Hi must exceed Lo, got [{Lo}, {Hi}].", nameof(Hi));
        if (Cells < 3) throw new ArgumentException($"Cells must be at least 3, got {Cells}.", nameof(Cells));
    }
}

/// <summary>
/// The 1D Fokker-Planck equation of dX = f(t, X) dt + g(t) dW run in direction D from T0 to T1 (sign(T1 - T0) = D):
/// d/dt p = -d/dx (f p) + D (g^2/2) d^2 p/dx^2, with zero flux at both ends of the grid.
/// </summary>
/// <param name="Drift">f(t, x) in the problem's own time.</param>
/// <param name="DiffusionSquared">g(t)^2 &gt;= 0 (zero gives the continuity equation).</param>
/// <param name="Initial">Cell densities at T0 (non-negative).</param>
/// <param name="Grid">The grid.</param>
/// <param name="T0">Start time.</param>
/// <param name="T1">End time.</param>
public sealed record FokkerPlanck1DProblem(Func<double, double, double> Drift, Func<double, double> DiffusionSquared, ImmutableArray<double> Initial, Grid1D Grid, double T0, double T1) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(FokkerPlanck1DProblem? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(FokkerPlanck1DProblem)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Drift, DiffusionSquared, Initial, Grid, T0, T1, Autonomous];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>
    /// True when neither the drift nor g^2 depends on time (Langevin dynamics, Ornstein-Uhlenbeck): the solver then
    /// assembles the backward-Euler matrix once, at the first step's time, instead of at every step. The answer is
    /// bit-identical to the time-dependent assembly for such a problem, at about 1/steps of the drift evaluations.
    /// False by default.
    /// </summary>
    public bool Autonomous { get; init; }
}

/// <summary>The density on the grid at the end time.</summary>
/// <param name="Grid">The grid.</param>
/// <param name="Density">Cell densities.</param>
/// <param name="T">The time reached.</param>
public sealed record FokkerPlanck1DSolution(Grid1D Grid, ImmutableArray<double> Density, double T) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(FokkerPlanck1DSolution? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(FokkerPlanck1DSolution)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Grid, Density, T];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>Total mass sum_i p_i Dx.</summary>
    public double Mass => Density.Sum() * Grid.Dx;

    /// <summary>The CDF of the grid density, linear inside each cell, normalised by the total mass.</summary>
    public double Cdf(double x)
    {
        double dx = Grid.Dx, mass = Mass;
        if (x <= Grid.Lo) return 0;
        if (x >= Grid.Hi) return 1;
        double pos = (x - Grid.Lo) / dx;
        int cell = Math.Min((int)pos, Grid.Cells - 1);
        double acc = 0;
        for (int i = 0; i < cell; i++) acc += Density[i] * dx;
        acc += Density[cell] * dx * (pos - cell);
        return acc / mass;
    }
}

/// <summary>
/// A reference solver for the 1D Fokker-Planck equation: a finite-volume scheme with the Scharfetter-Gummel flux and
/// backward-Euler time steps. The flux through the edge between cells i and i+1 is
/// J = (a/Dx) [B(-z) p_i - B(z) p_{i+1}], a = g^2/2, z = Dx fbar / a, B(z) = z / (e^z - 1), with fbar the edge average of
/// the drift (3-point Gauss-Legendre). Consequences, each checked by the tests: the total mass is preserved to round-off
/// (the matrix's columns sum to one), densities stay positive (it is an M-matrix), a gradient drift f = a (log q)' has
/// the grid values of q as an exact discrete stationary state (B(-z)/B(z) = e^z), and backward Euler is stable for any
/// step on stiff grids. It is first order in time and second order in space.
/// </summary>
public static class FokkerPlanck1D
{
    /// <summary>Solves <paramref name="problem"/> with <paramref name="steps"/> backward-Euler steps.</summary>
    public static FokkerPlanck1DSolution Solve(FokkerPlanck1DProblem problem, int steps)
    {
        if (problem is null) throw new ArgumentException("problem must not be null.", nameof(problem));
        if (problem.Grid is null) throw new ArgumentException("problem.Grid must not be null.", nameof(problem));
        problem.Grid.Validate();
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        var p = Guard.Initial(problem.Initial, "Initial");
        if (p.Length != problem.Grid.Cells) throw new ArgumentException($"Initial must have {problem.Grid.Cells} entries, got {p.Length}.", "Initial");
        if (p.Any(v => v < 0)) throw new ArgumentException("Initial densities must be non-negative.", nameof(problem));
        int n = problem.Grid.Cells;
        double dx = problem.Grid.Dx, dt = (problem.T1 - problem.T0) / steps, tau = Math.Abs(dt), r = tau / dx;
        int direction = dt >= 0 ? 1 : -1;
        var left = new double[n - 1];  // L_e: coefficient of p_i in J_{i+1/2}
        var right = new double[n - 1]; // R_e: coefficient of p_{i+1}
        var lower = new double[n]; var diag = new double[n]; var upper = new double[n]; var scratch = new double[n];
        for (int step = 0; step < steps; step++)
        {
            double t = problem.T0 + (step + 1) * dt;
            if (problem.Autonomous && step > 0)
            {
                // The tridiagonal system is the first step's; Thomas leaves lower, diag and upper untouched.
                Thomas(lower, diag, upper, p, scratch);
                continue;
            }
            double a = Guard.NonNegative(problem.DiffusionSquared(t), "DiffusionSquared") / 2;
            for (int e = 0; e < n - 1; e++)
            {
                double x0 = problem.Grid.Centre(e), x1 = problem.Grid.Centre(e + 1);
                // Drift in the direction of integration: d/dtau p = -d/dx (D f p) + a p''.
                double fbar = direction * GaussLegendreRule.Integrate(x => problem.Drift(t, x), x0, x1, 3) / dx;
                if (!double.IsFinite(fbar)) throw new InvalidOperationException($"the drift is not finite near x = {x0} at t = {t}.");
                if (a == 0)
                {
                    left[e] = Math.Max(fbar, 0); right[e] = Math.Max(-fbar, 0);
                }
                else
                {
                    double z = dx * fbar / a;
                    left[e] = a / dx * Bernoulli(-z); right[e] = a / dx * Bernoulli(z);
                }
            }
            for (int i = 0; i < n; i++)
            {
                double out_ = (i < n - 1 ? left[i] : 0) + (i > 0 ? right[i - 1] : 0);
                diag[i] = 1 + r * out_;
                upper[i] = i < n - 1 ? -r * right[i] : 0;
                lower[i] = i > 0 ? -r * left[i - 1] : 0;
            }
            Thomas(lower, diag, upper, p, scratch);
        }
        return new FokkerPlanck1DSolution(problem.Grid, Guard.Own(p), problem.T1);
    }

    /// <summary>The Bernoulli function B(z) = z / (e^z - 1), with B(0) = 1, evaluated without cancellation.</summary>
    public static double Bernoulli(double z)
    {
        if (Math.Abs(z) < 1e-10) return 1 - z / 2;
        if (z > 700) return z * Math.Exp(-z);
        return z / Numerics.Accurate.ExpM1(z);
    }

    /// <summary>Solves the tridiagonal system in place (rhs becomes the solution) by the Thomas algorithm.</summary>
    private static void Thomas(double[] lower, double[] diag, double[] upper, double[] rhs, double[] c)
    {
        int n = rhs.Length;
        c[0] = upper[0] / diag[0];
        rhs[0] /= diag[0];
        for (int i = 1; i < n; i++)
        {
            double m = diag[i] - lower[i] * c[i - 1];
            c[i] = upper[i] / m;
            rhs[i] = (rhs[i] - lower[i] * rhs[i - 1]) / m;
        }
        for (int i = n - 2; i >= 0; i--) rhs[i] -= c[i] * rhs[i + 1];
    }
}
