using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.Identities;

/// <summary>
/// Random problem instances for the identity checks: Gaussian mixtures with random weights, means and full
/// covariances, random path parameters around the defaults, and times away from the ends. Everything is drawn from
/// the <see cref="Random"/> passed in, so a seed fixes the instance.
/// </summary>
public static class RandomInstances
{
    /// <summary>
    /// A mixture in <paramref name="dimension"/> dimensions with 1 to <paramref name="maxComponents"/> components:
    /// weights from a flat Dirichlet (floored at 0.05 and renormalised), means N(0, 2^2 I), covariances
    /// s^2 (A A^T / d + 0.25 I) with A standard normal and s uniform in [0.3, 1.2].
    /// </summary>
    public static GaussianMixture Mixture(Random rng, int dimension, int maxComponents = 3)
    {
        int k = 1 + rng.Next(maxComponents);
        var raw = Enumerable.Range(0, k).Select(_ => 0.05 + Exponential.Sample(rng, 1)).ToArray();
        double total = raw.Sum();
        var weights = raw.Select(w => w / total).ToArray();
        var comps = new Gaussian[k];
        for (int c = 0; c < k; c++)
        {
            var mean = Enumerable.Range(0, dimension).Select(_ => Normal.Sample(rng, 0, 2)).ToArray();
            var a = new double[dimension, dimension];
            for (int i = 0; i < dimension; i++) for (int j = 0; j < dimension; j++) a[i, j] = Normal.Sample(rng, 0, 1);
            double s = 0.3 + 0.9 * rng.NextDouble();
            var cov = new double[dimension, dimension];
            for (int i = 0; i < dimension; i++)
                for (int j = 0; j < dimension; j++)
                {
                    double acc = 0;
                    for (int l = 0; l < dimension; l++) acc += a[i, l] * a[j, l];
                    cov[i, j] = s * s * (acc / dimension + (i == j ? 0.25 : 0));
                }
            comps[c] = new Gaussian(mean, cov);
        }
        return new GaussianMixture(weights, comps);
    }

    /// <summary>
    /// A 1D mixture of 2 or 3 overlapping components (weights 0.2 + U(0, 1) normalised, means U(-1, 1), standard
    /// deviations U(0.6, 1.2)): no component is separated from the others by a low-density gap, so Langevin dynamics on
    /// it mixes within a few multiples of its variance in time.
    /// </summary>
    public static GaussianMixture OverlappingMixture1D(Random rng)
    {
        int k = 2 + rng.Next(2);
        var raw = Enumerable.Range(0, k).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        return GaussianMixture.Isotropic(raw.Select(w => w / raw.Sum()).ToArray(),
            Enumerable.Range(0, k).Select(_ => new[] { 2 * rng.NextDouble() - 1 }).ToArray(),
            Enumerable.Range(0, k).Select(_ => 0.6 + 0.6 * rng.NextDouble()).ToArray());
    }

    /// <summary>A path of the given kind with parameters drawn around the contract defaults (<see cref="PathKind.Random"/>).</summary>
    public static GaussianPath Path(Random rng, string kind) => PathRegistry.Get(kind).Random(rng);

    /// <summary>Every path kind of the registry.</summary>
    public static IReadOnlyList<string> Kinds => PathRegistry.Names;

    /// <summary>A time uniform in [0.05, 0.95], away from the ends where alpha or sigma vanish.</summary>
    public static double Time(Random rng) => 0.05 + 0.9 * rng.NextDouble();

    /// <summary>A standard normal vector.</summary>
    public static double[] StandardNormal(Random rng, int dimension)
        => Enumerable.Range(0, dimension).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
}
