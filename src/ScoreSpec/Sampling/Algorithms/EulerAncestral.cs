namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// k-diffusion's ancestral Euler sampler (sample_euler_ancestral) in the scaled coordinates xh = x / alpha,
    /// sigmah = sigma / alpha: each step splits the target level sigmah' into a deterministic part and fresh noise,
    /// sigma_up = min(sigmah', Eta sqrt(sigmah'^2 (sigmah^2 - sigmah'^2) / sigmah^2)), sigma_down = sqrt(sigmah'^2 - sigma_up^2),
    /// takes the Euler step xh += (sigma_down - sigmah) eps(xh, sigmah) and adds SNoise sigma_up xi. Eta = 0 is
    /// <see cref="Euler"/>; Eta = 1 is DDPM's ancestral step in these coordinates. One score evaluation a step.
    /// </summary>
    /// <param name="Eta">The share of each step taken as fresh noise, in [0, 1].</param>
    /// <param name="SNoise">Scale of the added noise.</param>
    public sealed record EulerAncestral(double Eta = 1, double SNoise = 1) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run)
        {
            if (!(Eta >= 0 && Eta <= 1)) throw new ArgumentException($"eta must lie in [0, 1], got {Eta}.", "eta");
            Guard.NonNegative(SNoise, "s_noise");
            var s = new ScaledRun(run);
            var split = Enumerable.Range(0, s.Steps).Select(k =>
            {
                var (down, up) = ScaledRun.AncestralSplit(s.SigmaHat[k], s.SigmaHat[k + 1], Eta);
                return (Down: down, Up: up);
            }).ToArray();
            return s.Each(3, 0, (k, xh, work, _, stream) =>
            {
                int d = s.D;
                var e = work[..d];
                var xi = work.Slice(d, d);
                s.EpsAt(k, xh, e, work.Slice(2 * d, d));
                var (down, up) = split[k];
                double dh = down - s.SigmaHat[k];
                ScaledRun.Normals(stream, xi);
                for (int j = 0; j < d; j++) xh[j] += dh * e[j] + SNoise * up * xi[j];
                return 1;
            });
        }
    }
}
