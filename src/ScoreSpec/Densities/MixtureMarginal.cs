using ScoreSpec.Paths;

namespace ScoreSpec.Densities;

/// <summary>
/// The exact marginal p_t of Gaussian-mixture data z ~ sum_k pi_k N(mu_k, Sigma_k) carried along a Gaussian path:
/// p_t = sum_k pi_k N(alpha_t mu_k, C_k) with C_k = alpha_t^2 Sigma_k + sigma_t^2 I.
/// Its denoiser, noise prediction and velocity are computed from the Bayes posterior of (component, z, e) given x,
/// not from the score: given component k, (z, e, x) are jointly normal, so
/// E[z | x, k] = mu_k + alpha_t Sigma_k C_k^{-1} (x - alpha_t mu_k) and E[e | x, k] = sigma_t C_k^{-1} (x - alpha_t mu_k),
/// and the marginal answers average these with the posterior component weights w_k(x). The velocity is the
/// posterior mean of the conditional velocity, E[alphadot_t z + sigmadot_t e | x] (shared/seeds/002, Chapters 2-3 and 8;
/// shared/seeds/003, "Tweedie's Formula").
/// </summary>
public sealed record MixtureMarginal : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(MixtureMarginal? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(MixtureMarginal)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Data, Point];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    private readonly double[][] denoiserGain; // alpha_t Sigma_k C_k^{-1}, row-major

    /// <summary>Carries <paramref name="data"/> along <paramref name="path"/> to <paramref name="t"/> in (0, 1).</summary>
    public MixtureMarginal(GaussianMixture data, GaussianPath path, double t)
    {
        Data = data ?? throw new ArgumentException("data must not be null.", nameof(data));
        Point = new PathPoint(path, t);
        double a = Point.Alpha;
        int d = data.Dimension;
        Density = data.Mixed(a, Point.Sigma);
        denoiserGain = new double[data.components.Length][];
        for (int k = 0; k < data.components.Length; k++)
        {
            Gaussian src = data.components[k], carried = Density.components[k];
            if (src.variances is not null)
            {
                // Diagonal data covariance: the gain alpha_t Sigma_k C_k^{-1} is diagonal too, O(d).
                var g = new double[d];
                for (int i = 0; i < d; i++) g[i] = a * (src.variances[i] * carried.diagPrecision![i]);
                denoiserGain[k] = g;
                continue;
            }
            var gain = new double[d * d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    double acc = 0;
                    for (int l = 0; l < d; l++) acc += src.Covariance[i][l] * carried.PrecisionEntry(l, j);
                    gain[i * d + j] = a * acc;
                }
            denoiserGain[k] = gain;
        }
    }

    /// <summary>The data distribution p_data (the mixture at the data end, before any noise).</summary>
    public GaussianMixture Data { get; }
    /// <summary>The path coefficients at this time.</summary>
    public PathPoint Point { get; }
    /// <summary>The path.</summary>
    public GaussianPath Path => Point.Path;
    /// <summary>The time t.</summary>
    public double T => Point.T;
    /// <summary>p_t itself, as a Gaussian mixture.</summary>
    public GaussianMixture Density { get; }
    /// <summary>The dimension.</summary>
    public int Dimension => Data.Dimension;

    /// <summary>log p_t(x).</summary>
    public double LogDensity(double[] x) => Density.LogDensity(x);

    /// <summary>The marginal score grad_x log p_t(x).</summary>
    public double[] Score(double[] x) => Density.Score(x);

    /// <summary>The Hessian of log p_t at x.</summary>
    public double[,] Hessian(double[] x) => Density.Hessian(x);

    /// <summary>The posterior probabilities of the data components given x_t = x.</summary>
    public double[] PosteriorWeights(double[] x) => Density.PosteriorWeights(x);

    /// <summary>The exact denoiser E[z | x_t = x] = sum_k w_k(x) (mu_k + alpha_t Sigma_k C_k^{-1}(x - alpha_t mu_k)).</summary>
    public double[] Denoiser(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var r = new double[Dimension];
        DenoiserCore(x, r);
        return r;
    }

    /// <summary>The exact noise prediction E[e | x_t = x] = sum_k w_k(x) sigma_t C_k^{-1}(x - alpha_t mu_k).</summary>
    public double[] Noise(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var r = new double[Dimension];
        NoiseCore(x, r);
        return r;
    }

    /// <summary>The exact marginal velocity u_t(x) = alphadot_t E[z | x] + sigmadot_t E[e | x], dx/dt in the path's own time.</summary>
    public double[] Velocity(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        int d = Dimension;
        var z = new double[d];
        var e = new double[d];
        DenoiserCore(x, z);
        NoiseCore(x, e);
        for (int i = 0; i < d; i++) z[i] = Point.AlphaDot * z[i] + Point.SigmaDot * e[i];
        return z;
    }

    /// <summary>The exact marginal v-prediction E[alpha_t e - sigma_t z | x].</summary>
    public double[] VPrediction(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        int d = Dimension;
        var z = new double[d];
        var e = new double[d];
        DenoiserCore(x, z);
        NoiseCore(x, e);
        for (int i = 0; i < d; i++) z[i] = Point.Alpha * e[i] - Point.Sigma * z[i];
        return z;
    }

    /// <summary>The exact marginal value of any <see cref="Quantity"/> at x.</summary>
    public double[] Evaluate(Quantity quantity, double[] x) => quantity switch
    {
        Quantity.Score => Score(x),
        Quantity.Noise => Noise(x),
        Quantity.Denoiser => Denoiser(x),
        Quantity.Velocity => Velocity(x),
        Quantity.VPrediction => VPrediction(x),
        _ => throw new ArgumentException($"quantity {quantity} is not known.", nameof(quantity)),
    };

    /// <summary>One draw of x_t: z from the data, e ~ N(0, I), x = alpha_t z + sigma_t e.</summary>
    public double[] Sample(Random rng) => Density.Sample(rng);

    internal void DenoiserCore(ReadOnlySpan<double> x, Span<double> result)
    {
        int d = Dimension, K = Density.components.Length;
        Span<double> w = K <= 64 ? stackalloc double[K] : new double[K];
        Density.Posterior(x, w);
        result.Clear();
        for (int k = 0; k < K; k++)
        {
            var mu = Data.components[k].mean;
            var mt = Density.components[k].mean;
            var g = denoiserGain[k];
            if (Data.components[k].variances is not null)
            {
                for (int i = 0; i < d; i++) result[i] += w[k] * (mu[i] + g[i] * (x[i] - mt[i]));
                continue;
            }
            for (int i = 0; i < d; i++)
            {
                double acc = mu[i];
                for (int j = 0; j < d; j++) acc += g[i * d + j] * (x[j] - mt[j]);
                result[i] += w[k] * acc;
            }
        }
    }

    internal void NoiseCore(ReadOnlySpan<double> x, Span<double> result)
    {
        int d = Dimension, K = Density.components.Length;
        Span<double> w = K <= 64 ? stackalloc double[K] : new double[K];
        Density.Posterior(x, w);
        result.Clear();
        double s = Point.Sigma;
        for (int k = 0; k < K; k++)
        {
            var c = Density.components[k];
            if (c.diagPrecision is not null)
            {
                for (int i = 0; i < d; i++) result[i] += w[k] * s * (c.diagPrecision[i] * (x[i] - c.mean[i]));
                continue;
            }
            var precision = c.precision!;
            for (int i = 0; i < d; i++)
            {
                double acc = 0;
                for (int j = 0; j < d; j++) acc += precision[i * d + j] * (x[j] - c.mean[j]);
                result[i] += w[k] * s * acc;
            }
        }
    }
}
