using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Ancestral sampling, the discrete reverse chain between consecutive grid times t and t':
    /// for vp and cosine the DDPM step x' = (x + beta s) / sqrt(1 - beta) + sqrt(beta) xi with 1 - beta = (alpha_t / alpha_t')^2
    /// (Ho et al. 2020); for ve the SMLD step x' = x + (sigma_t^2 - sigma_t'^2) s + sqrt(sigma_t'^2 (sigma_t^2 - sigma_t'^2) / sigma_t^2) xi
    /// (score_sde's AncestralSamplingPredictor). Defined for vp, cosine and ve only. The noise variance is the scheme's own
    /// by default (beta on vp and cosine, the posterior sigma_t'^2 (sigma_t^2 - sigma_t'^2) / sigma_t^2 on ve); diffusers'
    /// fixed_large takes beta (vp, cosine) or sigma_t^2 - sigma_t'^2 (ve), fixed_small the posterior variance,
    /// beta sigma_t'^2 / sigma_t^2 on vp and cosine (Ho et al. 2020, beta-tilde). The mean is the same for all three.
    /// </summary>
    /// <param name="Variance">Which noise variance the chain adds.</param>
    public sealed record Ancestral(AncestralVariance Variance = AncestralVariance.Default) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run) => run.Affine(Table(run.Path, run.Times, Variance));

        /// <summary>(cx, cs, cn) per step of the chain on <paramref name="times"/>.</summary>
        internal static double[] Table(GaussianPath path, double[] times, AncestralVariance variance = AncestralVariance.Default)
        {
            if (path is not (VpPath or CosinePath or VePath))
                throw new ArgumentException($"sampler: ancestral sampling is defined for vp, cosine and ve paths, not {path.Kind}.", "sampler");
            var table = new double[3 * (times.Length - 1)];
            for (int k = 0; k + 1 < times.Length; k++)
            {
                double t = times[k], next = times[k + 1], cx, cs, cn;
                if (path is VePath)
                {
                    double s2 = Math.Pow(path.Sigma(t), 2), n2 = Math.Pow(path.Sigma(next), 2);
                    cx = 1; cs = s2 - n2; cn = Math.Sqrt(variance == AncestralVariance.FixedLarge ? s2 - n2 : n2 * (s2 - n2) / s2);
                }
                else
                {
                    double ratio = path.Alpha(t) / path.Alpha(next), beta = 1 - ratio * ratio;
                    double posterior = beta * Math.Pow(path.Sigma(next) / path.Sigma(t), 2);
                    cx = 1 / Math.Sqrt(1 - beta); cs = beta / Math.Sqrt(1 - beta); cn = Math.Sqrt(variance == AncestralVariance.FixedSmall ? posterior : beta);
                }
                table[3 * k] = cx; table[3 * k + 1] = cs; table[3 * k + 2] = cn;
            }
            return table;
        }
    }
}

/// <summary>The noise variance of the ancestral chain (diffusers' variance_type names).</summary>
public enum AncestralVariance
{
    /// <summary>The scheme's own: beta on vp and cosine (DDPM, score_sde), the posterior variance on ve (SMLD, score_sde).</summary>
    Default,
    /// <summary>The larger choice: beta on vp and cosine, sigma_t^2 - sigma_t'^2 on ve.</summary>
    FixedLarge,
    /// <summary>The posterior variance (beta-tilde): beta sigma_t'^2 / sigma_t^2 on vp and cosine, sigma_t'^2 (sigma_t^2 - sigma_t'^2) / sigma_t^2 on ve.</summary>
    FixedSmall,
}
