using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's DPM-Solver++(2S) with ancestral noise (sample_dpmpp_2s_ancestral), in the scaled coordinates
    /// xh = x / alpha, sigmah = sigma / alpha, lambda = -log sigmah, with the data prediction D = xh - sigmah eps: the step
    /// to sigmah' is split as in <see cref="EulerAncestral"/> into sigma_down and sigma_up; a second-order singlestep
    /// update in the data prediction goes to sigma_down (h = lambda(sigma_down) - lambda, midpoint s = lambda + h/2:
    /// u = (sigmah_s / sigmah) xh - expm1(-h/2) D, then xh' = (sigma_down / sigmah) xh - expm1(-h) D(u, s)), and
    /// SNoise sigma_up xi is added. Two score evaluations a step; Eta = 0 is the deterministic DPM-Solver++(2S), order 2.
    /// </summary>
    /// <param name="Eta">The share of each step taken as fresh noise, in [0, 1].</param>
    /// <param name="SNoise">Scale of the noise.</param>
    public sealed record DpmPp2SAncestral(double Eta = 1, double SNoise = 1) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run)
        {
            if (!(Eta >= 0 && Eta <= 1)) throw new ArgumentException($"eta must lie in [0, 1], got {Eta}.", "eta");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            var plan = Enumerable.Range(0, s.Steps).Select(k =>
            {
                var (down, up) = ScaledRun.AncestralSplit(s.SigmaHat[k], s.SigmaHat[k + 1], Eta);
                double h = -Math.Log(down) - s.Lambda[k];
                var mid = s.AtLambda(s.Lambda[k] + h / 2, "steps");
                return (Down: down, Up: up, H: h, Mid: mid);
            }).ToArray();
            return s.Each(4, 0, (k, xh, work, _, stream) =>
            {
                int d = s.D;
                var e = work[..d];
                var u = work.Slice(d, d);
                var buffer = work.Slice(2 * d, d);
                var xi = work.Slice(3 * d, d);
                var p = plan[k];
                double sh = s.SigmaHat[k], shm = p.Mid.Sigma / p.Mid.Alpha;
                s.EpsAt(k, xh, e, buffer);
                for (int j = 0; j < d; j++) u[j] = shm / sh * xh[j] - Accurate.ExpM1(-p.H / 2) * (xh[j] - sh * e[j]);
                s.Eps(p.Mid.T, p.Mid.Alpha, p.Mid.Sigma, u, e, buffer);
                ScaledRun.Normals(stream, xi);
                for (int j = 0; j < d; j++)
                    xh[j] = p.Down / sh * xh[j] - Accurate.ExpM1(-p.H) * (u[j] - shm * e[j]) + SNoise * p.Up * xi[j];
                return 2;
            });
        }
    }
}
