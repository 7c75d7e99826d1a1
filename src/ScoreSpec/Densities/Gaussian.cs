using System.Collections.Immutable;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Paths;

namespace ScoreSpec.Densities;

/// <summary>
/// A multivariate normal N(mu, Sigma) with symmetric positive-definite covariance, with its log density,
/// exact score s(x) = -Sigma^{-1}(x - mu) and Hessian -Sigma^{-1} (shared/seeds/003, "Property 3: Score of Gaussian";
/// shared/seeds/002, Chapter 1 worked example). A full covariance is worked through its Cholesky factor Sigma = L L^T, so that
/// log N(x) = -d/2 log(2 pi) - sum_i log L_ii - |L^{-1}(x - mu)|^2 / 2. A diagonal covariance (every off-diagonal entry
/// exactly zero, as for <see cref="Isotropic"/> and <see cref="Diagonal"/>) is held as its d variances and costs O(d) per
/// evaluation and O(d) memory: no d x d matrix is ever formed, so d = 10000 is cheap. Both forms give the same numbers,
/// bit for bit, for a diagonal matrix (the Cholesky factor of diag(v) is diag(sqrt v)).
/// </summary>
public sealed record Gaussian
{
    internal readonly double[] mean;
    internal readonly double[]? chol;      // full: lower factor, row-major d x d
    internal readonly double[]? precision; // full: Sigma^{-1}, row-major d x d
    internal readonly double[]? variances; // diagonal: v_i
    internal readonly double[]? diagChol;  // diagonal: sqrt(v_i)
    internal readonly double[]? diagPrecision; // diagonal: (1 / sqrt(v_i)) / sqrt(v_i), as the Cholesky solve of the full form gives it
    internal readonly double logNormalizer;
    private ImmutableArray<ImmutableArray<double>> covariance; // materialised on first use for a diagonal normal

