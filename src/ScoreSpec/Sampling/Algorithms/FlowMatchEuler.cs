using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

public abstract partial record Sampler
{
    /// <summary>
    /// Flow matching's Euler sampler with Stable Diffusion 3's time shift (Esser et al. 2024, section 5.3.2; diffusers'
    /// FlowMatchEulerDiscreteScheduler): on the condot path x_t = t z + (1 - t) e, whose noise level is sigma = 1 - t,
    /// explicit Euler on the marginal velocity, x_{k+1} = x_k + (t_{k+1} - t_k) u(t_k, x_k) (shared/seeds/002 Ch. 3-4), over
    /// the requested grid with its noise levels moved by sigma -&gt; s sigma / (1 + (s - 1) sigma), s = <paramref name="Shift"/>.
    /// SD3 shifts levels that run from 1 to 0, both fixed points of the map; a grid here runs between interior times, so
    /// the map is applied to the level's position between the grid's two end levels and the ends stay where they were
    /// (the same as SD3's as the ends approach 1 and 0). s &gt; 1 spends more steps at high noise (SD3 uses 3); s = 1 is
    /// <c>pf_ode_euler</c>, which on condot is also the same map as <c>euler</c> and DDIM.
    /// </summary>
    /// <param name="Shift">s &gt; 0; 1 leaves the grid as it is.</param>
    public sealed record FlowMatchEuler(double Shift = 1) : Sampler
    {
        /// <summary>SD3's shift of a noise level in [0, 1]: s sigma / (1 + (s - 1) sigma).</summary>
        /// <param name="sigma">The level.</param>
        /// <param name="shift">s &gt; 0.</param>
        public static double ShiftLevel(double sigma, double shift) => shift * sigma / (1 + (shift - 1) * sigma);

        internal override double[] Retime(double[] times, GaussianPath path)
        {
            if (path is not CondOtPath) throw new ArgumentException($"flow_match_euler is defined on the condot path (noise level 1 - t), not on {path.Kind}.", "path");
            if (!(Shift > 0) || !double.IsFinite(Shift)) throw new ArgumentException($"shift must be positive and finite, got {Shift}.", "shift");
            if (Shift == 1) return times;
            double first = 1 - times[0], last = 1 - times[^1], span = first - last;
            var shifted = new double[times.Length];
            shifted[0] = times[0]; shifted[^1] = times[^1];
            for (int k = 1; k < times.Length - 1; k++)
                shifted[k] = 1 - (last + ShiftLevel((1 - times[k] - last) / span, Shift) * span);
            return shifted;
        }

        internal override long Run(SamplerRun run) => new ProbabilityFlow(OdeMethod.Euler).Run(run);
    }
}
