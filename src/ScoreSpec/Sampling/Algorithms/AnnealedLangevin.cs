using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Annealed Langevin dynamics, NCSN's sampler (Song and Ermon 2019, Algorithm 1), on the ve path: the grid points after
    /// the start are the noise levels sigma_1 &gt; ... &gt; sigma_L (sigma_k = sigma(t_k), L = N; a uniform grid gives NCSN's
    /// geometric levels, see <see cref="Discrete.NcsnSchedule"/>), and at each level k, in turn, T =
    /// <paramref name="StepsPerLevel"/> unadjusted Langevin steps x &lt;- x + (a_k / 2) s(t_k, x) + sqrt(a_k) xi with the
    /// level's step a_k = <paramref name="StepSize"/> sigma_k^2 / sigma_L^2, so that the signal-to-noise ratio of a step is the
    /// same at every level. The chain ends at the last level without a denoising step (NCSNv2's is not applied). T score
    /// evaluations a grid step. Not a discretisation of an SDE in t: its error has two parts, the Langevin step's bias at
    /// each level and how far the chain is from that level's law after T steps.
    /// </summary>
    /// <param name="StepsPerLevel">T, Langevin steps per level (NCSN: 100).</param>
    /// <param name="StepSize">epsilon, the step at the smallest level (NCSN: 2e-5 with sigma_L = 0.01).</param>
    public sealed record AnnealedLangevin(int StepsPerLevel = 100, double StepSize = 2e-5) : Sampler
    {
        /// <summary>The Langevin step at level sigma: epsilon sigma^2 / sigma_L^2 (Song and Ermon 2019, Algorithm 1).</summary>
        /// <param name="sigma">The level's noise scale.</param>
        /// <param name="smallest">sigma_L, the smallest level.</param>
        public double StepAt(double sigma, double smallest) => StepSize * (sigma / smallest) * (sigma / smallest);

        internal override NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => new(StepsPerLevel, []);

        internal override long Run(SamplerRun run)
        {
            if (run.Path is not VePath) throw new ArgumentException($"annealed Langevin dynamics runs over NCSN's noise levels, on the ve path, not on {run.Path.Kind}.", "path");
            if (StepsPerLevel < 1) throw new ArgumentException($"steps_per_level must be at least 1, got {StepsPerLevel}.", "steps_per_level");
            if (!(StepSize > 0) || !double.IsFinite(StepSize)) throw new ArgumentException($"step_size must be positive and finite, got {StepSize}.", "step_size");
            var s = new ScaledRun(run);
            double smallest = s.Sigma[s.Steps];
            var steps = Enumerable.Range(0, s.Steps).Select(k => StepAt(s.Sigma[k + 1], smallest)).ToArray();
            return s.Each(2, 0, (k, x, work, _, stream) =>
            {
                int d = s.D;
                var score = work[..d];
                var xi = work.Slice(d, d);
                double a = steps[k], half = a / 2, root = Math.Sqrt(a), t = run.Times[k + 1];
                for (int m = 0; m < StepsPerLevel; m++)
                {
                    run.Score(t, x, score);
                    ScaledRun.Normals(stream, xi);
                    for (int j = 0; j < d; j++) x[j] += half * score[j] + root * xi[j];
                }
                return StepsPerLevel;
            });
        }
    }
}
