using System.Collections.Immutable;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Paths;

namespace ScoreSpec.Densities;

/// <summary>
/// A multivariate normal N(mu, Sigma) with full symmetric positive-definite covariance, with its log density,
/// exact score s(x) = -Sigma^{-1}(x - mu) and Hessian -Sigma^{-1} (shared/seeds/003, "Property 3: Score of Gaussian";
/// shared/seeds/002, Chapter 1 worked example). Work is done through the Cholesky factor Sigma = L L^T, so that
/// log N(x) = -d/2 log(2 pi) - sum_i log L_ii - |L^{-1}(x - mu)|^2 / 2.
/// </summary>
public sealed record Gaussian
{
    internal readonly double[] mean;
    internal readonly double[] chol;      // lower factor, row-major d x d
    internal readonly double[] precision; // Sigma^{-1}, row-major d x d
    internal readonly double logNormalizer;

    /// <summary>
    /// Creates N(mean, covariance). Throws an <see cref="ArgumentException"/> naming <paramref name="mean"/> or
    /// <paramref name="covariance"/> for NaN or infinite entries, a dimension mismatch, an asymmetric matrix
    /// (relative asymmetry above 1e-10) or one that is not positive definite.
    /// </summary>
    public Gaussian(double[] mean, double[,] covariance)
    {
        Guard.NotNull(mean, nameof(mean));
        int d = mean.Length;
        if (d == 0) throw new ArgumentException("mean must have at least one entry.", nameof(mean));
        Guard.FiniteVector(mean, d, nameof(mean));
        if (covariance is null) throw new ArgumentException("covariance must not be null.", nameof(covariance));
        if (covariance.GetLength(0) != d || covariance.GetLength(1) != d)
            throw new ArgumentException($"covariance must be {d} x {d} to match mean, got {covariance.GetLength(0)} x {covariance.GetLength(1)}.", nameof(covariance));
        double scale = 0;
        foreach (double v in covariance)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"covariance entries must be finite, got {v}.", nameof(covariance));
            scale = Math.Max(scale, Math.Abs(v));
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(covariance[i, j] - covariance[j, i]) > 1e-10 * scale)
                    throw new ArgumentException($"covariance must be symmetric: [{i},{j}] = {covariance[i, j]} but [{j},{i}] = {covariance[j, i]}.", nameof(covariance));

        var matrix = Matrix<double>.Build.DenseOfArray(covariance);
        matrix = (matrix + matrix.Transpose()) / 2;
        MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> factor;
        try { factor = matrix.Cholesky(); }
        catch (ArgumentException) { throw new ArgumentException("covariance must be positive definite (its Cholesky factorisation failed).", nameof(covariance)); }
        var L = factor.Factor;
        for (int i = 0; i < d; i++)
            if (!(L[i, i] > 0) || !double.IsFinite(L[i, i]))
                throw new ArgumentException("covariance must be positive definite (a Cholesky pivot is not positive).", nameof(covariance));

        var inverse = factor.Solve(Matrix<double>.Build.DenseIdentity(d));
        this.mean = (double[])mean.Clone();
        chol = new double[d * d];
        precision = new double[d * d];
        double logDet = 0;
        for (int i = 0; i < d; i++)
        {
            logDet += Math.Log(L[i, i]);
            for (int j = 0; j < d; j++)
            {
                chol[i * d + j] = j <= i ? L[i, j] : 0;
                precision[i * d + j] = (inverse[i, j] + inverse[j, i]) / 2;
            }
        }
        Dimension = d;
        logNormalizer = -0.5 * d * Math.Log(2 * Math.PI) - logDet;
        Mean = [.. mean];
        Covariance = Copy(matrix.ToArray());
    }

    /// <summary>N(mean, std^2 I), an isotropic normal.</summary>
    public static Gaussian Isotropic(double[] mean, double std)
    {
        Guard.NotNull(mean, nameof(mean));
        Guard.Positive(std, nameof(std));
        var cov = new double[mean.Length, mean.Length];
        for (int i = 0; i < mean.Length; i++) cov[i, i] = std * std;
        return new Gaussian(mean, cov);
    }

    /// <summary>The standard normal N(0, I) in <paramref name="dimension"/> dimensions.</summary>
    public static Gaussian Standard(int dimension)
    {
        if (dimension < 1) throw new ArgumentException($"dimension must be at least 1, got {dimension}.", nameof(dimension));
        return Isotropic(new double[dimension], 1.0);
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The mean mu.</summary>
    public ImmutableArray<double> Mean { get; }

    /// <summary>The covariance Sigma as rows (a copy; the record never changes).</summary>
    public ImmutableArray<ImmutableArray<double>> Covariance { get; }

    /// <summary>log N(x; mu, Sigma).</summary>
    public double LogDensity(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        return LogDensityCore(x);
    }

    /// <summary>The score grad_x log N(x; mu, Sigma) = -Sigma^{-1}(x - mu).</summary>
    public double[] Score(double[] x)
    {
        Guard.FiniteVector(x, Dimension, nameof(x));
        var s = new double[Dimension];
        ScoreCore(x, s);
        return s;
    }

    /// <summary>The Hessian of the log density, -Sigma^{-1}, constant in x.</summary>
    public double[,] Hessian()
    {
        int d = Dimension;
        var h = new double[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) h[i, j] = -precision[i * d + j];
        return h;
    }

    /// <summary>One draw mu + L xi with xi ~ N(0, I) from <paramref name="rng"/>.</summary>
    public double[] Sample(Random rng)
    {
        if (rng is null) throw new ArgumentException("rng must not be null.", nameof(rng));
        var x = new double[Dimension];
        SampleInto(rng, x);
        return x;
    }

    /// <summary>This normal carried along <paramref name="path"/> to time t: N(alpha_t mu, alpha_t^2 Sigma + sigma_t^2 I), as a one-component mixture.</summary>
    public MixtureMarginal Along(GaussianPath path, double t) => GaussianMixture.Single(this).Along(path, t);

    internal double LogDensityCore(ReadOnlySpan<double> x)
    {
        int d = Dimension;
        Span<double> y = d <= 64 ? stackalloc double[d] : new double[d];
        double quad = 0;
        for (int i = 0; i < d; i++)
        {
            double acc = x[i] - mean[i];
            for (int j = 0; j < i; j++) acc -= chol[i * d + j] * y[j];
            y[i] = acc / chol[i * d + i];
            quad += y[i] * y[i];
        }
        return logNormalizer - 0.5 * quad;
    }

    internal void ScoreCore(ReadOnlySpan<double> x, Span<double> score)
    {
        int d = Dimension;
        for (int i = 0; i < d; i++)
        {
            double acc = 0;
            for (int j = 0; j < d; j++) acc -= precision[i * d + j] * (x[j] - mean[j]);
            score[i] = acc;
        }
    }

    internal void SampleInto(Random rng, Span<double> x)
    {
        int d = Dimension;
        Span<double> xi = d <= 64 ? stackalloc double[d] : new double[d];
        for (int i = 0; i < d; i++) xi[i] = Normal.Sample(rng, 0, 1);
        for (int i = 0; i < d; i++)
        {
            double acc = mean[i];
            for (int j = 0; j <= i; j++) acc += chol[i * d + j] * xi[j];
            x[i] = acc;
        }
    }

    /// <summary>The smallest standard deviation of the normal along any direction, sqrt(lambda_min(Sigma)).</summary>
    public double SmallestStd()
    {
        var m = Matrix<double>.Build.Dense(Dimension, Dimension, (i, j) => Covariance[i][j]);
        return Math.Sqrt(m.Evd(Symmetricity.Symmetric).EigenValues.Real().Minimum());
    }

    private static ImmutableArray<ImmutableArray<double>> Copy(double[,] m)
    {
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<double>>(m.GetLength(0));
        for (int i = 0; i < m.GetLength(0); i++)
        {
            var row = new double[m.GetLength(1)];
            for (int j = 0; j < row.Length; j++) row[j] = m[i, j];
            rows.Add([.. row]);
        }
        return rows.MoveToImmutable();
    }

    /// <summary>Value equality on mean and covariance.</summary>
    public bool Equals(Gaussian? other) =>
        other is not null && mean.AsSpan().SequenceEqual(other.mean) && Covariance.Length == other.Covariance.Length
        && Enumerable.Range(0, Dimension).All(i => Covariance[i].SequenceEqual(other.Covariance[i]));

    /// <summary>A hash of the mean and covariance.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double v in mean) h.Add(v);
        foreach (var row in Covariance) foreach (double v in row) h.Add(v);
        return h.ToHashCode();
    }
}
