using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

/// <summary>
/// The exact law of a stochastic sampler's end point for one-dimensional Gaussian data N(m, v), started from the exact
/// p at the grid's start. The score of Gaussian data is affine in x, so every step of every sampler here is affine in
/// the state and in the noise: the end point is x_N = c + a x_0 + sum_j b_j w_j, with w_j the normals the path drew (one
/// draw per step, from its xoshiro stream) or the values W(l_j) of its Brownian tree at the levels the sampler reads.
/// Running the sampler itself on more paths than there are coefficients and solving for (c, a, b) by least squares (QR)
/// recovers them to rounding; the end law is then N(c + a E[x_0], a^2 Var[x_0] + |b|^2) for fresh normals and
/// a^2 Var[x_0] + b' C b with C_jk = min(l_j, l_k) for Brownian values. No sampling error: the weak error of a sampler on
/// Gaussian data becomes a number. <see cref="Law.Residual"/> is the fit's largest misfit, which is at rounding level
/// when the description of the noise is right (tests/Properties/WeakOrders.cs asserts it).
/// </summary>
public static class GaussianEndLaw
{
    /// <summary>The end point's law and the fit's residual.</summary>
    /// <param name="Mean">E[x_N].</param>
    /// <param name="Variance">Var[x_N].</param>
    /// <param name="Residual">The largest |fitted - actual| end point over the paths used, at rounding level for an exact fit.</param>
    /// <param name="Paths">How many paths the fit used.</param>
    public sealed record Law(double Mean, double Variance, double Residual, int Paths)
    {
        /// <summary>
        /// The 2-Wasserstein distance from N(<paramref name="mean"/>, <paramref name="variance"/>):
        /// sqrt((m1 - m2)^2 + (s1 - s2)^2) for two normal laws.
        /// </summary>
        /// <param name="mean">The other law's mean.</param>
        /// <param name="variance">The other law's variance, non-negative.</param>
        public double Wasserstein2(double mean, double variance)
        {
            if (!(variance >= 0)) throw new ArgumentException($"variance must be non-negative, got {variance}.", nameof(variance));
            double dm = Mean - mean, ds = Math.Sqrt(Math.Max(Variance, 0)) - Math.Sqrt(variance);
            return Math.Sqrt(dm * dm + ds * ds);
        }
    }

    /// <summary>
    /// The exact law of x_t for N(<paramref name="mean"/>, <paramref name="variance"/>) data along <paramref name="path"/>,
    /// N(alpha_t m, alpha_t^2 v + sigma_t^2), read from the mixture's marginal (<see cref="GaussianMixture.Along"/>).
    /// </summary>
    /// <param name="mean">m, the data mean.</param>
    /// <param name="variance">v, the data variance, positive.</param>
    /// <param name="path">The path.</param>
    /// <param name="t">The time, inside (0, 1).</param>
    public static (double Mean, double Variance) Marginal(double mean, double variance, GaussianPath path, double t)
    {
        if (!(variance > 0) || !double.IsFinite(variance)) throw new ArgumentException($"variance must be positive and finite, got {variance}.", nameof(variance));
        var component = GaussianMixture.Isotropic([1.0], [[mean]], [Math.Sqrt(variance)]).Along(path, t).Density.Components[0];
        return (component.Mean[0], component.Covariance[0][0]);
    }

    /// <summary>
    /// The law of the end point of <paramref name="sampler"/> on N(<paramref name="mean"/>, <paramref name="variance"/>)
    /// data along <paramref name="path"/> over <paramref name="grid"/>, with the exact score.
    /// </summary>
    /// <param name="mean">m, the data mean.</param>
    /// <param name="variance">v, the data variance, positive.</param>
    /// <param name="path">The path.</param>
    /// <param name="sampler">A sampler whose noise enters affinely (every stochastic sampler but predictor_corrector, whose step depends on the ensemble; deterministic ones too).</param>
    /// <param name="grid">The grid, from the noise end towards the data end.</param>
    public static Law Of(double mean, double variance, GaussianPath path, Sampler sampler, TimeGrid grid)
    {
        if (!double.IsFinite(mean)) throw new ArgumentException($"mean must be finite, got {mean}.", nameof(mean));
        if (!(variance > 0) || !double.IsFinite(variance)) throw new ArgumentException($"variance must be positive and finite, got {variance}.", nameof(variance));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (sampler is null) throw new ArgumentException("sampler must not be null.", nameof(sampler));
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        if (sampler is Sampler.PredictorCorrector)
            throw new ArgumentException("predictor_corrector sets its Langevin step from the whole ensemble's score norms, so the end point's coefficients depend on every path's noise, not on its own alone.", nameof(sampler));
        var times = sampler.Retime(grid.TimesArray(path), path);
        int steps = times.Length - 1;
        var noise = sampler.Noise(path, times) ?? new NoiseDescription(0, []);
        bool tree = noise.TreeLevels.Length > 0;
        int features = tree ? noise.TreeLevels.Length : steps * noise.NormalsPerStep;
        int n = features + 2 + 40;
        const ulong seed = 0x5EED;
        var data = GaussianMixture.Isotropic([1.0], [[mean]], [Math.Sqrt(variance)]);
        var start = Samplers.ExactMarginalSample(data, path, times[0], n, 11);
        var end = Samplers.Run(path, Samplers.ExactScore(new MarginalField(data, path)), sampler, start, new TimeGrid.Explicit(times), seed, 1).Final;
        double top = ScaledRun.Levels(path, [times[0]])[0];
        var design = Matrix<double>.Build.Dense(n, features + 2);
        var w = new double[1];
        var stream = new ulong[4];
        for (int i = 0; i < n; i++)
        {
            design[i, 0] = 1;
            design[i, 1] = start.Row(i)[0];
            Xoshiro.Seed(stream, seed, (ulong)i);
            if (tree)
            {
                // The key ScaledRun.TreeValue uses: the run's seed and the first word of the path's stream.
                ulong key = SplitMix64.Hash(seed, stream[0]);
                for (int j = 0; j < features; j++)
                {
                    BrownianTree.Fill(key, 0, top, 1e-12, noise.TreeLevels[j], w);
                    design[i, 2 + j] = w[0];
                }
            }
            else
                for (int j = 0; j < features; j++)
                {
                    Xoshiro.Normals(stream, w);
                    design[i, 2 + j] = w[0];
                }
        }
        var target = Vector<double>.Build.Dense(end.Column(0));
        var coefficients = design.QR().Solve(target);
        double residual = (design * coefficients - target).AbsoluteMaximum();
        var (m0, v0) = Marginal(mean, variance, path, times[0]);
        double a = coefficients[1], endVariance = a * a * v0;
        var b = coefficients.SubVector(2, features);
        if (tree) endVariance += b * (Matrix<double>.Build.Dense(features, features, (j, k) => Math.Min(noise.TreeLevels[j], noise.TreeLevels[k])) * b);
        else endVariance += b * b;
        return new Law(coefficients[0] + a * m0, endVariance, residual, n);
    }
}
