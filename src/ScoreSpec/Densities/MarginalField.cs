using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Paths;

namespace ScoreSpec.Densities;

/// <summary>
/// The exact marginal p_t of Gaussian-mixture data along a path, for every t at once, evaluated without allocation:
/// the fast form of <see cref="MixtureMarginal"/> that the samplers call millions of times. Each data covariance is
/// diagonalised once, Sigma_k = Q_k diag(lambda_k) Q_k^T, so that C_k(t) = alpha_t^2 Sigma_k + sigma_t^2 I = Q_k diag(v_k) Q_k^T
/// with v_k = alpha_t^2 lambda_k + sigma_t^2; with y = Q_k^T (x - alpha_t mu_k) the component log density is
/// -|y / sqrt(v)|^2 / 2 - sum log v / 2 - d log(2 pi)/2, its score -Q_k (y / v), its denoiser mu_k + alpha_t Q_k (lambda y / v)
/// and its noise prediction sigma_t Q_k (y / v). A diagonal covariance needs no diagonalisation (Q_k = I): it costs O(d)
/// memory and O(d) per evaluation, so isotropic data in d = 10000 is cheap. Thread-safe: scratch lives on the stack and a per-thread cache holds
/// the time-dependent coefficients.
/// </summary>
public sealed class MarginalField
{
    private readonly int d, K;
    private readonly double[] logWeights;
    private readonly double[]?[] q;    // per component, d x d row-major Q_k; null when Sigma_k is diagonal (Q_k = I)
    private readonly double[] lambda;  // K x d eigenvalues
    private readonly double[] mu;      // K x d means
    private readonly double[] muRot;   // K x d: Q_k^T mu_k

    /// <summary>Prepares the field of <paramref name="data"/> along <paramref name="path"/>.</summary>
    public MarginalField(GaussianMixture data, GaussianPath path)
    {
        Data = data ?? throw new ArgumentException("data must not be null.", nameof(data));
        Path = path ?? throw new ArgumentException("path must not be null.", nameof(path));
        d = data.Dimension; K = data.Components.Length;
        logWeights = data.Weights.Select(w => Math.Log(w)).ToArray();
        q = new double[K][]; lambda = new double[K * d]; mu = new double[K * d]; muRot = new double[K * d];
        for (int k = 0; k < K; k++)
        {
            var c = data.Components[k];
            if (c.variances is not null)
            {
                for (int i = 0; i < d; i++) { lambda[k * d + i] = c.variances[i]; mu[k * d + i] = c.mean[i]; muRot[k * d + i] = c.mean[i]; }
                continue;
            }
            var qk = new double[d * d];
            var m = Matrix<double>.Build.Dense(d, d, (i, j) => c.Covariance[i][j]);
            var evd = m.Evd(Symmetricity.Symmetric);
            for (int i = 0; i < d; i++)
            {
                lambda[k * d + i] = evd.EigenValues[i].Real;
                mu[k * d + i] = c.Mean[i];
                for (int j = 0; j < d; j++) qk[i * d + j] = evd.EigenVectors[i, j];
            }
            for (int j = 0; j < d; j++)
            {
                double acc = 0;
                for (int i = 0; i < d; i++) acc += qk[i * d + j] * c.Mean[i];
                muRot[k * d + j] = acc;
            }
            q[k] = qk;
        }
    }

    /// <summary>The data distribution.</summary>
    public GaussianMixture Data { get; }
    /// <summary>The path.</summary>
    public GaussianPath Path { get; }
    /// <summary>The dimension.</summary>
    public int Dimension => d;

    private sealed class Coefficients
    {
        public MarginalField? Owner;
        public double T = double.NaN, Alpha, Sigma;
        public double[] V = [], LogNorm = [];
    }

    [ThreadStatic] private static Coefficients[]? cache;
    // Per-thread scratch for problems too large for the stack (K d > 256), so that no evaluation allocates.
    [ThreadStatic] private static double[]? wScratch, yvScratch;

