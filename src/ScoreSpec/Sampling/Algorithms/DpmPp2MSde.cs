using ScoreSpec.Numerics;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// SDE-DPM-Solver++(2M) (Lu et al. 2022b; k-diffusion's sample_dpmpp_2m_sde with its midpoint correction) in the
    /// scaled coordinates xh = x / alpha, sigmah = sigma / alpha, lambda = -log sigmah, h = lambda' - lambda, with the data
    /// prediction D = xh - sigmah eps: xh' = (sigmah' / sigmah) e^{-Eta h} xh + (1 - e^{-h - Eta h}) D, plus, after the
    /// first step, (1/2)(1 - e^{-h - Eta h}) (D - D_prev) / r with r = h_prev / h, plus the noise
    /// sigmah' sqrt(1 - e^{-2 Eta h}) SNoise xi. The xi are normalised increments (W(sigmah') - W(sigmah)) / sqrt|sigmah' - sigmah|
    /// of one <see cref="BrownianTree"/> per path on [0, sigmah_0] (as k-diffusion's BrownianTreeNoiseSampler, which spans
    /// its schedule's range), so a grid, its refinements and the run cut short share noise. Eta = 0 is <see cref="DpmPp2M"/> without the lower-order final step.
    /// </summary>
    /// <param name="Eta">The stochasticity, non-negative (1: the reverse SDE's).</param>
    /// <param name="SNoise">Scale of the noise.</param>
    public sealed record DpmPp2MSde(double Eta = 1, double SNoise = 1) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(0, ScaledRun.Levels(path, times));

        internal override long Run(SamplerRun run)
        {
            Guard.NonNegative(Eta, "eta");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            // The noise is the path's Brownian tree on [0, sigmah at the start]: a refinement of the grid, or the run cut
            // short, sees the same noise (ScaledRun.TreeValue).
            return s.Each(4, 2, (k, xh, work, history, stream) =>
            {
                int d = s.D;
                var e = work[..d];
                var data = work.Slice(d, d);
                var w = work.Slice(2 * d, d);
                var w2 = work.Slice(3 * d, d);
                s.EpsAt(k, xh, e, w);
                for (int j = 0; j < d; j++) data[j] = xh[j] - s.SigmaHat[k] * e[j];
                double h = s.Lambda[k + 1] - s.Lambda[k], etaH = Eta * h;
                double ratio = s.SigmaHat[k + 1] / s.SigmaHat[k] * Math.Exp(-etaH), c = -Accurate.ExpM1(-h - etaH);
                double r = k > 0 ? (s.Lambda[k] - s.Lambda[k - 1]) / h : 1;
                double noise = Eta > 0 ? s.SigmaHat[k + 1] * Math.Sqrt(-Accurate.ExpM1(-2 * etaH)) * SNoise : 0;
                if (noise > 0) s.TreeStep(k, stream, history.Slice(d, d), w, w2); // W at sigmah_k lives in the history
                for (int j = 0; j < d; j++)
                {
                    double next = ratio * xh[j] + c * data[j];
                    if (k > 0) next += 0.5 * c / r * (data[j] - history[j]);
                    if (noise > 0) next += noise * w2[j];
                    history[j] = data[j];
                    xh[j] = next;
                }
                return 1;
            });
        }
    }
}
