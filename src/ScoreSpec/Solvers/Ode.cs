using System.Collections.Immutable;
namespace ScoreSpec.Solvers;

/// <summary>A vector field dx/dt = f(t, x), written into <c>dxdt</c> without allocating.</summary>
public delegate void VectorField(double t, ReadOnlySpan<double> x, Span<double> dxdt);

/// <summary>An initial-value problem dx/dt = f(t, x), x(T0) = X0, solved up to T1 (T1 &lt; T0 integrates backward).</summary>
/// <param name="Field">The vector field.</param>
/// <param name="X0">The initial state (immutable; a C# array converts with [.. x]).</param>
/// <param name="T0">Initial time.</param>
/// <param name="T1">Final time.</param>
public sealed record OdeProblem(VectorField Field, ImmutableArray<double> X0, double T0, double T1) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(OdeProblem? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(OdeProblem)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Field, X0, T0, T1];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>Builds a problem from an allocating array function, for F# and quick use.</summary>
    public static OdeProblem FromFunc(Func<double, double[], double[]> f, double[] x0, double t0, double t1)
        => new((t, x, dxdt) => f(t, x.ToArray()).CopyTo(dxdt), [.. Guard.NotNull(x0, nameof(x0))], t0, t1);
}

/// <summary>An ODE algorithm: fixed-step Euler, Heun or RK4, or adaptive Dormand-Prince 5(4).</summary>
public abstract record OdeAlgorithm
{
    /// <summary>Explicit Euler with <paramref name="Steps"/> equal steps: order 1.</summary>
    public sealed record Euler(int Steps) : OdeAlgorithm;
    /// <summary>Heun's method (explicit trapezoid) with equal steps: order 2.</summary>
    public sealed record Heun(int Steps) : OdeAlgorithm;
    /// <summary>The classical fourth-order Runge-Kutta method with equal steps: order 4.</summary>
    public sealed record Rk4(int Steps) : OdeAlgorithm;
    /// <summary>Dormand-Prince 5(4) with equal steps and no error control: order 5 (used to measure the order).</summary>
    public sealed record DormandPrinceFixed(int Steps) : OdeAlgorithm;
    /// <summary>
    /// Adaptive Dormand-Prince 5(4) (Dormand and Prince 1980) with local extrapolation and the error norm
    /// sqrt(mean_i (err_i / (Atol + Rtol max(|x_i|, |x_i new|)))^2); a step is accepted when the norm is at most 1 and the
    /// next step is h min(5, max(0.2, 0.9 norm^(-1/5))).
    /// </summary>
    public sealed record DormandPrince(double Rtol = 1e-8, double Atol = 1e-8, int MaxSteps = 1_000_000) : OdeAlgorithm
    {
        /// <summary>A copy with the given settings changed, the others kept; from F#, <c>dp.With(rtol = 1e-10)</c>.</summary>
        /// <param name="rtol">New <see cref="Rtol"/>, or null to keep it.</param>
        /// <param name="atol">New <see cref="Atol"/>, or null to keep it.</param>
        /// <param name="maxSteps">New <see cref="MaxSteps"/>, or null to keep it.</param>
        public DormandPrince With(double? rtol = null, double? atol = null, int? maxSteps = null) => new(rtol ?? Rtol, atol ?? Atol, maxSteps ?? MaxSteps);
    }
}