    private static Span<double> Scratch(ref double[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new double[length];
        return buffer.AsSpan(0, length);
    }
    [ThreadStatic] private static int cacheNext;

    private Coefficients At(double t)
    {
        var c = cache ??= [new(), new(), new(), new()];
        for (int i = 0; i < c.Length; i++)
            if (ReferenceEquals(c[i].Owner, this) && c[i].T == t) return c[i];
        Guard.OpenUnit(t); // checked on every cache miss, so the span entry points never turn a bad t into NaN
        var e = c[cacheNext];
        cacheNext = (cacheNext + 1) % c.Length;
        if (e.V.Length != K * d) e.V = new double[K * d];
        if (e.LogNorm.Length != K) e.LogNorm = new double[K];
        e.Owner = this; e.T = t;
        e.Alpha = Path.Alpha(t); e.Sigma = Path.Sigma(t);
        double a2 = e.Alpha * e.Alpha, s2 = e.Sigma * e.Sigma;
        for (int k = 0; k < K; k++)
        {
            double logDet = 0;
            for (int i = 0; i < d; i++) { double v = a2 * lambda[k * d + i] + s2; e.V[k * d + i] = v; logDet += Math.Log(v); }
            e.LogNorm[k] = logWeights[k] - 0.5 * logDet - 0.5 * d * Math.Log(2 * Math.PI);
        }
        return e;
    }

    /// <summary>
    /// Fills <paramref name="w"/> (length K) with posterior component weights and <paramref name="yv"/> (K x d) with
    /// y / v for each component; returns log p_t(x).
    /// </summary>
    private double Posterior(Coefficients c, ReadOnlySpan<double> x, Span<double> w, Span<double> yv)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < K; k++)
        {
            double quad = 0;
            var qk = q[k];
            for (int j = 0; j < d; j++)
            {
                double y = -c.Alpha * muRot[k * d + j];
                if (qk is null) y += x[j];
                else for (int i = 0; i < d; i++) y += qk[i * d + j] * x[i];
                double v = c.V[k * d + j];
                yv[k * d + j] = y / v;
                quad += y * y / v;
            }
            w[k] = c.LogNorm[k] - 0.5 * quad;
            if (w[k] > max) max = w[k];
        }
        double sum = 0;
        for (int k = 0; k < K; k++) { w[k] = Math.Exp(w[k] - max); sum += w[k]; }
        for (int k = 0; k < K; k++) w[k] /= sum;
        return max + Math.Log(sum);
    }

    /// <summary>The score grad log p_t(x) into <paramref name="score"/>; returns log p_t(x).</summary>
    public double Score(double t, ReadOnlySpan<double> x, Span<double> score)
    {
        var c = At(t);
        Span<double> w = K <= 32 ? stackalloc double[K] : Scratch(ref wScratch, K);
        Span<double> yv = K * d <= 256 ? stackalloc double[K * d] : Scratch(ref yvScratch, K * d);
        double logp = Posterior(c, x, w, yv);
        score.Clear();
        for (int k = 0; k < K; k++)
        {
            var qk = q[k];
            if (qk is null)
            {
                for (int i = 0; i < d; i++) score[i] -= w[k] * yv[k * d + i];
                continue;
            }
            for (int i = 0; i < d; i++)
            {
                double acc = 0;
                for (int j = 0; j < d; j++) acc += qk[i * d + j] * yv[k * d + j];
                score[i] -= w[k] * acc;
            }
        }
        return logp;
    }

    /// <summary>
    /// The Laplacian of the log density, tr grad^2 log p_t(x) = sum_k w_k (|s_k|^2 - tr C_k^-1) - |s|^2, with w_k the posterior
    /// component weights, s_k = -C_k^-1 (x - alpha_t mu_k) the component scores and s = sum_k w_k s_k (the trace of
    /// sum_k w_k (H_k + s_k s_k^T) - s s^T). In the eigenbasis of each component |s_k|^2 = |y / v|^2 and tr C_k^-1 = sum 1/v,
    /// so it costs what the score costs. The divergence of the probability-flow velocity is d F - c times this.
    /// </summary>
    public double LaplacianLogDensity(double t, ReadOnlySpan<double> x)
    {
        var c = At(t);
        Span<double> w = K <= 32 ? stackalloc double[K] : Scratch(ref wScratch, K);
        Span<double> yv = K * d <= 256 ? stackalloc double[K * d] : Scratch(ref yvScratch, K * d);
        Span<double> s = d <= 256 ? stackalloc double[d] : new double[d];
        Posterior(c, x, w, yv);
        double lap = 0;
        s.Clear();
        for (int k = 0; k < K; k++)
        {
            double own = 0;
            for (int j = 0; j < d; j++) own += yv[k * d + j] * yv[k * d + j] - 1 / c.V[k * d + j];
            lap += w[k] * own;
            var qk = q[k];
            for (int i = 0; i < d; i++)
            {
                double acc = 0;
                if (qk is null) acc = yv[k * d + i];
                else for (int j = 0; j < d; j++) acc += qk[i * d + j] * yv[k * d + j];
                s[i] -= w[k] * acc;
            }
        }
        for (int i = 0; i < d; i++) lap -= s[i] * s[i];
        return lap;
    }

    /// <summary>log p_t(x).</summary>
    public double LogDensity(double t, ReadOnlySpan<double> x)
    {
        var c = At(t);
        Span<double> w = K <= 32 ? stackalloc double[K] : Scratch(ref wScratch, K);
        Span<double> yv = K * d <= 256 ? stackalloc double[K * d] : Scratch(ref yvScratch, K * d);
        return Posterior(c, x, w, yv);
    }

    /// <summary>The exact denoiser E[z | x_t = x] into <paramref name="result"/>.</summary>
    public void Denoiser(double t, ReadOnlySpan<double> x, Span<double> result)
    {
        var c = At(t);
        Span<double> w = K <= 32 ? stackalloc double[K] : Scratch(ref wScratch, K);
        Span<double> yv = K * d <= 256 ? stackalloc double[K * d] : Scratch(ref yvScratch, K * d);
        Posterior(c, x, w, yv);
        result.Clear();
        for (int k = 0; k < K; k++)
        {
            var qk = q[k];
            for (int i = 0; i < d; i++)
            {
                double acc = 0;
                if (qk is null) acc = lambda[k * d + i] * yv[k * d + i];
                else for (int j = 0; j < d; j++) acc += qk[i * d + j] * lambda[k * d + j] * yv[k * d + j];
                result[i] += w[k] * (mu[k * d + i] + c.Alpha * acc);
            }
        }
    }

    /// <summary>
    /// The width of the blocks <see cref="ScoreBlock"/> works on: a multiple of the widest SIMD register used here, chosen
    /// so that the block's scratch (<see cref="BlockScratchLength"/>) stays within about 256 KB, between one register
    /// and 256 points.
    /// </summary>
    internal int BlockWidth
    {
        get
        {
            int lanes = Numerics.VectorMath.MaxLanes;
            int fit = 32768 / (K * (d + 1) + 2 * d) / lanes * lanes;
            return Math.Clamp(fit, lanes, 256 / lanes * lanes);
        }
    }

    /// <summary>The scratch <see cref="ScoreBlock"/> needs for blocks of <see cref="BlockWidth"/> points.</summary>
    internal int BlockScratchLength => BlockWidth * K * (d + 1);

    /// <summary>
    /// The score of a block of points at once, coordinate-major (structure of arrays): <paramref name="x"/> holds coordinate
    /// j of point i at j W + i for W = <see cref="BlockWidth"/> points (pad the unused ones with any finite value), and
    /// <paramref name="score"/> receives the score in the same layout. The same formula as <see cref="Score(double, ReadOnlySpan{double}, Span{double})"/>
    /// (component log densities in each eigenbasis, responsibilities by the largest-logit softmax, score
    /// -sum_k w_k Q_k (y_k / v_k)), evaluated across points in SIMD registers with <see cref="Numerics.VectorMath.Exp{T}(T)"/>
    /// on the widest register here; O(K d) a point for diagonal covariances, O(K d^2) for full ones. It agrees with the
    /// point-by-point score to rounding (tests/Properties/VectorMathTests.cs), and gives the same bits for a point whatever
    /// its place in the block or the register width.
    /// </summary>
    internal void ScoreBlock(double t, Span<double> x, Span<double> score, Span<double> scratch)
    {
        if (Numerics.VectorMath.Wide) ScoreBlock<Numerics.Lanes512>(t, x, score, scratch);
        else ScoreBlock<Numerics.VectorLanes>(t, x, score, scratch);
    }

    /// <summary><see cref="ScoreBlock(double, Span{double}, Span{double}, Span{double})"/> on registers of type T.</summary>
    internal void ScoreBlock<T>(double t, Span<double> x, Span<double> score, Span<double> scratch) where T : struct, Numerics.ILanes<T>
    {
        int W = BlockWidth, n = T.Count;
        if (x.Length < d * W || score.Length < d * W || scratch.Length < BlockScratchLength)
            throw new ArgumentException("the block buffers are shorter than the block width needs.", nameof(x));
        var c = At(t);
        ref double X = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref double S = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(score);
        ref double L = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(scratch);
        ref double Y = ref Unsafe.Add(ref L, K * W);   // K d rows of W: y / v of each component
        var minusHalf = T.Of(-0.5);
        for (int k = 0; k < K; k++)
        {
            var logNorm = T.Of(c.LogNorm[k]);
            for (int p = 0; p < W; p += n) T.Store(logNorm, ref L, k * W + p);
            var qk = q[k];
            for (int j = 0; j < d; j++)
            {
                int row = (k * d + j) * W;
                var shift = T.Of(-c.Alpha * muRot[k * d + j]);
                var inverse = T.Of(1 / c.V[k * d + j]);
                for (int p = 0; p < W; p += n)
                {
                    T y;
                    if (qk is null) y = T.Load(ref X, j * W + p) + shift;
                    else
                    {
                        y = shift;
                        for (int l = 0; l < d; l++) y = T.Fma(T.Of(qk[l * d + j]), T.Load(ref X, l * W + p), y);
                    }
                    var yv = y * inverse;
                    T.Store(T.Fma(minusHalf * y, yv, T.Load(ref L, k * W + p)), ref L, k * W + p);
                    T.Store(yv, ref Y, row + p);
                }
            }
        }
        // Responsibilities: exp of each logit less the largest, normalised, stored negated (the score is -sum w y/v).
        for (int p = 0; p < W; p += n)
        {
            var max = T.Load(ref L, p);
            for (int k = 1; k < K; k++) max = T.Max(max, T.Load(ref L, k * W + p));
            var sum = T.Of(0.0);
            for (int k = 0; k < K; k++)
            {
                var e = Numerics.VectorMath.Exp(T.Load(ref L, k * W + p) - max);
                T.Store(e, ref L, k * W + p);
                sum += e;
            }
            var inv = T.Of(1.0) / sum;
            for (int k = 0; k < K; k++) T.Store(-(T.Load(ref L, k * W + p) * inv), ref L, k * W + p);
        }
        for (int p = 0; p < W; p += n)
            for (int i = 0; i < d; i++)
            {
                var acc = T.Of(0.0);
                for (int k = 0; k < K; k++)
                {
                    var wk = T.Load(ref L, k * W + p);
                    var qk = q[k];
                    if (qk is null) { acc = T.Fma(wk, T.Load(ref Y, (k * d + i) * W + p), acc); continue; }
                    var inner = T.Of(0.0);
                    for (int j = 0; j < d; j++) inner = T.Fma(T.Of(qk[i * d + j]), T.Load(ref Y, (k * d + j) * W + p), inner);
                    acc = T.Fma(wk, inner, acc);
                }
                T.Store(acc, ref S, i * W + p);
            }
    }

    /// <summary>The score at t as a fresh array (allocating convenience form).</summary>
    public double[] Score(double t, double[] x)
    {
        Guard.OpenUnit(t);
        Guard.FiniteVector(x, d, nameof(x));
        var s = new double[d];
        Score(t, x, s);
        return s;
    }
}
