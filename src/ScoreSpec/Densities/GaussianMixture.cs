using System.Collections.Immutable;
using ScoreSpec.Paths;

namespace ScoreSpec.Densities;

/// <summary>
/// A Gaussian mixture p(x) = sum_k pi_k N(x; mu_k, Sigma_k) in any dimension. Its score is the
/// posterior-weighted average of the component scores, grad log p(x) = sum_k w_k(x) (-Sigma_k^{-1}(x - mu_k)),
/// with w_k(x) = pi_k N(x; mu_k, Sigma_k) / p(x) (shared/seeds/002, Chapter 1, "Worked example - 2D Gaussian mixture").
/// Log densities and posterior weights go through log-sum-exp, so they stay finite far from every component.
/// </summary>
public sealed record GaussianMixture
{
    internal readonly double[] logWeights;
    internal readonly Gaussian[] components;

    /// <summary>
    /// Creates the mixture. Weights must be positive and sum to 1 within 1e-9 (nothing is renormalised silently);
    /// components must share one dimension.
    /// </summary>
    public GaussianMixture(double[] weights, Gaussian[] components)
    {
        Guard.NotNull(weights, nameof(weights));
        Guard.NotNull(components, nameof(components));
        if (weights.Length == 0) throw new ArgumentException("weights must have at least one entry.", nameof(weights));
        if (components.Length != weights.Length)
            throw new ArgumentException($"components must have one entry per weight ({weights.Length}), got {components.Length}.", nameof(components));
        double sum = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            if (!double.IsFinite(weights[k]) || weights[k] <= 0)
                throw new ArgumentException($"weights[{k}] must be positive and finite, got {weights[k]}.", nameof(weights));
            sum += weights[k];
        }
        if (Math.Abs(sum - 1) > 1e-9)
            throw new ArgumentException($"weights must sum to 1 within 1e-9, got {sum:R}.", nameof(weights));
        for (int k = 0; k < components.Length; k++)
        {
            if (components[k] is null) throw new ArgumentException($"components[{k}] must not be null.", nameof(components));
            if (components[k].Dimension != components[0].Dimension)
                throw new ArgumentException($"components[{k}] has dimension {components[k].Dimension}, components[0] has {components[0].Dimension}.", nameof(components));
        }
        this.components = (Gaussian[])components.Clone();
        logWeights = weights.Select(w => Math.Log(w)).ToArray();
        Weights = [.. weights];
        Components = [.. components];
        Dimension = components[0].Dimension;
    }

    /// <summary>A mixture of full-covariance components: weights[k], means[k], covariances[k].</summary>
    public static GaussianMixture Create(double[] weights, double[][] means, double[][,] covariances)
    {
        Guard.NotNull(means, nameof(means));
        Guard.NotNull(covariances, nameof(covariances));
        if (means.Length != covariances.Length)
            throw new ArgumentException($"covariances must have one entry per mean ({means.Length}), got {covariances.Length}.", nameof(covariances));
        return new GaussianMixture(weights, means.Select((m, k) => new Gaussian(m, covariances[k])).ToArray());
    }

    /// <summary>A mixture of isotropic components N(means[k], stds[k]^2 I).</summary>
    public static GaussianMixture Isotropic(double[] weights, double[][] means, double[] stds)
    {
        Guard.NotNull(means, nameof(means));
        Guard.NotNull(stds, nameof(stds));
        if (means.Length != stds.Length)
            throw new ArgumentException($"stds must have one entry per mean ({means.Length}), got {stds.Length}.", nameof(stds));
        return new GaussianMixture(weights, means.Select((m, k) => Gaussian.Isotropic(m, stds[k])).ToArray());
    }

    /// <summary>The one-component mixture holding <paramref name="gaussian"/>.</summary>
    public static GaussianMixture Single(Gaussian gaussian) => new([1.0], [gaussian]);

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }
    /// <summary>The mixture weights pi_k.</summary>
    public ImmutableArray<double> Weights { get; }
    /// <summary>The components N(mu_k, Sigma_k).</summary>
    public ImmutableArray<Gaussian> Components { get; }

    /// <summary>log p(x) = logsumexp_k (log pi_k + log N(x; mu_k, Sigma_k)).</summary>
    public double LogDensity(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        Span<double> l = stackalloc double[components.Length];
        return LogJoint(x, l);
    }

    /// <summary>The posterior component weights w_k(x) = pi_k N(x; mu_k, Sigma_k) / p(x), by log-sum-exp.</summary>
    public double[] PosteriorWeights(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var w = new double[components.Length];
        Posterior(x, w);
        return w;
    }

    /// <summary>
    /// The log posterior weights log w_k(x) = log pi_k + log N(x; mu_k, Sigma_k) - log p(x). Unlike the logarithm of
    /// <see cref="PosteriorWeights"/> these stay finite and keep full relative precision far from a component, where
    /// w_k itself underflows (a class probability of 1e-400 is -921.0, not log 0).
    /// </summary>
    /// <param name="x">The point, of the mixture's dimension.</param>
    public double[] LogPosteriorWeights(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var l = new double[components.Length];
        double lse = LogJoint(x, l);
        for (int k = 0; k < l.Length; k++) l[k] -= lse;
        return l;
    }

    /// <summary>The score grad log p(x) = sum_k w_k(x) (-Sigma_k^{-1}(x - mu_k)).</summary>
    public double[] Score(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var s = new double[Dimension];
        ScoreCore(x, s);
        return s;
    }

    /// <summary>
    /// The Hessian of log p: sum_k w_k (-Sigma_k^{-1} + s_k s_k^T) - s s^T, with s_k the component scores and s the
    /// mixture score (differentiate s = sum_k w_k s_k using grad w_k = w_k (s_k - s)).
    /// </summary>
    public double[,] Hessian(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        int d = Dimension, K = components.Length;
        var w = new double[K];
        Posterior(x, w);
        var h = new double[d, d];
        var s = new double[d];
        var sk = new double[d];
        for (int k = 0; k < K; k++)
        {
            components[k].ScoreCore(x, sk);
            for (int i = 0; i < d; i++)
            {
                s[i] += w[k] * sk[i];
                for (int j = 0; j < d; j++)
                    h[i, j] += w[k] * (sk[i] * sk[j] - components[k].PrecisionEntry(i, j));
            }
        }
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) h[i, j] -= s[i] * s[j];
        return h;
    }

    /// <summary>
    /// The mean of the mixture, E[x] = sum_k pi_k mu_k.
    /// </summary>
    public ImmutableArray<double> Mean
    {
        get
        {
            var m = new double[Dimension];
            for (int k = 0; k < components.Length; k++)
                for (int j = 0; j < Dimension; j++) m[j] += Weights[k] * components[k].mean[j];
            return [.. m];
        }
    }

    /// <summary>
    /// The covariance of the mixture by the law of total covariance, Cov[x] = sum_k pi_k (Sigma_k + (mu_k - m)(mu_k - m)^T)
    /// with m the mixture's mean, as rows.
    /// </summary>
    public ImmutableArray<ImmutableArray<double>> Covariance
    {
        get
        {
            var m = Mean;
            int d = Dimension;
            var rows = new ImmutableArray<double>[d];
            for (int i = 0; i < d; i++)
            {
                var row = new double[d];
                for (int j = 0; j < d; j++)
                    for (int k = 0; k < components.Length; k++)
                    {
                        var c = components[k];
                        row[j] += Weights[k] * (c.CovarianceEntry(i, j) + (c.mean[i] - m[i]) * (c.mean[j] - m[j]));
                    }
                rows[i] = [.. row];
            }
            return [.. rows];
        }
    }

    /// <summary>
    /// The central moment E[(x_i - m_i)^2 (x_j - m_j)^2] about the mixture's mean m: for a component N(mu, S) with
    /// a = mu - m, Isserlis' theorem for the shifted normal gives (S_ii + a_i^2)(S_jj + a_j^2) + 2 S_ij^2 + 4 a_i a_j S_ij,
    /// averaged with the weights. Var[(x_i - m_i)(x_j - m_j)] = this minus Cov_ij^2: the variance behind the standard error
    /// of a sample covariance entry.
    /// </summary>
    /// <param name="i">A coordinate, 0 to d - 1.</param>
    /// <param name="j">A coordinate, 0 to d - 1 (j = i gives the fourth central moment of coordinate i).</param>
    public double CentralFourthMoment(int i, int j)
    {
        if (i < 0 || i >= Dimension) throw new ArgumentException($"i must lie in [0, {Dimension - 1}], got {i}.", nameof(i));
        if (j < 0 || j >= Dimension) throw new ArgumentException($"j must lie in [0, {Dimension - 1}], got {j}.", nameof(j));
        var m = Mean;
        double total = 0;
        for (int k = 0; k < components.Length; k++)
        {
            var c = components[k];
            double ai = c.mean[i] - m[i], aj = c.mean[j] - m[j];
            double sii = c.CovarianceEntry(i, i), sjj = c.CovarianceEntry(j, j), sij = c.CovarianceEntry(i, j);
            total += Weights[k] * ((sii + ai * ai) * (sjj + aj * aj) + 2 * sij * sij + 4 * ai * aj * sij);
        }
        return total;
    }

    /// <summary>The law of coordinate <paramref name="j"/>: the one-dimensional mixture of N(mu_kj, Sigma_k,jj) with the same weights.</summary>
    /// <param name="j">A coordinate, 0 to d - 1.</param>
    public GaussianMixture Coordinate(int j)
    {
        if (j < 0 || j >= Dimension) throw new ArgumentException($"j must lie in [0, {Dimension - 1}], got {j}.", nameof(j));
        return new([.. Weights], components.Select(c => Gaussian.Diagonal([c.mean[j]], [c.CovarianceEntry(j, j)])).ToArray());
    }

    /// <summary>The CDF of a one-dimensional mixture, sum_k pi_k Phi((x - mu_k)/s_k); throws for d &gt; 1.</summary>
    public double Cdf(double x)
    {
        if (Dimension != 1) throw new InvalidOperationException($"Cdf is defined for one-dimensional mixtures; this one has dimension {Dimension}.");
        Guard.Finite(x, nameof(x));
        double cdf = 0;
        for (int k = 0; k < components.Length; k++)
            cdf += Weights[k] * MathNet.Numerics.Distributions.Normal.CDF(components[k].mean[0], Math.Sqrt(components[k].Covariance[0][0]), x);
        return cdf;
    }

    /// <summary>
    /// <paramref name="count"/> exact draws as an ensemble: point i from the xoshiro256** stream keyed (seed, i), drawn in
    /// parallel blocks, so the same seed gives the same bits on any thread count and point i does not depend on count.
    /// </summary>
    /// <param name="count">The number of points, at least 1.</param>
    /// <param name="seed">The key of the streams.</param>
    public Sampling.Ensemble Draw(int count, ulong seed)
    {
        if (count < 1) throw new ArgumentException($"count must be at least 1, got {count}.", nameof(count));
        int d = Dimension;
        var v = new double[count * d];
        Parallel.For(0, Sampling.Samplers.Blocks, b =>
        {
            var (lo, hi) = Sampling.SamplerRun.Range(count, b);
            var rng = new Numerics.XoshiroRandom();
            for (int i = lo; i < hi; i++)
            {
                rng.Reset(seed, (ulong)i);
                SampleInto(rng, v.AsSpan(i * d, d));
            }
        });
        return Sampling.Ensemble.Wrap(count, d, v);
    }

    /// <summary>One draw: a component k with probability pi_k, then a draw from N(mu_k, Sigma_k).</summary>
    public double[] Sample(Random rng)
    {
        if (rng is null) throw new ArgumentException("rng must not be null.", nameof(rng));
        var x = new double[Dimension];
        SampleInto(rng, x);
        return x;
    }

    /// <summary><paramref name="n"/> independent draws, one array each.</summary>
    public double[][] Sample(Random rng, int n)
    {
        if (rng is null) throw new ArgumentException("rng must not be null.", nameof(rng));
        if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}.", nameof(n));
        var result = new double[n][];
        for (int i = 0; i < n; i++) result[i] = Sample(rng);
        return result;
    }

    /// <summary>
    /// The law of alpha z + sigma e for z drawn from this mixture and e ~ N(0, I) independent of it: again a mixture,
    /// sum_k pi_k N(alpha mu_k, alpha^2 Sigma_k + sigma^2 I) (shared/seeds/002 Ch. 3, the Gaussian marginal of a
    /// Gaussian conditional path). Diagonal components stay diagonal, so the cost is O(K d) for them and O(K d^3) for full
    /// ones. <see cref="Along"/> uses it with (alpha_t, sigma_t) of a path; the DDPM chain with (sqrt(abar), sqrt(1 - abar)).
    /// </summary>
    /// <param name="alpha">The scale of the data, finite.</param>
    /// <param name="sigma">The scale of the noise, finite and non-negative; alpha and sigma not both zero.</param>
    public GaussianMixture Mixed(double alpha, double sigma)
    {
        Guard.Finite(alpha, nameof(alpha));
        Guard.NonNegative(sigma, nameof(sigma));
        if (alpha == 0 && sigma == 0) throw new ArgumentException("alpha and sigma must not both be zero.", nameof(sigma));
        int d = Dimension;
        var comps = new Gaussian[components.Length];
        for (int k = 0; k < comps.Length; k++)
        {
            var src = components[k];
            var m = new double[d];
            for (int i = 0; i < d; i++) m[i] = alpha * src.mean[i];
            if (src.variances is not null)
            {
                var v = new double[d];
                for (int i = 0; i < d; i++) v[i] = alpha * alpha * src.variances[i] + sigma * sigma;
                comps[k] = Gaussian.Diagonal(m, v);
                continue;
            }
            var c = new double[d, d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) c[i, j] = alpha * alpha * src.Covariance[i][j] + (i == j ? sigma * sigma : 0);
            comps[k] = new Gaussian(m, c);
        }
        return new GaussianMixture([.. Weights], comps);
    }

    /// <summary>
    /// The exact marginal p_t of this data distribution carried along <paramref name="path"/> to time t:
    /// x_t = alpha_t z + sigma_t e with z ~ this mixture is again a mixture, sum_k pi_k N(alpha_t mu_k, alpha_t^2 Sigma_k + sigma_t^2 I).
    /// </summary>
    public MixtureMarginal Along(GaussianPath path, double t) => new(this, path, t);

    internal double LogJoint(ReadOnlySpan<double> x, Span<double> logJoint)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < components.Length; k++)
        {
            logJoint[k] = logWeights[k] + components[k].LogDensityCore(x);
            if (logJoint[k] > max) max = logJoint[k];
        }
        double sum = 0;
        for (int k = 0; k < components.Length; k++) sum += Math.Exp(logJoint[k] - max);
        return max + Math.Log(sum);
    }

    internal void Posterior(ReadOnlySpan<double> x, Span<double> weights)
    {
        double lse = LogJoint(x, weights);
        for (int k = 0; k < components.Length; k++) weights[k] = Math.Exp(weights[k] - lse);
    }

    internal void ScoreCore(ReadOnlySpan<double> x, Span<double> score)
    {
        int d = Dimension, K = components.Length;
        Span<double> w = K <= 64 ? stackalloc double[K] : new double[K];
        Span<double> sk = d <= 64 ? stackalloc double[d] : new double[d];
        Posterior(x, w);
        score.Clear();
        for (int k = 0; k < K; k++)
        {
            components[k].ScoreCore(x, sk);
            for (int i = 0; i < d; i++) score[i] += w[k] * sk[i];
        }
    }

    internal void SampleInto(Random rng, Span<double> x)
    {
        double u = rng.NextDouble(), acc = 0;
        int k = 0;
        for (; k < components.Length - 1; k++)
        {
            acc += Weights[k];
            if (u < acc) break;
        }
        components[k].SampleInto(rng, x);
    }

    /// <summary>Value equality on weights and components.</summary>
    public bool Equals(GaussianMixture? other) =>
        other is not null && Weights.SequenceEqual(other.Weights) && Components.SequenceEqual(other.Components);

    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>A hash of weights and components.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double w in Weights) h.Add(w);
        foreach (var c in components) h.Add(c);
        return h.ToHashCode();
    }
}
