namespace ScoreSpec.Sampling;

/// <summary>
/// How a diffusion sampler moves an ensemble from the noise end of a path towards its data end over a time grid. Each
/// case is one algorithm, in its own file under Sampling/Algorithms, written as a step over the grid on the shared
/// runner (which owns the parallel blocks, the per-path noise streams, the escape watch and the recording of
/// trajectories). <see cref="SamplerRegistry"/> lists them with their CLI names.
/// </summary>
public abstract partial record Sampler
{
    private protected Sampler() { }

    /// <summary>Runs the algorithm on the run's ensemble in place; returns the score evaluations, summed over paths.</summary>
    internal abstract long Run(SamplerRun run);

    /// <summary>
    /// The times this sampler steps through on <paramref name="grid"/> along <paramref name="path"/>: the grid's own times,
    /// except for a sampler that moves the interior points (flow_match_euler's shift), which keeps the ends.
    /// </summary>
    /// <param name="grid">The requested grid.</param>
    /// <param name="path">The path.</param>
    public System.Collections.Immutable.ImmutableArray<double> StepTimes(Processes.TimeGrid grid, Paths.GaussianPath path)
    {
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        return [.. Retime(grid.TimesArray(path), path)];
    }

    /// <summary>
    /// How the sampler's noise enters, for <see cref="GaussianEndLaw"/>: null when it draws no noise or its end point is not
    /// affine in it for Gaussian data; otherwise fresh normals (d per step, <see cref="NoiseDescription.NormalsPerStep"/>
    /// times) from the path's stream, or its Brownian tree at the listed sigma / alpha levels.
    /// </summary>
    internal virtual NoiseDescription? Noise(Paths.GaussianPath path, double[] times) => null;

    /// <summary>The times the sampler actually steps through for a requested grid (the grid itself unless a sampler moves its points, keeping its ends).</summary>
    internal virtual double[] Retime(double[] times, Paths.GaussianPath path) => times;
}

/// <summary>The two forms of the predictor-corrector sampler (see <see cref="Sampler.PredictorCorrector"/>).</summary>
public enum PcVariant
{
    /// <summary>score_sde's code: corrector then predictor at each time, eps = 2 a (snr mean|xi| / mean|s|)^2.</summary>
    ScoreSde,
    /// <summary>shared/seeds/003's listing: predictor then corrector at the new time, eps = snr (|z| / |s|)^2 over the whole ensemble.</summary>
    Seed003,
}

/// <summary>ODE methods for the probability-flow sampler.</summary>
public enum OdeMethod
{
    /// <summary>Explicit Euler on the grid.</summary>
    Euler,
    /// <summary>Heun on the grid.</summary>
    Heun,
    /// <summary>Classical RK4 on the grid.</summary>
    Rk4,
    /// <summary>Adaptive Dormand-Prince 5(4), per path, between the recorded grid points (only the ends when nothing is recorded).</summary>
    DormandPrince,
}

/// <summary>What noise a sampler draws per path (see <see cref="Sampler.Noise"/>).</summary>
/// <param name="NormalsPerStep">Draws of d normals per grid step from the path's xoshiro stream; 0 with tree levels.</param>
/// <param name="TreeLevels">The sigma / alpha levels at which the path's Brownian tree is read; empty with fresh normals.</param>
internal sealed record NoiseDescription(int NormalsPerStep, double[] TreeLevels);
