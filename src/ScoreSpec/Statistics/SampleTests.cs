using System.Collections.Immutable;
using MathNet.Numerics.LinearAlgebra;

namespace ScoreSpec.Statistics;

/// <summary>A least-squares fit of log(error) = order log(step) + c.</summary>
/// <param name="Order">The fitted slope.</param>
/// <param name="Intercept">The fitted intercept c.</param>
/// <param name="Steps">The step sizes used.</param>
/// <param name="Errors">The errors measured at those steps.</param>
public sealed record OrderFit(double Order, double Intercept, ImmutableArray<double> Steps, ImmutableArray<double> Errors) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(OrderFit? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(OrderFit)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Order, Intercept, Steps, Errors];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>Fits the order to (step, error) pairs by least squares on the logarithms (MathNet's Fit.Line).</summary>
    public static OrderFit Of(double[] steps, double[] errors)
    {
        Guard.NotNull(steps, nameof(steps));
        Guard.NotNull(errors, nameof(errors));
        if (steps.Length != errors.Length || steps.Length < 2)
            throw new ArgumentException("steps and errors must have the same length, at least 2.", nameof(errors));
        if (errors.Any(e => !(e > 0) || !double.IsFinite(e)))
            throw new ArgumentException("errors must be positive and finite to be fitted on a log scale.", nameof(errors));
        var (a, b) = MathNet.Numerics.Fit.Line(steps.Select(v => Math.Log(v)).ToArray(), errors.Select(v => Math.Log(v)).ToArray());
        return new OrderFit(b, a, [.. steps], [.. errors]);
    }
}

/// <summary>Statistical tests used by the sampler checks, each with its false-failure probability stated by the caller.</summary>
public static class SampleTests
{
    /// <summary>
    /// The one-sample Kolmogorov-Smirnov statistic D_n = sup_x |F_n(x) - F(x)| of <paramref name="sample"/> against the
    /// continuous CDF <paramref name="cdf"/>.
    /// </summary>
    public static double KolmogorovSmirnov(double[] sample, Func<double, double> cdf)
    {
        Guard.NotNull(sample, nameof(sample));
        if (sample.Length == 0) throw new ArgumentException("sample must not be empty.", nameof(sample));
        var s = (double[])sample.Clone();
        Array.Sort(s);
        double n = s.Length, d = 0;
        for (int i = 0; i < s.Length; i++)
        {
            double f = cdf(s[i]);
            d = Math.Max(d, Math.Max((i + 1) / n - f, f - i / n));
        }
        return d;
    }

