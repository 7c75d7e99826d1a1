namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// EDM's second-order sampler (Karras et al. 2022, Algorithm 2) in the scaled coordinates xh = x / alpha,
    /// sigmah = sigma / alpha: at grid point k with sigmah in [STmin, STmax], churn raises the noise level to
    /// sigmah^ = sigmah_k (1 + gamma), gamma = min(SChurn / N, sqrt 2 - 1), by adding sqrt(sigmah^2 - sigmah_k^2) SNoise xi;
    /// then an Euler step to sigmah_{k+1} with slope eps(xh, sigmah^) and Heun's correction with the mean of that slope and
    /// the slope at the Euler point. Two score evaluations a step; order 2 when SChurn = 0, which is deterministic.
    /// </summary>
    /// <param name="SChurn">Total churn S_churn over the run, non-negative (0: no churn).</param>
    /// <param name="STmin">Smallest sigmah that is churned.</param>
    /// <param name="STmax">Largest sigmah that is churned.</param>
    /// <param name="SNoise">Scale of the churn's noise, S_noise.</param>
    public sealed record Heun(double SChurn = 0, double STmin = 0, double STmax = double.PositiveInfinity, double SNoise = 1) : Sampler
    {
        internal override long Run(SamplerRun run)
        {
            Guard.NonNegative(SChurn, "s_churn");
            Guard.NonNegative(STmin, "s_tmin");
            if (!(STmax >= STmin)) throw new ArgumentException($"s_tmax must be at least s_tmin ({STmin}), got {STmax}.", "s_tmax");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            int steps = s.Steps;
            // The churned level of each step and where it falls on the path (computed once per run).
            var hat = new (double T, double Alpha, double Sigma, double SigmaHat, double Lift)[steps];
            for (int k = 0; k < steps; k++)
            {
                double sh = s.SigmaHat[k];
                double gamma = sh >= STmin && sh <= STmax ? Math.Min(SChurn / steps, Math.Sqrt(2) - 1) : 0;
                if (gamma == 0) { hat[k] = (run.Times[k], s.Alpha[k], s.Sigma[k], sh, 0); continue; }
                double raised = sh * (1 + gamma);
                var (t, a, sg) = s.AtLambda(-Math.Log(raised), "s_churn");
                hat[k] = (t, a, sg, raised, SNoise * sh * Math.Sqrt(gamma * (2 + gamma))); // sqrt(raised^2 - sh^2)
            }
            return s.Each(4, 0, (k, xh, work, _, stream) =>
            {
                int d = s.D;
                var e1 = work[..d];
                var e2 = work.Slice(d, d);
                var trial = work.Slice(2 * d, d);
                var buffer = work.Slice(3 * d, d);
                var h = hat[k];
                if (h.Lift > 0)
                {
                    ScaledRun.Normals(stream, e2);
                    for (int j = 0; j < d; j++) xh[j] += h.Lift * e2[j];
                }
                s.Eps(h.T, h.Alpha, h.Sigma, xh, e1, buffer);
                double dh = s.SigmaHat[k + 1] - h.SigmaHat;
                for (int j = 0; j < d; j++) trial[j] = xh[j] + dh * e1[j];
                s.EpsAt(k + 1, trial, e2, buffer);
                for (int j = 0; j < d; j++) xh[j] += dh * 0.5 * (e1[j] + e2[j]);
                return 2;
            });
        }
    }
}
