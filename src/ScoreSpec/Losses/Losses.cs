using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Numerics;
using System.Runtime.InteropServices;

namespace ScoreSpec.Losses;

/// <summary>One Monte Carlo draw of the training losses: t, data z, noise e, the point x = alpha_t z + sigma_t e and the path's coefficients at t.</summary>
/// <param name="T">Time, uniform on [tMin, tMax].</param>
/// <param name="Z">Data draw.</param>
/// <param name="E">Noise draw.</param>
/// <param name="X">The noisy point.</param>
/// <param name="Point">Path coefficients at T.</param>
public sealed record LossSample(double T, System.Collections.Immutable.ImmutableArray<double> Z, System.Collections.Immutable.ImmutableArray<double> E, System.Collections.Immutable.ImmutableArray<double> X, PathPoint Point) : IStructural
{
    /// <summary>Value equality: t, the three vectors element by element, and the path point.</summary>
    /// <param name="other">The draw to compare with.</param>
    public bool Equals(LossSample? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(LossSample)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [T, Z, E, X, Point];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>A Monte Carlo estimate with its standard error.</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="StandardError">sd / sqrt(n).</param>
/// <param name="Samples">n.</param>
public sealed record LossEstimate(double Mean, double StandardError, int Samples);

/// <summary>
/// Monte Carlo estimators of the training losses for models given as functions (t, x) -> prediction, on any path
/// (shared/seeds/002, Chapters 7-8; shared/seeds/003, "Score Matching Objective"). Every estimator with the same seed
/// uses the same draws (t, z, e), so differences between models or losses are common-random-number comparisons.
/// </summary>
public static class TrainingLosses
{
    /// <summary>E over (t, z, e) of <paramref name="perSample"/>, with t uniform on [tMin, tMax] and stream <paramref name="seed"/>.</summary>
    /// <param name="data">The data distribution the z are drawn from.</param>
    /// <param name="path">The path that mixes x = alpha_t z + sigma_t e.</param>
    /// <param name="perSample">The loss of one draw.</param>
    /// <param name="samples">Number of draws (at least 2).</param>
    /// <param name="seed">The random stream; the same seed gives the same draws to every estimator.</param>
    /// <param name="tMin">Smallest time, in (0, 1).</param>
    /// <param name="tMax">Largest time, in [tMin, 1).</param>
    public static LossEstimate Estimate(GaussianMixture data, GaussianPath path, Func<LossSample, double> perSample, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
    {
        if (perSample is null) throw new ArgumentException("perSample must not be null.", nameof(perSample));
        // The arrays are fresh for every draw and reach nothing else, so wrapping them without a copy keeps them immutable.
        return Run(data, path, (t, z, e, x, p) => perSample(new LossSample(t, ImmutableCollectionsMarshal.AsImmutableArray(z),
            ImmutableCollectionsMarshal.AsImmutableArray(e), ImmutableCollectionsMarshal.AsImmutableArray(x), p)), samples, seed, tMin, tMax);
    }

    private delegate double PerDraw(double t, double[] z, double[] e, double[] x, PathPoint point);

    /// <summary>The draw loop shared by every estimator; the model-based ones hand x to the model as an array.</summary>
    private static LossEstimate Run(GaussianMixture data, GaussianPath path, PerDraw perSample, int samples, ulong seed, double tMin, double tMax)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (samples < 2) throw new ArgumentException($"samples must be at least 2, got {samples}.", nameof(samples));
        Guard.OpenUnit(tMin, nameof(tMin));
        Guard.OpenUnit(tMax, nameof(tMax));
        if (!(tMax >= tMin)) throw new ArgumentException($"tMax must be at least tMin ({tMin}), got {tMax}.", nameof(tMax));
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32)))); // seeds below 2^31 give the streams they gave as ints
        double sum = 0, sq = 0;
        for (int n = 0; n < samples; n++)
        {
            double t = tMin + (tMax - tMin) * rng.NextDouble();
            var z = data.Sample(rng);
            var e = Enumerable.Range(0, data.Dimension).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
            var p = path.At(t);
            double v = perSample(t, z, e, p.Mix(z, e), p);
            if (!double.IsFinite(v)) throw new InvalidOperationException($"the per-sample loss is not finite at t = {t}.");
            sum += v; sq += v * v;
        }
        double mean = sum / samples;
        return new LossEstimate(mean, Math.Sqrt(Math.Max(sq / samples - mean * mean, 0) / (samples - 1)), samples);
    }

    private static double Sq(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]); return s; }

    /// <summary>
    /// Min-SNR-gamma weighting (Hang et al. 2023; shared/seeds/002 Ch. 8 names it): the loss of a prediction of
    /// <paramref name="prediction"/> is weighted so that, written on the clean-data error |z - z^|^2, its weight is
    /// min(SNR_t, gamma), SNR_t = alpha_t^2 / sigma_t^2: lambda(t) = min(SNR_t, gamma) / c_t^2 with c_t^2 the factor of
    /// <see cref="PathPoint.CleanErrorFactor"/>. For noise prediction it is min(SNR_t, gamma) / SNR_t; for v-prediction on
    /// variance-preserving paths min(SNR_t, gamma) / (SNR_t + 1). The weight is the same function of the noise level in every
    /// parameterisation, so a model trained in any of them sees the same objective.
    /// </summary>
    /// <param name="path">The path whose SNR sets the weight.</param>
    /// <param name="gamma">The cap, positive (Hang et al. use 5).</param>
    /// <param name="prediction">The parameterisation of the loss being weighted.</param>
    public static Func<double, double> MinSnrWeight(GaussianPath path, double gamma, Quantity prediction)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        Guard.Positive(gamma, nameof(gamma));
        path.At(0.5).CleanErrorFactor(prediction); // rejects an unknown quantity now rather than inside a loss
        return t =>
        {
            var point = path.At(t);
            return Math.Min(path.Snr(t), gamma) / point.CleanErrorFactor(prediction);
        };
    }

    /// <summary>
    /// Implicit score matching (Hyvarinen 2005; shared/seeds/004's table of score-matching objectives):
    /// E[lambda(t) (|s(t, x)|^2 + 2 div_x s(t, x))] over x ~ p_t, which needs no target. Integration by parts,
    /// E_p[div s] = -E_p[s . grad log p], makes it equal to <see cref="ScoreMatching"/> minus E[lambda(t) |grad log p_t|^2],
    /// a constant of the data: the same minimiser, and the same scale as this class's other losses (no factor 1/2).
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="score">The model s(t, x).</param>
    /// <param name="divergence">Its divergence div_x s(t, x) = trace of the Jacobian (what automatic differentiation gives a network).</param>
    /// <param name="weight">lambda(t); 1 when omitted.</param>
    /// <param name="samples">Number of draws (at least 2).</param>
    /// <param name="seed">The random stream; the same seed gives the same draws of (t, x) to every estimator.</param>
    /// <param name="tMin">Smallest time, in (0, 1).</param>
    /// <param name="tMax">Largest time, in [tMin, 1).</param>
    public static LossEstimate ImplicitScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double[], double> divergence, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
    {
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        if (divergence is null) throw new ArgumentException("divergence must not be null.", nameof(divergence));
        return Run(data, path, (t, z, e, x, p) =>
        {
            var s = score(t, x);
            double norm = 0;
            foreach (double v in s) norm += v * v;
            return (weight?.Invoke(t) ?? 1) * (norm + 2 * divergence(t, x));
        }, samples, seed, tMin, tMax);
    }

    /// <summary>
    /// Sliced score matching (Song, Garg, Shi and Ermon 2019; shared/seeds/004's table): implicit score matching with the
    /// divergence replaced by one random projection, E[lambda(t) ((v . s)^2 + 2 v . (J v))] with J the Jacobian of s at x and
    /// v a fresh probe per draw with E[v v^T] = I, so it is unbiased for <see cref="ImplicitScoreMatching"/> and needs only a
    /// Jacobian-vector product. With <paramref name="varianceReduced"/> the first term is |s|^2 itself (their SSM-VR).
    /// The probes come from their own stream (seed, 1), so the draws of (t, x) are those of the other estimators.
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="score">The model s(t, x).</param>
    /// <param name="jacobianVector">(t, x, v) -> J v, the Jacobian of s at x times v.</param>
    /// <param name="probes">The probes' law: Rademacher (entries +-1) or standard normal.</param>
    /// <param name="varianceReduced">Use |s|^2 in place of (v . s)^2.</param>
    /// <param name="weight">lambda(t); 1 when omitted.</param>
    /// <param name="samples">Number of draws (at least 2).</param>
    /// <param name="seed">The random stream.</param>
    /// <param name="tMin">Smallest time, in (0, 1).</param>
    /// <param name="tMax">Largest time, in [tMin, 1).</param>
    public static LossEstimate SlicedScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double[], double[], double[]> jacobianVector, Likelihood.DivergenceMethod probes = Likelihood.DivergenceMethod.HutchinsonRademacher, bool varianceReduced = false, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
    {
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        if (jacobianVector is null) throw new ArgumentException("jacobianVector must not be null.", nameof(jacobianVector));
        if (probes == Likelihood.DivergenceMethod.Exact) throw new ArgumentException("probes must be HutchinsonRademacher or HutchinsonGaussian.", nameof(probes));
        var probeStream = new XoshiroRandom();
        probeStream.Reset(seed, 1);
        return Run(data, path, (t, z, e, x, p) =>
        {
            var v = new double[x.Length];
            if (probes == Likelihood.DivergenceMethod.HutchinsonRademacher)
                for (int i = 0; i < v.Length; i++) v[i] = probeStream.NextDouble() < 0.5 ? -1 : 1;
            else Xoshiro.Normals(probeStream.State, v);
            var s = score(t, x);
            var jv = jacobianVector(t, x, v);
            double projected = 0, norm = 0, quadratic = 0;
            for (int i = 0; i < v.Length; i++) { projected += v[i] * s[i]; norm += s[i] * s[i]; quadratic += v[i] * jv[i]; }
            return (weight?.Invoke(t) ?? 1) * ((varianceReduced ? norm : projected * projected) + 2 * quadratic);
        }, samples, seed, tMin, tMax);
    }

    /// <summary>Denoising score matching: E[lambda(t) |s(t, x) + e/sigma_t|^2], the target being the conditional score -e/sigma_t.</summary>
    public static LossEstimate DenoisingScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Run(data, path, (t, z, e, x, p) => (weight?.Invoke(t) ?? 1) * Sq(score(t, x), p.ConditionalTarget(Quantity.Score, z, e)), samples, seed, tMin, tMax);

    /// <summary>Score matching against the exact marginal score of the data: E[lambda(t) |s(t, x) - grad log p_t(x)|^2].</summary>
    public static LossEstimate ScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
    {
        // The exact score through the marginal field, which carries the data to t without building a marginal per draw.
        var field = new MarginalField(data ?? throw new ArgumentException("data must not be null.", nameof(data)), path ?? throw new ArgumentException("path must not be null.", nameof(path)));
        return Run(data, path, (t, z, e, x, p) =>
        {
            var exact = new double[x.Length];
            field.Score(t, x, exact);
            return (weight?.Invoke(t) ?? 1) * Sq(score(t, x), exact);
        }, samples, seed, tMin, tMax);
    }

    /// <summary>The DDPM loss E[lambda(t) |e^(t, x) - e|^2] (lambda = 1 in Ho et al.).</summary>
    public static LossEstimate Ddpm(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> noise, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Run(data, path, (t, z, e, x, p) => (weight?.Invoke(t) ?? 1) * Sq(noise(t, x), e), samples, seed, tMin, tMax);

    /// <summary>Conditional flow matching E[|u(t, x) - (alphadot_t z + sigmadot_t e)|^2].</summary>
    public static LossEstimate FlowMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> velocity, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Run(data, path, (t, z, e, x, p) => Sq(velocity(t, x), p.ConditionalTarget(Quantity.Velocity, z, e)), samples, seed, tMin, tMax);
}
