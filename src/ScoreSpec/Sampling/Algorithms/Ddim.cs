using ScoreSpec.Numerics;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// DDIM (Song, Meng and Ermon 2021) between consecutive grid times t and s on any path: with the noise prediction
    /// e = -sigma_t score and x0 = (x - sigma_t e) / alpha_t, x' = alpha_s x0 + sqrt(sigma_s^2 - c^2) e + c xi, with
    /// c = eta sigma_s sqrt(1 - (alpha_t sigma_s / (alpha_s sigma_t))^2) (<see cref="Discrete.Ddim"/>). eta = 0 is
    /// deterministic, a first-order solver of the probability-flow ODE; eta = 1 has DDPM's posterior variance on VP.
    /// </summary>
    /// <param name="Eta">The noise scale eta, finite and non-negative.</param>
    public sealed record Ddim(double Eta = 0) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run)
        {
            Guard.NonNegative(Eta, "eta");
            return run.Affine(Discrete.Ddim.Table(run.Path, run.Times, Eta));
        }
    }
}
