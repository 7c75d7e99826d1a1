using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

/// <summary>
/// The exact law that an affine sampler (reverse-SDE Euler-Maruyama, the extension trick, ancestral sampling) produces
/// from exact 1D Gaussian data N(m0, v0), and its distance from the exact target. The score of Gaussian data along a path
/// is affine, s_t(x) = -(x - alpha_t m0) / v_t with v_t = alpha_t^2 v0 + sigma_t^2, so each step maps a Gaussian law to a
/// Gaussian law and the mean and variance follow a recursion.
/// <para>
/// This is the reference the sampler checks measure discretisation bias with, so it is written from the theory's
/// update formulas directly and shares no code with the samplers' own step coefficients: a slip in a sampler's step
/// (a noise scaled by |h| instead of sqrt(|h|), a sign, a factor 2, a coefficient taken at the wrong end of the step)
/// changes the sampler's law but not this prediction, so the check that compares the two fails instead of widening
/// its own tolerance.
/// </para>
/// </summary>
public static class DiscretisedGaussianLaw
{
    /// <summary>
    /// The mean and variance of the sampler's law at <c>schedule.TEnd</c>, started from the exact marginal
    /// N(alpha m0, alpha^2 v0 + sigma^2) at <c>schedule.TStart</c>, and those of the exact target at <c>schedule.TEnd</c>.
    /// Per step from t to t' with h = t' - t, F = d log alpha / dt, g^2 the path's diffusion and D its noising direction:
    /// reverse SDE x' = x + (F x - D g^2 s) h + g sqrt(|h|) xi (shared/seeds/003, "Sampling with Learned Score"); extension
    /// x' = x + (F x - D (g^2 + sigma^2) s / 2) h + sigma sqrt(|h|) xi (shared/seeds/002, Chapter 4, Theorem 17); ancestral
    /// on vp and cosine x' = (x + b s) / sqrt(1 - b) + sqrt(b) xi with 1 - b = (alpha_t / alpha_t')^2, on ve
    /// x' = x + (sigma_t^2 - sigma_t'^2) s + sqrt(sigma_t'^2 (sigma_t^2 - sigma_t'^2) / sigma_t^2) xi (Ho et al. 2020; Song et
    /// al. 2021, ancestral sampling).
    /// </summary>
    /// <param name="path">The path the sampler runs on.</param>
    /// <param name="sampler">ReverseSde, Extension or Ancestral.</param>
    /// <param name="schedule">The sampler's grid, from the noise end towards the data end.</param>
    /// <param name="m0">The data mean.</param>
    /// <param name="v0">The data variance, positive.</param>
    public static (double Mean, double Variance, double TargetMean, double TargetVariance) Moments(GaussianPath path, Sampler sampler, Schedule schedule, double m0, double v0)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        Guard.Positive(v0, nameof(v0));
        Guard.Finite(m0, nameof(m0));
        if (sampler is not (Sampler.ReverseSde or Sampler.Extension or Sampler.Ancestral))
            throw new ArgumentException("sampler must be an affine stochastic sampler (ReverseSde, Extension or Ancestral).", nameof(sampler));
        if (sampler is Sampler.Ancestral && path is not (VpPath or CosinePath or VePath))
            throw new ArgumentException($"sampler: ancestral sampling is defined for vp, cosine and ve paths, not {path.Kind}.", nameof(sampler));

