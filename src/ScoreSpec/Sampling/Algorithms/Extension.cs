using ScoreSpec.Processes;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Euler-Maruyama on the SDE extension trick (shared/seeds/002, Chapter 4, Theorem 17): dX = [u + sigma(t)^2 s / 2] dt
    /// + sigma(t) dW towards the data, which in the path's own time reads x += (u - D sigma^2 s / 2) h + sigma sqrt(|h|) xi
    /// with u = F x - D g^2 s / 2. Any sigma(t) &gt;= 0 gives the same marginals; sigma = g gives the reverse SDE, sigma = 0
    /// the probability-flow ODE.
    /// </summary>
    /// <param name="Sigma">sigma(t) &gt;= 0, finite.</param>
    public sealed record Extension(Func<double, double> Sigma) : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run)
        {
            var extension = Sde.Forward(run.Path).Extension(run.Score, Sigma);
            return run.Affine(extension.EulerMaruyamaTable(run.Times, run.StepSizes));
        }
    }
}
