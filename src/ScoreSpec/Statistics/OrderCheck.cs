using System.Collections.Immutable;

namespace ScoreSpec.Statistics;

/// <summary>
/// Does a method converge with the order it claims? Errors measured at several step counts, the order fitted by least
/// squares on the logarithms over all of them (with the slope's standard error), and the local orders between
/// consecutive step counts, log(e_k / e_{k+1}) / log(h_k / h_{k+1}). The verdict reads the local order of the two finest
/// step counts: a fit over every point is pulled by pre-asymptotic ones (issue 12's lesson), while the finest pair is
/// the nearest to the limit the order describes.
/// </summary>
/// <param name="Steps">The step counts, ascending.</param>
/// <param name="Errors">The error at each step count.</param>
/// <param name="Fit">The least-squares fit over all step counts, step size h = 1 / steps.</param>
/// <param name="FitStandardError">The slope's standard error from the fit's residuals (0 with two points).</param>
/// <param name="LocalOrders">The local order between each step count and the next.</param>
/// <param name="Claimed">The order claimed.</param>
/// <param name="Tolerance">How far the finest local order may lie from the claim.</param>
/// <param name="Passed">|last local order - Claimed| at most Tolerance.</param>
public sealed record OrderCheck(ImmutableArray<int> Steps, ImmutableArray<double> Errors, OrderFit Fit, double FitStandardError,
    ImmutableArray<double> LocalOrders, double Claimed, double Tolerance, bool Passed) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(OrderCheck? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(OrderCheck)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Steps, Errors, Fit, FitStandardError, LocalOrders, Claimed, Tolerance, Passed];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>The local order of the two finest step counts, on which the verdict rests.</summary>
    public double FinestOrder => LocalOrders[^1];

    /// <summary>Judges errors at step counts against a claimed order.</summary>
    /// <param name="steps">At least three distinct step counts, each at least 1.</param>
    /// <param name="errors">The error at each, positive and finite.</param>
    /// <param name="claimed">The order claimed, positive.</param>
    /// <param name="tolerance">How far the finest local order may lie from the claim, positive (0.25 by default: a
    /// halving of the step then moves the error by a factor within 2^0.25 = 1.19 of the claimed one).</param>
    public static OrderCheck Of(int[] steps, double[] errors, double claimed, double tolerance = 0.25)
    {
        Guard.NotNull(steps, nameof(steps));
        Guard.NotNull(errors, nameof(errors));
        if (steps.Length < 3 || steps.Length != errors.Length) throw new ArgumentException("steps and errors must have the same length, at least 3.", nameof(steps));
        if (steps.Any(s => s < 1) || steps.Distinct().Count() != steps.Length) throw new ArgumentException("steps must be distinct and at least 1.", nameof(steps));
        if (!(claimed > 0) || !double.IsFinite(claimed)) throw new ArgumentException($"claimed must be positive, got {claimed}.", nameof(claimed));
        if (!(tolerance > 0) || !double.IsFinite(tolerance)) throw new ArgumentException($"tolerance must be positive, got {tolerance}.", nameof(tolerance));
        var order = Enumerable.Range(0, steps.Length).OrderBy(i => steps[i]).ToArray();
        var s = order.Select(i => steps[i]).ToArray();
        var e = order.Select(i => errors[i]).ToArray();
        var h = s.Select(n => 1.0 / n).ToArray();
        var fit = OrderFit.Of(h, e);
        // The slope's standard error: residual variance over the spread of log h (simple linear regression).
        var x = h.Select(v => Math.Log(v)).ToArray();
        double xm = x.Average(), sxx = x.Sum(v => (v - xm) * (v - xm));
        double rss = x.Select((v, i) => Math.Log(e[i]) - (fit.Intercept + fit.Order * v)).Sum(r => r * r);
        double se = s.Length > 2 ? Math.Sqrt(rss / (s.Length - 2) / sxx) : 0;
        var local = Enumerable.Range(0, s.Length - 1).Select(k => Math.Log(e[k] / e[k + 1]) / Math.Log(h[k] / h[k + 1])).ToImmutableArray();
        return new OrderCheck([.. s], [.. e], fit, se, local, claimed, tolerance, Math.Abs(local[^1] - claimed) <= tolerance);
    }
}