    /// <summary>
    /// Creates N(mean, covariance). Throws an <see cref="ArgumentException"/> naming <paramref name="mean"/> or
    /// <paramref name="covariance"/> for NaN or infinite entries, a dimension mismatch, an asymmetric matrix
    /// (relative asymmetry above 1e-10) or one that is not positive definite. A matrix whose off-diagonal entries are all
    /// exactly zero is held in the diagonal form.
    /// </summary>
    /// <param name="mean">The mean mu, d entries.</param>
    /// <param name="covariance">The covariance Sigma, d x d, symmetric positive definite.</param>
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
        bool diagonal = true;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double v = covariance[i, j];
                if (!double.IsFinite(v)) throw new ArgumentException($"covariance entries must be finite, got {v}.", nameof(covariance));
                scale = Math.Max(scale, Math.Abs(v));
                if (i != j && v != 0) diagonal = false;
            }
        this.mean = (double[])mean.Clone();
        Dimension = d;
        Mean = [.. mean];
        if (diagonal)
        {
            var v = new double[d];
            for (int i = 0; i < d; i++) v[i] = covariance[i, i];
            (variances, diagChol, diagPrecision, logNormalizer) = DiagonalFactors(v, nameof(covariance));
            return;
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
                if (!double.IsFinite(precision[i * d + j]))
                    throw new ArgumentException("covariance is too close to singular: its inverse overflows.", nameof(covariance));
            }
        }
        logNormalizer = -0.5 * d * Math.Log(2 * Math.PI) - logDet;
        this.covariance = Copy(matrix.ToArray());
    }

    private Gaussian(double[] mean, double[] variances)
    {
        this.mean = (double[])mean.Clone();
        Dimension = mean.Length;
        Mean = [.. mean];
        (this.variances, diagChol, diagPrecision, logNormalizer) = DiagonalFactors((double[])variances.Clone(), nameof(variances));
    }

    private static (double[] V, double[] Chol, double[] Precision, double LogNormalizer) DiagonalFactors(double[] v, string name)
    {
        int d = v.Length;
        var c = new double[d];
        var p = new double[d];
        double logDet = 0;
        for (int i = 0; i < d; i++)
        {
            if (!(v[i] > 0) || !double.IsFinite(v[i]))
                throw new ArgumentException($"{name} must be positive definite: diagonal entry {i} is {v[i]}.", name);
            c[i] = Math.Sqrt(v[i]);
            p[i] = 1 / c[i] / c[i];
            if (!double.IsFinite(p[i]))
                throw new ArgumentException($"{name} is too close to singular: diagonal entry {i} ({v[i]}) has an infinite inverse.", name);
            logDet += Math.Log(c[i]);
        }
        return (v, c, p, -0.5 * d * Math.Log(2 * Math.PI) - logDet);
    }

    /// <summary>N(mean, std^2 I), an isotropic normal, held in the diagonal form (O(d) memory and work).</summary>
    /// <param name="mean">The mean, d entries.</param>
    /// <param name="std">The standard deviation of every coordinate, positive, with std^2 finite and positive.</param>
    public static Gaussian Isotropic(double[] mean, double std)
    {
        Guard.NotNull(mean, nameof(mean));
        Guard.Positive(std, nameof(std));
        double v = std * std;
        if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"std must have a finite positive square, got {std} (std^2 = {v}).", nameof(std));
        return Diagonal(mean, Enumerable.Repeat(v, mean.Length).ToArray());
    }

    /// <summary>N(mean, diag(variances)), a normal with independent coordinates, held in the diagonal form.</summary>
    /// <param name="mean">The mean, d entries.</param>
    /// <param name="variances">The variance of each coordinate, d positive finite entries.</param>
    public static Gaussian Diagonal(double[] mean, double[] variances)
    {
        Guard.NotNull(mean, nameof(mean));
        Guard.NotNull(variances, nameof(variances));
        if (mean.Length == 0) throw new ArgumentException("mean must have at least one entry.", nameof(mean));
        Guard.FiniteVector(mean, mean.Length, nameof(mean));
        if (variances.Length != mean.Length)
            throw new ArgumentException($"variances must have {mean.Length} entries to match mean, got {variances.Length}.", nameof(variances));
        return new Gaussian(mean, variances);
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

    /// <summary>The covariance Sigma as rows (a copy; the record never changes). For a diagonal normal it is formed on first
    /// use, d x d numbers: use <see cref="Variances"/> when only the diagonal is needed.</summary>
    public ImmutableArray<ImmutableArray<double>> Covariance
    {
        get
        {
            if (covariance.IsDefault)
            {
                int d = Dimension;
                var m = new double[d, d];
                for (int i = 0; i < d; i++) m[i, i] = variances![i];
                covariance = Copy(m);
            }
            return covariance;
        }
    }

    /// <summary>True when Sigma is diagonal and held as its d variances (O(d) work per evaluation).</summary>
    public bool IsDiagonal => variances is not null;

    /// <summary>The diagonal of Sigma, the variance of each coordinate.</summary>
    public ImmutableArray<double> Variances => variances is not null ? [.. variances] : [.. Enumerable.Range(0, Dimension).Select(i => Covariance[i][i])];

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
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) h[i, j] = -PrecisionEntry(i, j);
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

    /// <summary>Entry (i, j) of Sigma^{-1}.</summary>
    /// <summary>Sigma_ij without forming the matrix of a diagonal normal.</summary>
    internal double CovarianceEntry(int i, int j) => variances is not null ? (i == j ? variances[i] : 0) : Covariance[i][j];

    internal double PrecisionEntry(int i, int j) => diagPrecision is not null ? (i == j ? diagPrecision[i] : 0) : precision![i * Dimension + j];

    internal double LogDensityCore(ReadOnlySpan<double> x)
    {
        int d = Dimension;
        if (diagChol is not null)
        {
            double q = 0;
            for (int i = 0; i < d; i++) { double r = (x[i] - mean[i]) / diagChol[i]; q += r * r; }
            return logNormalizer - 0.5 * q;
        }
        var chol = this.chol!;
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
        if (diagPrecision is not null)
        {
            for (int i = 0; i < d; i++) score[i] = 0 - diagPrecision[i] * (x[i] - mean[i]); // 0 - y, as the full form sums it: no -0 at the mean
            return;
        }
        var precision = this.precision!;
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
        if (diagChol is not null)
        {
            for (int i = 0; i < d; i++) x[i] = mean[i] + diagChol[i] * xi[i];
            return;
        }
        var chol = this.chol!;
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
        if (variances is not null) return Math.Sqrt(variances.Min());
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
        other is not null && mean.AsSpan().SequenceEqual(other.mean)
        && (variances is not null && other.variances is not null
            ? variances.AsSpan().SequenceEqual(other.variances)
            : Enumerable.Range(0, Dimension).All(i => Covariance[i].SequenceEqual(other.Covariance[i])));

    /// <summary>Prints the dimension, the mean and the covariance (the variances alone when it is diagonal; at most 8 numbers of each).</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        static string Few(IEnumerable<double> v, int count) =>
            "[" + string.Join(", ", v.Take(8).Select(x => x.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))) + (count > 8 ? ", ..." : "") + "]";
        builder.Append($"Dimension = {Dimension}, Mean = {Few(mean, Dimension)}, ");
        builder.Append(variances is not null ? $"Variances = {Few(variances, Dimension)}" : $"Covariance rows = {Dimension}, Diagonal = {Few(Variances, Dimension)}");
        return true;
    }

    /// <summary>A hash of the mean and covariance.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double v in mean) h.Add(v);
        foreach (double v in Variances) h.Add(v);
        return h.ToHashCode();
    }
}
