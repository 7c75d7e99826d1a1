using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Ancestral sampling, the discrete reverse chain between consecutive grid times t and t':
    /// for vp and cosine the DDPM step x' = (x + beta s) / sqrt(1 - beta) + sqrt(beta) xi with 1 - beta = (alpha_t / alpha_t')^2
    /// (Ho et al. 2020); for ve the SMLD step x' = x + (sigma_t^2 - sigma_t'^2) s + sqrt(sigma_t'^2 (sigma_t^2 - sigma_t'^2) / sigma_t^2) xi
    /// (score_sde's AncestralSamplingPredictor). Defined for vp, cosine and ve only.
    /// </summary>
    public sealed record Ancestral : Sampler
    {
        internal override long Run(SamplerRun run) => run.Affine(Table(run.Path, run.Times));

        /// <summary>(cx, cs, cn) per step of the chain on <paramref name="times"/>.</summary>
        internal static double[] Table(GaussianPath path, double[] times)
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
                    cx = 1; cs = s2 - n2; cn = Math.Sqrt(n2 * (s2 - n2) / s2);
                }
                else
                {
                    double ratio = path.Alpha(t) / path.Alpha(next), beta = 1 - ratio * ratio;
                    cx = 1 / Math.Sqrt(1 - beta); cs = beta / Math.Sqrt(1 - beta); cn = Math.Sqrt(beta);
                }
                table[3 * k] = cx; table[3 * k + 1] = cs; table[3 * k + 2] = cn;
            }
            return table;
        }
    }
}
