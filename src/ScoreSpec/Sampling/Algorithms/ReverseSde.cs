using ScoreSpec.Processes;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Euler-Maruyama on Anderson's reverse SDE of the path, in the path's own time:
    /// x_{k+1} = x_k + (F x_k - D g^2 s) h_k + g sqrt(|h_k|) xi, D the noising direction (shared/seeds/003, "Anderson's
    /// Theorem" and "Sampling with Learned Score"; shared/seeds/004, "Reversing the SDE").
    /// </summary>
    public sealed record ReverseSde : Sampler
    {
        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(1, []);

        internal override long Run(SamplerRun run)
        {
            var reverse = Sde.Forward(run.Path).Reverse(run.Score);
            return run.Affine(reverse.EulerMaruyamaTable(run.Times, run.StepSizes));
        }
    }
}
