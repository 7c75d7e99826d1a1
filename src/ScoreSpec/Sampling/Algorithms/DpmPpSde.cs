using ScoreSpec.Paths;
using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's DPM-Solver++ SDE (sample_dpmpp_sde, r = 1/2) in the scaled coordinates xh = x / alpha,
    /// sigmah = sigma / alpha, lambda = -log sigmah, with the data prediction D = xh - sigmah eps: each step from lambda to
    /// lambda' = lambda + h has a stage at s = lambda + h/2. Stage: split the way to sigmah_s ancestrally (sigma_down,
    /// sigma_up), go to sigma_down by the first-order data-prediction update (sigma_down / sigmah) xh + (1 - sigma_down / sigmah) D,
    /// add SNoise sigma_up times the Brownian-tree increment from sigmah to sigmah_s; evaluate D_2 there. Step: split the
    /// way to sigmah' likewise and update from xh with D_2 to the new sigma_down, then add its noise. Two score
    /// evaluations a step; Eta = 0 is the deterministic DPM-Solver++(2S) with r = 1/2, order 2.
    /// </summary>
    /// <param name="Eta">The share of each step taken as fresh noise, non-negative.</param>
    /// <param name="SNoise">Scale of the noise.</param>
    public sealed record DpmPpSde(double Eta = 1, double SNoise = 1) : Sampler
    {
        /// <summary>The stage's level between grid points k and k + 1: sigma / alpha where lambda is halfway (r = 1/2).</summary>
        private static (double T, double Alpha, double Sigma) Midpoint(GaussianPath path, double lambdaK, double lambdaNext)
            => ScaledRun.AtLambda(path, lambdaK + (lambdaNext - lambdaK) / 2, "steps");

        internal override NoiseDescription? Noise(GaussianPath path, double[] times)
        {
            var grid = ScaledRun.Levels(path, times);
            var levels = new List<double>();
            for (int k = 0; k < times.Length; k++)
            {
                levels.Add(grid[k]);
                if (k + 1 == times.Length) break;
                var mid = Midpoint(path, ScaledRun.LambdaAt(path, times[k]), ScaledRun.LambdaAt(path, times[k + 1]));
                levels.Add(mid.Sigma / mid.Alpha);
            }
            return new(0, [.. levels]);
        }

        internal override long Run(SamplerRun run)
        {
            Guard.NonNegative(Eta, "eta");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            var plan = Enumerable.Range(0, s.Steps).Select(k =>
            {
                double sh = s.SigmaHat[k];
                var mid = Midpoint(run.Path, s.Lambda[k], s.Lambda[k + 1]);
                double shMid = mid.Sigma / mid.Alpha;
                var first = ScaledRun.AncestralSplit(sh, shMid, Eta);
                var second = ScaledRun.AncestralSplit(sh, s.SigmaHat[k + 1], Eta);
                return (Mid: mid, ShMid: shMid, First: first, Second: second);
            }).ToArray();
            bool noisy = Eta > 0 && SNoise > 0;
            return s.Each(6, 1, (k, xh, work, history, stream) =>
            {
                int d = s.D;
                var e = work[..d];
                var u = work.Slice(d, d);
                var buffer = work.Slice(2 * d, d);
                var w = work.Slice(3 * d, d);
                var noise = work.Slice(4 * d, d);
                var wMid = work.Slice(5 * d, d);
                var wNow = history[..d]; // W at sigmah_k, kept from the last step
                if (noisy && k == 0) s.TreeValue(s.SigmaHat[0], stream, wNow);
                var p = plan[k];
                double sh = s.SigmaHat[k];
                s.EpsAt(k, xh, e, buffer);
                double down1 = p.First.Down / sh;
                if (p.First.Up > 0)
                {
                    s.TreeValue(p.ShMid, stream, wMid);
                    ScaledRun.Normalised(wNow, wMid, sh, p.ShMid, noise);
                }
                else noise.Clear();
                for (int j = 0; j < d; j++)
                    u[j] = down1 * xh[j] + (1 - down1) * (xh[j] - sh * e[j]) + SNoise * p.First.Up * noise[j];
                s.Eps(p.Mid.T, p.Mid.Alpha, p.Mid.Sigma, u, e, buffer);
                double down2 = p.Second.Down / sh;
                if (noisy)
                {
                    s.TreeValue(s.SigmaHat[k + 1], stream, w);
                    if (p.Second.Up > 0) ScaledRun.Normalised(wNow, w, sh, s.SigmaHat[k + 1], noise); else noise.Clear();
                    w.CopyTo(wNow);
                }
                else noise.Clear();
                for (int j = 0; j < d; j++)
                    xh[j] = down2 * xh[j] + (1 - down2) * (u[j] - p.ShMid * e[j]) + SNoise * p.Second.Up * noise[j];
                return 2;
            });
        }
    }
}