        double VarianceAt(double t) => path.Alpha(t) * path.Alpha(t) * v0 + path.Sigma(t) * path.Sigma(t);
        double mean = path.Alpha(schedule.TStart) * m0, variance = VarianceAt(schedule.TStart);
        for (int k = 0; k < schedule.Steps; k++)
        {
            double t = schedule.Time(k), next = schedule.Time(k + 1), h = next - t;
            double alpha = path.Alpha(t), vt = VarianceAt(t);
            // The law before the step is N(mean, variance); the score at x is (alpha m0 - x) / vt. Each sampler below is
            // x' = x + c (alpha m0 - x) / vt + (other linear terms in x) + noise; collect gain (the factor on x), offset and
            // noise variance.
            double gain, offset, noise;
            switch (sampler)
            {
                case Sampler.Ancestral when path is VePath:
                {
                    double now2 = path.Sigma(t) * path.Sigma(t), next2 = path.Sigma(next) * path.Sigma(next), jump = now2 - next2;
                    gain = 1 - jump / vt;
                    offset = jump * alpha * m0 / vt;
                    // The posterior variance of the SMLD chain, or the whole jump for fixed_large.
                    noise = ((Sampler.Ancestral)sampler).Variance == AncestralVariance.FixedLarge ? jump : next2 * jump / now2;
                    break;
                }
                case Sampler.Ancestral:
                {
                    double keep = Math.Pow(alpha / path.Alpha(next), 2), b = 1 - keep, root = Math.Sqrt(keep);
                    gain = (1 - b / vt) / root;
                    offset = b * alpha * m0 / vt / root;
                    // beta, or for fixed_small Ho et al.'s beta-tilde = beta (1 - abar_next) / (1 - abar_t) with abar = alpha^2.
                    double abarT = alpha * alpha, abarNext = path.Alpha(next) * path.Alpha(next);
                    noise = ((Sampler.Ancestral)sampler).Variance == AncestralVariance.FixedSmall ? b * (1 - abarNext) / (1 - abarT) : b;
                    break;
                }
                default:
                {
                    double g2 = path.DiffusionSquared(t), sigma2 = sampler is Sampler.Extension e ? Math.Pow(e.Sigma(t), 2) : g2;
                    // Score weight in the drift: D g^2 for Anderson's reverse SDE, D (g^2 + sigma^2)/2 for the extension.
                    double w = path.NoisingDirection * (g2 + sigma2) / 2;
                    gain = 1 + h * path.LogAlphaDot(t) + h * w / vt;
                    offset = -h * w * alpha * m0 / vt;
                    noise = sigma2 * Math.Abs(h);
                    break;
                }
            }
            mean = gain * mean + offset;
            variance = gain * gain * variance + noise;
        }
        return (mean, variance, path.Alpha(schedule.TEnd) * m0, VarianceAt(schedule.TEnd));
    }

    /// <summary>
    /// The Kolmogorov-Smirnov distance between the sampler's law and the exact target for Gaussian data (from
    /// <see cref="Moments"/>): the supremum of |Phi((x - m) / s) - Phi((x - m*) / s*)|, which for two normal laws is
    /// attained where their densities cross; it is found on a grid of 8001 points over +-32 target standard deviations
    /// refined by golden-section search around the best grid point. This is the sampler's discretisation bias for that data.
    /// </summary>
    /// <param name="path">The path the sampler runs on.</param>
    /// <param name="sampler">ReverseSde, Extension or Ancestral.</param>
    /// <param name="schedule">The sampler's grid.</param>
    /// <param name="m0">The data mean.</param>
    /// <param name="v0">The data variance, positive.</param>
    public static double Bias(GaussianPath path, Sampler sampler, Schedule schedule, double m0, double v0)
    {
        var (mean, variance, tm, tv) = Moments(path, sampler, schedule, m0, v0);
        return KolmogorovDistance(mean, Math.Sqrt(variance), tm, Math.Sqrt(tv));
    }

    /// <summary>sup_x |Phi((x - m1) / s1) - Phi((x - m2) / s2)|, the Kolmogorov distance between two normal laws.</summary>
    internal static double KolmogorovDistance(double m1, double s1, double m2, double s2)
    {
        double Gap(double x) => Math.Abs(MathNet.Numerics.Distributions.Normal.CDF(m1, s1, x) - MathNet.Numerics.Distributions.Normal.CDF(m2, s2, x));
        double step = 8e-3 * s2, best = m2;
        for (int i = -4000; i <= 4000; i++)
        {
            double x = m2 + i * step;
            if (Gap(x) > Gap(best)) best = x;
        }
        double lo = best - step, hi = best + step, r = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++)
        {
            double a = hi - r * (hi - lo), b = lo + r * (hi - lo);
            if (Gap(a) > Gap(b)) hi = b; else lo = a;
        }
        return Math.Max(Gap(best), Gap((lo + hi) / 2));
    }
}