    /// <summary>
    /// The asymptotic Kolmogorov tail P(sqrt(n) D_n &gt; x) = 2 sum_{k&gt;=1} (-1)^(k-1) exp(-2 k^2 x^2), as a p-value
    /// for the statistic <paramref name="d"/> with <paramref name="n"/> samples (Stephens' finite-n correction
    /// x = (sqrt(n) + 0.12 + 0.11/sqrt(n)) D).
    /// </summary>
    public static double KolmogorovPValue(double d, int n)
    {
        double sn = Math.Sqrt(n), x = (sn + 0.12 + 0.11 / sn) * d;
        if (x < 0.2) return 1;
        double sum = 0;
        for (int k = 1; k <= 100; k++)
        {
            double term = Math.Exp(-2.0 * k * k * x * x);
            sum += (k % 2 == 1 ? 1 : -1) * term;
            if (term < 1e-18) break;
        }
        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>The critical value of D_n at false-rejection probability <paramref name="alpha"/>: the D with KolmogorovPValue(D, n) = alpha.</summary>
    public static double KolmogorovCritical(double alpha, int n)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (KolmogorovPValue(mid, n) > alpha) lo = mid; else hi = mid;
        }
        return hi;
    }

    /// <summary>
    /// The energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between two samples (rows of d-vectors), with the
    /// within-sample means over distinct pairs (U-statistics). Zero in expectation exactly when the laws agree.
    /// </summary>
    public static double EnergyDistance(double[][] x, double[][] y)
    {
        Guard.NotNull(x, nameof(x));
        Guard.NotNull(y, nameof(y));
        if (x.Length < 2 || y.Length < 2) throw new ArgumentException("each sample needs at least 2 points.", nameof(x));
        double xy = MeanDistance(x, y, false), xx = MeanDistance(x, x, true), yy = MeanDistance(y, y, true);
        return 2 * xy - xx - yy;
    }

    /// <summary>
    /// The energy distance between the two empirical distributions, 2 E|X - Y| - E|X - X'| - E|Y - Y'| with every mean over
    /// all ordered pairs, X = X' included (V-statistics). It is the squared distance of the empirical characteristic functions
    /// in Szekely's weighted L2 norm, so it is never negative (unlike <see cref="EnergyDistance"/>, which is unbiased but may
    /// dip below zero), and zero only for equal samples. With n and m points: 2 xy - (n - 1)/n xx_U - (m - 1)/m yy_U.
    /// </summary>
    /// <param name="x">The first sample, rows of d-vectors, at least 2.</param>
    /// <param name="y">The second sample, rows of d-vectors, at least 2.</param>
    public static double EnergyDistanceEmpirical(double[][] x, double[][] y)
    {
        Guard.NotNull(x, nameof(x));
        Guard.NotNull(y, nameof(y));
        return EnergyDistances(x, y).Empirical;
    }

    /// <summary>
    /// Both energy statistics of two samples from one pass over the pairs: the empirical (V-statistic) distance of
    /// <see cref="EnergyDistanceEmpirical"/> and the unbiased (U-statistic) estimate of <see cref="EnergyDistance"/>.
    /// </summary>
    /// <param name="x">The first sample, rows of d-vectors, at least 2.</param>
    /// <param name="y">The second sample, rows of d-vectors, at least 2.</param>
    public static (double Empirical, double Unbiased) EnergyDistances(double[][] x, double[][] y)
    {
        Guard.NotNull(x, nameof(x));
        Guard.NotNull(y, nameof(y));
        if (x.Length < 2 || y.Length < 2) throw new ArgumentException("each sample needs at least 2 points.", nameof(x));
        double xy = MeanDistance(x, y, false), xx = MeanDistance(x, x, true), yy = MeanDistance(y, y, true);
        double n = x.Length, m = y.Length;
        return (2 * xy - (n - 1) / n * xx - (m - 1) / m * yy, 2 * xy - xx - yy);
    }

    /// <summary>
    /// The sample mean and covariance (unbiased) of the rows of an ensemble, in two passes over the contiguous values,
    /// O(n d^2) time and O(d^2) memory.
    /// </summary>
    /// <param name="sample">The ensemble, at least 2 rows.</param>
    public static (double[] Mean, double[,] Covariance) Moments(Sampling.Ensemble sample)
    {
        if (sample is null) throw new ArgumentException("sample must not be null.", nameof(sample));
        int n = sample.Count, d = sample.Dimension;
        if (n < 2) throw new ArgumentException($"sample needs at least 2 rows, got {n}.", nameof(sample));
        var v = sample.Values;
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += v[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d, d];
        var c = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) c[j] = v[i * d + j] - mean[j];
            for (int j = 0; j < d; j++)
                for (int k = 0; k <= j; k++) cov[j, k] += c[j] * c[k];
        }
        for (int j = 0; j < d; j++)
            for (int k = 0; k <= j; k++) { cov[j, k] /= n - 1; cov[k, j] = cov[j, k]; }
        return (mean, cov);
    }

    /// <summary>The sample mean and the unbiased variance of each coordinate of an ensemble: O(n d), for d too large for a covariance matrix.</summary>
    /// <param name="sample">The ensemble, at least 2 rows.</param>
    public static (double[] Mean, double[] Variance) MeanAndVariance(Sampling.Ensemble sample)
    {
        if (sample is null) throw new ArgumentException("sample must not be null.", nameof(sample));
        int n = sample.Count, d = sample.Dimension;
        if (n < 2) throw new ArgumentException($"sample needs at least 2 rows, got {n}.", nameof(sample));
        var v = sample.Values;
        var mean = new double[d];
        var variance = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += v[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) { double c = v[i * d + j] - mean[j]; variance[j] += c * c; }
        for (int j = 0; j < d; j++) variance[j] /= n - 1;
        return (mean, variance);
    }

    private static double MeanDistance(double[][] a, double[][] b, bool same)
    {
        var partial = new double[a.Length];
        Parallel.For(0, a.Length, i =>
        {
            double acc = 0;
            for (int j = same ? i + 1 : 0; j < b.Length; j++)
            {
                double s = 0;
                for (int k = 0; k < a[i].Length; k++) { double v = a[i][k] - b[j][k]; s += v * v; }
                acc += Math.Sqrt(s);
            }
            partial[i] = acc;
        });
        double total = 0;
        foreach (double p in partial) total += p; // fixed order: the same bits on any thread count
        double pairs = same ? a.Length * (a.Length - 1.0) / 2 : (double)a.Length * b.Length;
        return total / pairs;
    }

    /// <summary>
    /// The linear-time energy-distance estimator with its standard error: points are taken in pairs (a, b) from each
    /// sample and h_i = |x_a - y_b| + |x_b - y_a| - |x_a - x_b| - |y_a - y_b|, whose mean is the energy distance
    /// 2 E|X - Y| - E|X - X'| - E|Y - Y'|. The h_i are independent, so the mean over n/2 pairs has the CLT standard error
    /// sd(h)/sqrt(n/2), which turns the distance into a test with a stated false-failure probability.
    /// </summary>
    public static (double Estimate, double StandardError) EnergyDistanceLinear(double[][] x, double[][] y)
    {
        Guard.NotNull(x, nameof(x));
        Guard.NotNull(y, nameof(y));
        if (x.Length < 4 || y.Length < 4) throw new ArgumentException("each sample needs at least 4 points.", nameof(x));
        int d = x[0].Length;
        if (y[0].Length != d) throw new ArgumentException($"y has dimension {y[0].Length}, x has {d}.", nameof(y));
        return EnergyDistanceLinear(Sampling.Ensemble.FromRows(x), Sampling.Ensemble.FromRows(y));
    }

    /// <summary>
    /// The linear-time energy-distance estimator with its standard error on two ensembles (see the rows overload): pair i
    /// is points 2i and 2i + 1 of each, over min(N_x, N_y)/2 pairs. O(N d) time, no allocation.
    /// </summary>
    /// <param name="x">The first sample, at least 4 points.</param>
    /// <param name="y">The second sample, at least 4 points, of the same dimension.</param>
    public static (double Estimate, double StandardError) EnergyDistanceLinear(Sampling.Ensemble x, Sampling.Ensemble y)
    {
        if (x is null) throw new ArgumentException("x must not be null.", nameof(x));
        if (y is null) throw new ArgumentException("y must not be null.", nameof(y));
        if (x.Dimension != y.Dimension) throw new ArgumentException($"y has dimension {y.Dimension}, x has {x.Dimension}.", nameof(y));
        int pairs = Math.Min(x.Count, y.Count) / 2, d = x.Dimension;
        if (pairs < 2) throw new ArgumentException("each sample needs at least 4 points.", nameof(x));
        var xs = x.Span;
        var ys = y.Span;
        static double Dist(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int k = 0; k < a.Length; k++) { double v = a[k] - b[k]; s += v * v; } return Math.Sqrt(s); }
        double sum = 0, sq = 0;
        for (int i = 0; i < pairs; i++)
        {
            var xa = xs.Slice(2 * i * d, d); var xb = xs.Slice((2 * i + 1) * d, d);
            var ya = ys.Slice(2 * i * d, d); var yb = ys.Slice((2 * i + 1) * d, d);
            double h = Dist(xa, yb) + Dist(xb, ya) - Dist(xa, xb) - Dist(ya, yb);
            sum += h; sq += h * h;
        }
        double mean = sum / pairs;
        return (mean, Math.Sqrt(Math.Max(0, sq / pairs - mean * mean) / (pairs - 1)));
    }

    /// <summary>The sample mean (vector) and covariance (unbiased) of rows of d-vectors.</summary>
    public static (double[] Mean, double[,] Covariance) Moments(double[][] sample)
    {
        Guard.NotNull(sample, nameof(sample));
        int n = sample.Length, d = sample[0].Length;
        var m = Matrix<double>.Build.DenseOfRowArrays(sample);
        var mean = m.ColumnSums() / n;
        var centred = m - Matrix<double>.Build.Dense(n, d, (i, j) => mean[j]);
        var cov = centred.TransposeThisAndMultiply(centred) / (n - 1);
        return (mean.ToArray(), cov.ToArray());
    }
}
