using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// DPM-Solver++(2M) (Lu et al. 2022b, Algorithm 2; k-diffusion's sample_dpmpp_2m), multistep in the data prediction
    /// D = xh - sigmah eps: with h = lambda_{k+1} - lambda_k, xh_{k+1} = (sigmah_{k+1} / sigmah_k) xh_k - expm1(-h) D',
    /// where D' = D_k at the first step and D' = (1 + 1/(2r)) D_k - 1/(2r) D_{k-1}, r = h_{k-1} / h, after it. One score
    /// evaluation a step, order 2. With <paramref name="LowerOrderFinal"/> (diffusers' lower_order_final) a run of fewer
    /// than 15 steps takes its last step at first order: at 10 steps or fewer the second-order extrapolation over the
    /// last, longest step in lambda is what makes the method unstable near the data end.
    /// </summary>
    /// <param name="LowerOrderFinal">Take the last step at first order when the run has fewer than 15 steps.</param>
    public sealed record DpmPp2M(bool LowerOrderFinal = true) : Sampler
    {
        internal override long Run(SamplerRun run)
        {
            var s = new ScaledRun(run);
            bool firstOrderLast = LowerOrderFinal && s.Steps < 15;
            return s.Each(3, 1, (k, xh, work, history, _) =>
            {
                int d = s.D;
                var e = work[..d];
                var data = work.Slice(d, d);
                var buffer = work.Slice(2 * d, d);
                s.EpsAt(k, xh, e, buffer);
                for (int j = 0; j < d; j++) data[j] = xh[j] - s.SigmaHat[k] * e[j];
                double h = s.Lambda[k + 1] - s.Lambda[k], ratio = s.SigmaHat[k + 1] / s.SigmaHat[k], c = -Accurate.ExpM1(-h);
                bool second = k > 0 && !(firstOrderLast && k == s.Steps - 1);
                double r = k > 0 ? (s.Lambda[k] - s.Lambda[k - 1]) / h : 1, w = 1 / (2 * r);
                for (int j = 0; j < d; j++)
                {
                    double dj = second ? (1 + w) * data[j] - w * history[j] : data[j];
                    history[j] = data[j];
                    xh[j] = ratio * xh[j] + c * dj;
                }
                return 1;
            });
        }
    }
}
