using MathNet.Numerics.Integration;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;

namespace ScoreSpec.Identities;

internal static class Helpers
{
    public const double Eps = 2.220446049250313e-16;

    public static string Fmt(double[] x) => "[" + string.Join(", ", x.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    public static string Describe(GaussianPath path, double t) => $"{path} t={t:R}";

    /// <summary>
    /// The smallest standard deviation of any component of the mixture, and the finite-difference step resolving both
    /// it and the log-sum-exp switching between components, whose width is about s_min^2 / (largest mean separation).
    /// </summary>
    public static double Step(GaussianMixture m)
    {
        double smin = m.Components.Min(c => c.SmallestStd());
        double sep = 0;
        foreach (var a in m.Components)
            foreach (var b in m.Components)
                sep = Math.Max(sep, Math.Sqrt(a.Mean.Zip(b.Mean, (u, v) => (u - v) * (u - v)).Sum()));
        return 1e-3 * smin * Math.Min(1, smin / Math.Max(sep, 1e-300));
    }

    public static double SmallestStd(GaussianMixture m) => m.Components.Min(c => c.SmallestStd());

    /// <summary>
    /// Rounding of a five-point first-derivative stencil (absolute weights summing to 1.5) applied to a log density with
    /// value logP in d dimensions at step h. A log density is a sum of terms (log weights, d/2 log 2 pi, half the log
    /// determinant, half the quadratic form) that can be much larger than their sum: near log p = 0 the value says nothing
    /// about them. The model charges 16 eps on (|log p| + 10 + d), the size of those terms for the scales the catalog draws
    /// (standard deviations of 0.01 to 10 in up to 5 dimensions).
    /// </summary>
    public static double LogDensityStencilRounding(double logP, int d, double h) => 1.5 * Eps * 16 * (Math.Abs(logP) + 10 + d) / h;

    /// <summary>
    /// Compares an analytic gradient with the finite-difference gradient of f. Tolerance per coordinate:
    /// 10 x (Richardson truncation estimate + 16 x the stencil rounding bound), the factor 16 covering the rounding
    /// accumulated inside f itself (quadratic forms and log-sum-exp) and the factor 10 the asymptotic Richardson
    /// estimate; the check refuses (residual = infinity) when that tolerance exceeds 1e-4 of the gradient's scale,
    /// since the comparison would then no longer detect an error.
    /// </summary>
    public static void CompareGradient(WorstOf worst, Func<double[], double> f, double[] analytic, double[] x, double h, double scale, string detail)
    {
        var fd = FiniteDifference.Gradient(f, x, h);
        double rounding = LogDensityStencilRounding(f(x), x.Length, h);
        for (int i = 0; i < x.Length; i++)
        {
            double tol = 10 * (fd[i].ErrorBound + rounding);
            double residual = Math.Abs(analytic[i] - fd[i].Value);
            if (tol > 1e-4 * scale) residual = double.PositiveInfinity;
            worst.Add(residual, tol, $"{detail} coord={i} analytic={analytic[i]:G10} fd={fd[i].Value:G10}");
        }
    }

    /// <summary>
    /// Compares two vectors computed two ways that agree in exact arithmetic: tolerance 1e3 eps kappa^2 (|expected| + |scale|),
    /// where kappa bounds the magnitude of the path coefficients and their reciprocals used on either side.
    /// </summary>
    public static void CompareClose(WorstOf worst, double[] expected, double[] actual, double kappa, double scale, string detail)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = 1e3 * Eps * kappa * kappa * (Math.Abs(expected[i]) + scale);
            worst.Add(Math.Abs(expected[i] - actual[i]), tol, $"{detail} coord={i} expected={expected[i]:G17} actual={actual[i]:G17}");
        }
    }

    /// <summary>The largest of the path's coefficients and their reciprocals at t (a condition number for the conversions).</summary>
    public static double Kappa(PathPoint p)
    {
        double[] v = [p.Alpha, p.Sigma, p.A, p.B, p.AlphaDot, p.SigmaDot];
        double k = 1;
        foreach (double c in v)
        {
            if (c == 0) continue;
            k = Math.Max(k, Math.Max(Math.Abs(c), 1 / Math.Abs(c)));
        }
        return k;
    }

    /// <summary>The mean and variance of a 1D mixture (GaussianMixture.Mean and Covariance).</summary>
    public static (double Mean, double Variance) MeanAndVariance1D(GaussianMixture m) => (m.Mean[0], m.Covariance[0][0]);

    public static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    /// <summary>
    /// Integral over the real line of a function concentrated on the given bumps (centre, width): Gauss-Legendre
    /// (MathNet) on the union of [centre - 14 width, centre + 14 width], where the neglected Gaussian tail mass is below 1e-40.
    /// Returns the integral and the sum of the reported error estimates.
    /// </summary>
    public static (double Value, double Error) IntegrateOverBumps(Func<double, double> f, IEnumerable<(double Centre, double Width)> bumps)
    {
        var intervals = bumps.Select(b => (Lo: b.Centre - 14 * b.Width, Hi: b.Centre + 14 * b.Width)).OrderBy(i => i.Lo).ToList();
        var merged = new List<(double Lo, double Hi)>();
        foreach (var i in intervals)
        {
            if (merged.Count > 0 && i.Lo <= merged[^1].Hi) merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, i.Hi));
            else merged.Add(i);
        }
        double total = 0, error = 0;
        foreach (var (lo, hi) in merged)
        {
            // Split each interval at bump centres and half-widths so the adaptive rule sees every peak.
            var cuts = new SortedSet<double> { lo, hi };
            foreach (var b in bumps)
                for (int j = -14; j <= 14; j += 2)
                {
                    double c = b.Centre + j * b.Width;
                    if (c > lo && c < hi) cuts.Add(c);
                }
            var list = cuts.ToList();
            for (int j = 0; j + 1 < list.Count; j++)
            {
                // Each panel is at most two bump widths long, where a smooth Gaussian-type integrand is resolved to
                // round-off by Gauss-Legendre of order 64; the order-32 result gives the error estimate.
                double fine = GaussLegendreRule.Integrate(f, list[j], list[j + 1], 64);
                double coarse = GaussLegendreRule.Integrate(f, list[j], list[j + 1], 32);
                total += fine;
                error += Math.Abs(fine - coarse);
            }
        }
        return (total, error);
    }

    /// <summary>
    /// A Monte Carlo posterior mean of the data point z given x_t = alpha z + sigma e, by self-normalised importance
    /// sampling that uses only the data's log density and the Gaussian likelihood N(x; alpha z, sigma^2 I), not the
    /// posterior component weights or gains of the closed form. The proposal is the defensive mixture
    /// q = (p_data + N(x/alpha, (sigma/alpha)^2 I)) / 2, so each weight p_data(z) N(x; alpha z, sigma^2 I) / q(z) is
    /// bounded by twice either factor and the estimate stays stable whether the posterior sits near the prior or near the
    /// likelihood. Returns the estimate of E[f(z) | x] for f = identity or the noise (x - alpha z) / sigma, with the
    /// delta-method standard error of each coordinate, sqrt(sum w^2 (f - mean)^2) / sum w.
    /// </summary>
    public static (double[] Mean, double[] StandardError) PosteriorMeanMonteCarlo(GaussianMixture data, PathPoint pt, double[] x, Random rng, int count, bool noise)
    {
        int d = x.Length;
        double a = pt.Alpha, s = pt.Sigma, spread = s / a;
        var centre = x.Select(v => v / a).ToArray();
        var likelihood = Gaussian.Isotropic(centre, spread); // N(z; x/alpha, (sigma/alpha)^2 I): the likelihood as a density in z
        var logW = new double[count];
        var f = new double[count * d]; // draw i's f in f[i d .. i d + d), without an array per draw
        for (int i = 0; i < count; i++)
        {
            var z = rng.Next(2) == 0 ? data.Sample(rng) : likelihood.Sample(rng);
            double lp = data.LogDensity(z), ll = likelihood.LogDensity(z);
            double lq = Math.Max(lp, ll) + Math.Log(0.5 * (Math.Exp(lp - Math.Max(lp, ll)) + Math.Exp(ll - Math.Max(lp, ll))));
            logW[i] = lp + ll - lq; // the likelihood's normaliser (alpha/sigma)^d cancels in the self-normalised ratio
            for (int j = 0; j < d; j++) f[i * d + j] = noise ? (x[j] - a * z[j]) / s : z[j];
        }
        double top = logW.Max(), total = 0;
        var w = new double[count];
        for (int i = 0; i < count; i++) w[i] = Math.Exp(logW[i] - top);
        var mean = new double[d];
        for (int i = 0; i < count; i++) { total += w[i]; for (int j = 0; j < d; j++) mean[j] += w[i] * f[i * d + j]; }
        for (int j = 0; j < d; j++) mean[j] /= total;
        var se = new double[d];
        for (int i = 0; i < count; i++) for (int j = 0; j < d; j++) { double dev = f[i * d + j] - mean[j]; se[j] += w[i] * w[i] * dev * dev; }
        for (int j = 0; j < d; j++) se[j] = Math.Sqrt(se[j]) / total;
        return (mean, se);
    }
}