/// <summary>The result of an ODE solve.</summary>
/// <param name="Final">x(T1).</param>
/// <param name="Nfe">Vector-field evaluations used.</param>
/// <param name="AcceptedSteps">Steps taken.</param>
/// <param name="RejectedSteps">Steps rejected by the error control (adaptive only).</param>
public sealed record OdeSolution(ImmutableArray<double> Final, int Nfe, int AcceptedSteps, int RejectedSteps) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(OdeSolution? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(OdeSolution)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Final, Nfe, AcceptedSteps, RejectedSteps];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>Solves ODE problems. Each method is a short loop over the algorithm's tableau, with all stage buffers allocated once per solve.</summary>
public static class Ode
{
    /// <summary>Solves <paramref name="problem"/> with <paramref name="algorithm"/>.</summary>
    public static OdeSolution Solve(OdeProblem problem, OdeAlgorithm algorithm)
    {
        if (problem is null) throw new ArgumentException("problem must not be null.", nameof(problem));
        var x = Guard.Initial(problem.X0, "X0");
        Guard.Finite(problem.T0, "T0");
        Guard.Finite(problem.T1, "T1");
        var stepper = new OdeStepper(x.Length);
        switch (algorithm)
        {
            case OdeAlgorithm.DormandPrince dp:
            {
                var (nfe, acc, rej) = stepper.Adaptive(problem.Field, problem.T0, problem.T1, x, dp.Rtol, dp.Atol, dp.MaxSteps);
                return new OdeSolution(Guard.Own(x), nfe, acc, rej);
            }
            default:
            {
                int steps = StepsOf(algorithm);
                double h = (problem.T1 - problem.T0) / steps;
                int nfe = 0;
                for (int i = 0; i < steps; i++) nfe += stepper.Step(algorithm, problem.Field, problem.T0 + i * h, h, x);
                return new OdeSolution(Guard.Own(x), nfe, steps, 0);
            }
        }
    }

    internal static int StepsOf(OdeAlgorithm algorithm)
    {
        int steps = algorithm switch
        {
            OdeAlgorithm.Euler e => e.Steps,
            OdeAlgorithm.Heun h => h.Steps,
            OdeAlgorithm.Rk4 r => r.Steps,
            OdeAlgorithm.DormandPrinceFixed d => d.Steps,
            null => throw new ArgumentException("algorithm must not be null.", nameof(algorithm)),
            _ => throw new ArgumentException($"algorithm {algorithm} has no fixed step count.", nameof(algorithm)),
        };
        if (steps < 1) throw new ArgumentException($"Steps must be at least 1, got {steps}.", nameof(algorithm));
        return steps;
    }
}

/// <summary>Stage buffers for one trajectory; one instance per thread, reused across steps and paths.</summary>
internal sealed class OdeStepper
{
    private readonly double[][] k;
    private readonly double[] tmp, xNew, err;

    public OdeStepper(int dimension)
    {
        k = new double[7][];
        for (int i = 0; i < 7; i++) k[i] = new double[dimension];
        tmp = new double[dimension];
        xNew = new double[dimension];
        err = new double[dimension];
    }

