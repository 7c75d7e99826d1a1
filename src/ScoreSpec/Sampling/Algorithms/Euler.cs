namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's Euler sampler (Karras et al. 2022, section 3): Euler's method on the probability-flow ODE in the
    /// scaled coordinates xh = x / alpha, sigmah = sigma / alpha, where it reads d xh / d sigmah = eps:
    /// xh_{k+1} = xh_k + (sigmah_{k+1} - sigmah_k) eps(xh_k, sigmah_k). One score evaluation a step, order 1. On a
    /// Gaussian path this is the same map as DDIM with eta = 0 and as DPM-Solver-1 (the catalog checks it).
    /// </summary>
    public sealed record Euler : Sampler
    {
        internal override long Run(SamplerRun run)
        {
            var s = new ScaledRun(run);
            return s.Each(2, 0, (k, xh, work, _, _) =>
            {
                int d = s.D;
                var eps = work[..d];
                s.EpsAt(k, xh, eps, work.Slice(d, d));
                double dh = s.SigmaHat[k + 1] - s.SigmaHat[k];
                for (int j = 0; j < d; j++) xh[j] += dh * eps[j];
                return 1;
            });
        }
    }
}
