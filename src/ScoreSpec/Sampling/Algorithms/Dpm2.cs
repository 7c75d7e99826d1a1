namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's DPM-2 (after Lu et al. 2022): in the scaled coordinates xh = x / alpha, sigmah = sigma / alpha, an
    /// Euler step to the geometric midpoint sigmah_m = sqrt(sigmah_k sigmah_{k+1}), then the whole step with the slope
    /// there: xh_{k+1} = xh_k + (sigmah_{k+1} - sigmah_k) eps(xh_k + (sigmah_m - sigmah_k) eps_k, sigmah_m). Two score
    /// evaluations a step, order 2; on a Gaussian path the same map as DPM-Solver-2 with r1 = 1/2.
    /// </summary>
    public sealed record Dpm2 : Sampler
    {
        internal override long Run(SamplerRun run)
        {
            var s = new ScaledRun(run);
            var mid = Enumerable.Range(0, s.Steps).Select(k => s.AtLambda((s.Lambda[k] + s.Lambda[k + 1]) / 2, "steps")).ToArray();
            return s.Each(4, 0, (k, xh, work, _, _) =>
            {
                int d = s.D;
                var e = work[..d];
                var trial = work.Slice(d, d);
                var buffer = work.Slice(2 * d, d);
                var (tm, am, sm) = mid[k];
                double shm = sm / am;
                s.EpsAt(k, xh, e, buffer);
                for (int j = 0; j < d; j++) trial[j] = xh[j] + (shm - s.SigmaHat[k]) * e[j];
                s.Eps(tm, am, sm, trial, e, buffer);
                double dh = s.SigmaHat[k + 1] - s.SigmaHat[k];
                for (int j = 0; j < d; j++) xh[j] += dh * e[j];
                return 2;
            });
        }
    }
}
