using MathNet.Numerics.Differentiation;

namespace ScoreSpec.Numerics;

/// <summary>A finite-difference value together with a bound on its error.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="ErrorBound">Richardson truncation estimate plus rounding bound (see <see cref="FiniteDifference"/>).</param>
public sealed record Estimate(double Value, double ErrorBound);

/// <summary>
/// Five-point central differences through MathNet's <see cref="NumericalDerivative"/>, each with an error bound
/// derived from the stencil: the truncation error of the O(h^4) stencil is estimated by Richardson,
/// |D(h) - D(2h)| / 15, and the rounding error is bounded by 1.5 eps max|f| / h (1.5 is the sum of the stencil's
/// absolute weights, 1/12 (1 + 8 + 8 + 1)). This is the independent side of every "is the gradient of" identity.
/// </summary>
public static class FiniteDifference
{
    private static NumericalDerivative Stencil(double h) => new(5, 2) { StepType = StepType.Absolute, StepSize = h };

    /// <summary>d f/dt at t with absolute step h.</summary>
    public static Estimate Derivative(Func<double, double> f, double t, double h)
    {
        double fine = Stencil(h).EvaluateDerivative(f, t, 1);
        double coarse = Stencil(2 * h).EvaluateDerivative(f, t, 1);
        double scale = Math.Max(Math.Max(Math.Abs(f(t - 2 * h)), Math.Abs(f(t + 2 * h))), Math.Abs(f(t)));
        return new Estimate(fine, Math.Abs(fine - coarse) / 15 + 1.5 * 2.220446049250313e-16 * scale / h);
    }

    /// <summary>
    /// d^2 f/dt^2 at t with absolute step h (five-point stencil, O(h^4)); error bound: Richardson |D(h) - D(2h)|/15 plus
    /// rounding 5.33 eps max|f| / h^2 (5.33 = sum of the stencil's absolute weights, (1 + 16 + 30 + 16 + 1)/12).
    /// </summary>
    public static Estimate SecondDerivative(Func<double, double> f, double t, double h)
    {
        double fine = Stencil(h).EvaluateDerivative(f, t, 2);
        double coarse = Stencil(2 * h).EvaluateDerivative(f, t, 2);
        double scale = Math.Max(Math.Max(Math.Abs(f(t - 4 * h)), Math.Abs(f(t + 4 * h))), Math.Abs(f(t)));
        return new Estimate(fine, Math.Abs(fine - coarse) / 15 + 5.34 * 2.220446049250313e-16 * scale / (h * h));
    }

    /// <summary>The gradient of f at x, coordinate by coordinate, with absolute step h.</summary>
    public static Estimate[] Gradient(Func<double[], double> f, double[] x, double h)
    {
        var result = new Estimate[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int index = i;
            double Along(double v)
            {
                var y = (double[])x.Clone();
                y[index] = v;
                return f(y);
            }
            result[i] = Derivative(Along, x[i], h);
        }
        return result;
    }
}
