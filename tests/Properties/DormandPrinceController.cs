using ScoreSpec.Solvers;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The adaptive Dormand-Prince solver takes exactly the steps of the controller it documents, written out again here
/// from the textbook description (Hairer, Norsett and Wanner, Solving ODE I, II.4 for the starting step; II.5 for
/// DOPRI5) and sharing no code with the solver: the 5th- and 4th-order solutions are formed separately from the two
/// weight rows of the Dormand-Prince (1980) tableau and their difference is the error estimate, in plain arrays and
/// LINQ. The solver's accuracy tests cannot see a controller that takes more or fewer steps than documented; this one
/// pins the count of accepted and rejected steps, the evaluations and the answer on problems that exercise every branch:
/// rejections, backward time, a zero start (the small-norm starting step), a zero field, and a step cut at the end.
/// </summary>
public class DormandPrinceController(ITestOutputHelper output)
{
    private static readonly double[] C = [0, 0.2, 0.3, 0.8, 8.0 / 9, 1, 1];
    private static readonly double[][] A =
    [
        [],
        [0.2],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ];
    private static readonly double[] B5 = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0];
    private static readonly double[] B4 = [5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40];

    private sealed record Run(double[] Final, int Nfe, int Accepted, int Rejected);

    /// <summary>The documented controller, step by step.</summary>
    private static Run Reference(Func<double, double[], double[]> f, double[] x0, double t0, double t1, double rtol, double atol)
    {
        int d = x0.Length, nfe = 0, accepted = 0, rejected = 0;
        double RmsNorm(IEnumerable<double> v) => Math.Sqrt(v.Select(u => u * u).Average());
        double dir = Math.Sign(t1 - t0), t = t0;
        var x = (double[])x0.Clone();
        var f0 = f(t, x); nfe++;
        // Starting step: d0 = ||x0||, d1 = ||f0||, h0 = 0.01 d0/d1 (1e-6 if either is tiny), capped by the interval;
        // an Euler step gives d2 = ||f1 - f0|| / h0 and h1 = (0.01 / max(d1, d2))^(1/5); h = min(100 h0, h1).
        var scale0 = x.Select(v => atol + rtol * Math.Abs(v)).ToArray();
        double d0 = RmsNorm(x.Select((v, i) => v / scale0[i])), d1 = RmsNorm(f0.Select((v, i) => v / scale0[i]));
        double h0 = Math.Min(d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1, Math.Abs(t1 - t0));
        var f1 = f(t + dir * h0, x.Select((v, i) => v + dir * h0 * f0[i]).ToArray()); nfe++;
        double d2 = RmsNorm(f1.Select((v, i) => (v - f0[i]) / scale0[i])) / h0;
        double h1 = Math.Max(d1, d2) <= 1e-15 ? Math.Max(1e-6, 1e-3 * h0) : Math.Pow(0.01 / Math.Max(d1, d2), 0.2);
        double h = Math.Min(100 * h0, h1);
        var k = new double[7][];
        k[0] = f0;
        while (dir * (t1 - t) > 0)
        {
            bool last = h >= Math.Abs(t1 - t);
            if (last) h = Math.Abs(t1 - t);
            double hs = dir * h;
            for (int s = 1; s < 7; s++)
            {
                var stage = x.Select((v, i) => v + hs * Enumerable.Range(0, s).Sum(j => A[s][j] * k[j][i])).ToArray();
                k[s] = f(t + C[s] * hs, stage); nfe++;
            }
            var fifth = x.Select((v, i) => v + hs * Enumerable.Range(0, 7).Sum(j => B5[j] * k[j][i])).ToArray();
            var fourth = x.Select((v, i) => v + hs * Enumerable.Range(0, 7).Sum(j => B4[j] * k[j][i])).ToArray();
            double err = RmsNorm(fifth.Select((v, i) => (v - fourth[i]) / (atol + rtol * Math.Max(Math.Abs(x[i]), Math.Abs(v)))));
            Assert.True(double.IsFinite(err));
            if (err <= 1)
            {
                t = last ? t1 : t + hs;
                x = fifth;
                k[0] = k[6]; // the last stage is f at the new point (first same as last)
                accepted++;
            }
            else rejected++;
            h *= Math.Min(5, Math.Max(0.2, 0.9 * Math.Pow(Math.Max(err, 1e-300), -0.2)));
        }
        return new Run(x, nfe, accepted, rejected);
    }

    public static TheoryData<string> Problems => new() { "logistic", "van-der-pol", "rotation-backward", "zero-start", "zero-field", "short-interval" };

    private static (Func<double, double[], double[]> F, double[] X0, double T0, double T1, double Rtol, double Atol) Problem(string name) => name switch
    {
        "logistic" => ((t, x) => [x[0] * (1 - x[0])], [0.1], 0, 10, 1e-6, 1e-6),
        "van-der-pol" => ((t, x) => [x[1], 5 * (1 - x[0] * x[0]) * x[1] - x[0]], [2.0, 0.0], 0, 12, 1e-5, 1e-7),
        "rotation-backward" => ((t, x) => [-(1 + t * t) * x[1], (1 + t * t) * x[0]], [1.0, 0.5], 2, -1, 1e-9, 1e-10),
        "zero-start" => ((t, x) => [1 + 0 * x[0], Math.Cos(3 * t)], [0.0, 0.0], 0, 4, 1e-8, 1e-8),
        "zero-field" => ((t, x) => [0.0, 0.0, 0.0], [1.0, -2.0, 3.0], 0, 1, 1e-8, 1e-8),
        "short-interval" => ((t, x) => [-50 * (x[0] - Math.Cos(t))], [0.0], 0, 1e-7, 1e-6, 1e-9),
        _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(Problems))]
    public void TakesExactlyTheDocumentedSteps(string name)
    {
        var (f, x0, t0, t1, rtol, atol) = Problem(name);
        var reference = Reference(f, x0, t0, t1, rtol, atol);
        var solved = Ode.Solve(OdeProblem.FromFunc(f, x0, t0, t1), new OdeAlgorithm.DormandPrince(rtol, atol));
        output.WriteLine($"{name}: accepted {solved.AcceptedSteps} (reference {reference.Accepted}), rejected {solved.RejectedSteps} ({reference.Rejected}), nfe {solved.Nfe} ({reference.Nfe})");
        Assert.Equal(reference.Accepted, solved.AcceptedSteps);
        Assert.Equal(reference.Rejected, solved.RejectedSteps);
        Assert.Equal(reference.Nfe, solved.Nfe);
        // The same steps give the same answer up to the rounding of differently ordered sums over the stages.
        for (int i = 0; i < x0.Length; i++)
            Assert.True(Math.Abs(solved.Final[i] - reference.Final[i]) <= 1e-12 * (Math.Abs(reference.Final[i]) + 1), $"{name} coordinate {i}: {solved.Final[i]:R} vs {reference.Final[i]:R}");
    }

    [Fact]
    public void TheProblemsExerciseRejections()
    {
        // Van der Pol's relaxation oscillation forces rejected steps; a controller that never rejects would pass the
        // step-count test vacuously on problems without any.
        var (f, x0, t0, t1, rtol, atol) = Problem("van-der-pol");
        Assert.True(Reference(f, x0, t0, t1, rtol, atol).Rejected >= 3);
    }
}