    // Dormand-Prince 5(4) tableau.
    private static readonly double[] C = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1];
    private static readonly double[][] A =
    [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ];
    private static readonly double[] E = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40];

    /// <summary>One fixed step in place; returns the evaluations used.</summary>
    public int Step(OdeAlgorithm algorithm, VectorField f, double t, double h, Span<double> x)
    {
        int d = x.Length;
        switch (algorithm)
        {
            case OdeAlgorithm.Euler:
                f(t, x, k[0]);
                for (int i = 0; i < d; i++) x[i] += h * k[0][i];
                return 1;
            case OdeAlgorithm.Heun:
                f(t, x, k[0]);
                for (int i = 0; i < d; i++) tmp[i] = x[i] + h * k[0][i];
                f(t + h, tmp, k[1]);
                for (int i = 0; i < d; i++) x[i] += h / 2 * (k[0][i] + k[1][i]);
                return 2;
            case OdeAlgorithm.Rk4:
                f(t, x, k[0]);
                for (int i = 0; i < d; i++) tmp[i] = x[i] + h / 2 * k[0][i];
                f(t + h / 2, tmp, k[1]);
                for (int i = 0; i < d; i++) tmp[i] = x[i] + h / 2 * k[1][i];
                f(t + h / 2, tmp, k[2]);
                for (int i = 0; i < d; i++) tmp[i] = x[i] + h * k[2][i];
                f(t + h, tmp, k[3]);
                for (int i = 0; i < d; i++) x[i] += h / 6 * (k[0][i] + 2 * k[1][i] + 2 * k[2][i] + k[3][i]);
                return 4;
            case OdeAlgorithm.DormandPrinceFixed:
                f(t, x, k[0]);
                DopriStages(f, t, h, x);
                xNew.AsSpan(0, d).CopyTo(x);
                return 6;
            default:
                throw new ArgumentException($"algorithm {algorithm} is not a fixed-step method.", nameof(algorithm));
        }
    }

    /// <summary>Stages 2-7 of Dormand-Prince given k[0] = f(t, x); leaves the 5th-order solution in xNew and k[6] = f(t + h, xNew).</summary>
    private void DopriStages(VectorField f, double t, double h, ReadOnlySpan<double> x)
    {
        int d = x.Length;
        for (int s = 1; s < 7; s++)
        {
            var target = s == 6 ? xNew : tmp;
            for (int i = 0; i < d; i++)
            {
                double acc = 0;
                for (int j = 0; j < s; j++) acc += A[s][j] * k[j][i];
                target[i] = x[i] + h * acc;
            }
            f(t + C[s] * h, target, k[s]);
        }
    }

    /// <summary>Adaptive Dormand-Prince from t0 to t1 in place; returns (evaluations, accepted, rejected).</summary>
    public (int Nfe, int Accepted, int Rejected) Adaptive(VectorField f, double t0, double t1, Span<double> x, double rtol, double atol, int maxSteps)
    {
        Guard.Positive(rtol, nameof(rtol));
        Guard.Positive(atol, nameof(atol));
        int d = x.Length, nfe = 0, accepted = 0, rejected = 0;
        double dir = Math.Sign(t1 - t0), t = t0;
        if (dir == 0) return (0, 0, 0);
        f(t, x, k[0]); nfe++;
        // Initial step (Hairer, Norsett and Wanner, Solving ODE I, II.4).
        double d0 = 0, d1 = 0;
        for (int i = 0; i < d; i++)
        {
            double sc = atol + rtol * Math.Abs(x[i]);
            d0 += Math.Pow(x[i] / sc, 2); d1 += Math.Pow(k[0][i] / sc, 2);
        }
        d0 = Math.Sqrt(d0 / d); d1 = Math.Sqrt(d1 / d);
        double h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
        h0 = Math.Min(h0, Math.Abs(t1 - t0));
        for (int i = 0; i < d; i++) tmp[i] = x[i] + dir * h0 * k[0][i];
        f(t + dir * h0, tmp, k[1]); nfe++;
        double d2 = 0;
        for (int i = 0; i < d; i++) d2 += Math.Pow((k[1][i] - k[0][i]) / (atol + rtol * Math.Abs(x[i])), 2);
        d2 = Math.Sqrt(d2 / d) / h0;
        double h1 = Math.Max(d1, d2) <= 1e-15 ? Math.Max(1e-6, h0 * 1e-3) : Math.Pow(0.01 / Math.Max(d1, d2), 1.0 / 5);
        double h = Math.Min(100 * h0, h1);

        while (dir * (t1 - t) > 0)
        {
            if (accepted + rejected >= maxSteps)
                throw new InvalidOperationException($"Dormand-Prince needed more than {maxSteps} steps between t = {t0} and t = {t1}; stopped at t = {t}.");
            bool last = h >= Math.Abs(t1 - t);
            if (last) h = Math.Abs(t1 - t);
            double hs = dir * h;
            DopriStages(f, t, hs, x); nfe += 6;
            double norm = 0;
            for (int i = 0; i < d; i++)
            {
                double e = 0;
                for (int j = 0; j < 7; j++) e += E[j] * k[j][i];
                e *= hs;
                double sc = atol + rtol * Math.Max(Math.Abs(x[i]), Math.Abs(xNew[i]));
                norm += (e / sc) * (e / sc);
            }
            norm = Math.Sqrt(norm / d);
            if (!double.IsFinite(norm)) throw new InvalidOperationException($"Dormand-Prince met a non-finite value at t = {t}.");
            if (norm <= 1)
            {
                t = last ? t1 : t + hs;
                xNew.AsSpan(0, d).CopyTo(x);
                k[6].AsSpan().CopyTo(k[0]); // first same as last
                accepted++;
            }
            else rejected++;
            h *= Math.Min(5, Math.Max(0.2, 0.9 * Math.Pow(Math.Max(norm, 1e-300), -0.2)));
        }
        return (nfe, accepted, rejected);
    }
}
