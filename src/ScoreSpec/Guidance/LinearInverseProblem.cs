using System.Collections.Immutable;
using MathNet.Numerics.LinearAlgebra;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.Guidance;

/// <summary>
/// A linear inverse problem with a Gaussian-mixture prior (shared/seeds/004, conditional generation by Bayes' rule):
/// data x ~ sum_k pi_k N(mu_k, Sigma_k), measured as y = A x + n with n ~ N(0, s^2 I). The posterior p(x | y) is again a
/// Gaussian mixture, so the exact conditional score of p_t(x | y) along any path is known, and the approximations that
/// samplers for inverse problems make can be measured against it.
/// </summary>
public sealed record LinearInverseProblem : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(LinearInverseProblem? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(LinearInverseProblem)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Prior, Operator, Measurement, NoiseStd];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    private readonly Matrix<double> a;

    /// <summary>
    /// The problem and its exact posterior. Each component is updated by the Kalman form: with S_k = A Sigma_k A^T + s^2 I
    /// and K_k = Sigma_k A^T S_k^-1, the posterior component is N(mu_k + K_k (y - A mu_k), Sigma_k - K_k A Sigma_k), and its
    /// weight is proportional to pi_k N(y; A mu_k, S_k), the evidence of the component.
    /// </summary>
    /// <param name="prior">The data distribution.</param>
    /// <param name="measurementOperator">A, m x d with d the prior's dimension.</param>
    /// <param name="measurement">y, of length m.</param>
    /// <param name="noiseStd">s, the measurement noise's standard deviation, positive.</param>
    public LinearInverseProblem(GaussianMixture prior, double[,] measurementOperator, double[] measurement, double noiseStd)
    {
        Prior = prior ?? throw new ArgumentException("prior must not be null.", nameof(prior));
        if (measurementOperator is null) throw new ArgumentException("measurementOperator must not be null.", nameof(measurementOperator));
        int m = measurementOperator.GetLength(0), d = prior.Dimension;
        if (m < 1 || measurementOperator.GetLength(1) != d)
            throw new ArgumentException($"measurementOperator must be m x {d} with m at least 1, got {m} x {measurementOperator.GetLength(1)}.", nameof(measurementOperator));
        foreach (double v in measurementOperator) Guard.Finite(v, nameof(measurementOperator));
        Guard.FiniteVector(measurement, m, nameof(measurement));
        if (!(noiseStd > 0) || !double.IsFinite(noiseStd)) throw new ArgumentException($"noiseStd must be positive and finite, got {noiseStd}.", nameof(noiseStd));
        a = Matrix<double>.Build.DenseOfArray(measurementOperator);
        Operator = [.. Enumerable.Range(0, m).Select(i => Enumerable.Range(0, d).Select(j => measurementOperator[i, j]).ToImmutableArray())];
        Measurement = [.. measurement];
        NoiseStd = noiseStd;

        var y = Vector<double>.Build.DenseOfArray(measurement);
        var r = Matrix<double>.Build.DenseIdentity(m) * (noiseStd * noiseStd);
        int k = prior.Components.Length;
        var components = new Gaussian[k];
        var logWeights = new double[k];
        for (int c = 0; c < k; c++)
        {
            var comp = prior.Components[c];
            var mu = Vector<double>.Build.DenseOfEnumerable(comp.Mean);
            var sigma = Matrix<double>.Build.Dense(d, d, (i, j) => comp.CovarianceEntry(i, j));
            var s = a * sigma * a.Transpose() + r;
            var cholesky = s.Cholesky();
            var gain = cholesky.Solve(a * sigma).Transpose(); // K = Sigma A^T S^-1 (S and Sigma symmetric)
            var residual = y - a * mu;
            var mean = mu + gain * residual;
            var cov = sigma - gain * a * sigma;
            cov = (cov + cov.Transpose()) * 0.5;
            components[c] = new Gaussian(mean.ToArray(), cov.ToArray());
            // log N(y; A mu, S) = -(m log 2 pi + log det S + r^T S^-1 r) / 2
            logWeights[c] = Math.Log(prior.Weights[c]) - 0.5 * (m * Math.Log(2 * Math.PI) + cholesky.DeterminantLn + residual.DotProduct(cholesky.Solve(residual)));
        }
        double max = logWeights.Max();
        double sum = logWeights.Sum(l => Math.Exp(l - max));
        LogEvidence = max + Math.Log(sum);
        Posterior = new GaussianMixture(logWeights.Select(l => Math.Exp(l - LogEvidence)).ToArray(), components);
    }

    /// <summary>The prior, the data distribution.</summary>
    public GaussianMixture Prior { get; }

    /// <summary>A as rows.</summary>
    public ImmutableArray<ImmutableArray<double>> Operator { get; }

    /// <summary>The measurement y.</summary>
    public ImmutableArray<double> Measurement { get; }

    /// <summary>The measurement noise's standard deviation s.</summary>
    public double NoiseStd { get; }

    /// <summary>The exact posterior p(x | y), a Gaussian mixture.</summary>
    public GaussianMixture Posterior { get; }

    /// <summary>log p(y) = log sum_k pi_k N(y; A mu_k, A Sigma_k A^T + s^2 I), the evidence.</summary>
    public double LogEvidence { get; }

    /// <summary>log p(y | x) = log N(y; A x, s^2 I).</summary>
    /// <param name="x">A point of the prior's dimension.</param>
    public double LogLikelihood(double[] x)
    {
        Guard.FiniteVector(x, Prior.Dimension, nameof(x));
        var residual = Vector<double>.Build.DenseOfArray([.. Measurement]) - a * Vector<double>.Build.DenseOfArray(x);
        int m = Measurement.Length;
        return -0.5 * (m * Math.Log(2 * Math.PI * NoiseStd * NoiseStd) + residual.DotProduct(residual) / (NoiseStd * NoiseStd));
    }

    /// <summary>
    /// The exact conditional score grad_x log p_t(x | y): the score of the posterior carried along the path (the
    /// measurement depends on the data only, so x_t | y is the posterior pushed through x_t = alpha_t x + sigma_t e).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="t">The time, inside (0, 1).</param>
    /// <param name="x">The point.</param>
    public double[] ConditionalScore(GaussianPath path, double t, double[] x) => Posterior.Along(path, t).Score(x);

    /// <summary>
    /// Diffusion posterior sampling's approximate conditional score (Chung et al. 2023): the prior's score plus
    /// w grad_x log N(y; A D(x), s^2 I), with D the prior's exact denoiser at t. The gradient goes through D, whose
    /// Jacobian is (I + sigma_t^2 H) / alpha_t with H the Hessian of log p_t (Tweedie), so the term is
    /// w J_D^T A^T (y - A D(x)) / s^2. The approximation replaces p(y | x_t) = E[p(y | x_0) | x_t] by p(y | E[x_0 | x_t]).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="t">The time, inside (0, 1).</param>
    /// <param name="x">The point.</param>
    /// <param name="weight">w, the guidance scale (1: the plain approximation).</param>
    public double[] DpsScore(GaussianPath path, double t, double[] x, double weight = 1)
    {
        Guard.Finite(weight, nameof(weight));
        var pt = Prior.Along(path, t);
        int d = Prior.Dimension;
        var score = pt.Score(x);
        var denoised = Vector<double>.Build.DenseOfArray(pt.Denoiser(x));
        var h = Matrix<double>.Build.DenseOfArray(pt.Hessian(x));
        double alpha = pt.Point.Alpha, sigma = pt.Point.Sigma;
        var jacobian = (Matrix<double>.Build.DenseIdentity(d) + h * (sigma * sigma)) / alpha;
        var residual = Vector<double>.Build.DenseOfArray([.. Measurement]) - a * denoised;
        var term = jacobian.Transpose() * (a.Transpose() * residual) / (NoiseStd * NoiseStd);
        return score.Select((v, i) => v + weight * term[i]).ToArray();
    }
}
