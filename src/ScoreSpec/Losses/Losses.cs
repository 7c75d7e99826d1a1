using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.Losses;

/// <summary>One Monte Carlo draw of the training losses: t, data z, noise e, the point x = alpha_t z + sigma_t e and the path's coefficients at t.</summary>
/// <param name="T">Time, uniform on [tMin, tMax].</param>
/// <param name="Z">Data draw.</param>
/// <param name="E">Noise draw.</param>
/// <param name="X">The noisy point.</param>
/// <param name="Point">Path coefficients at T.</param>
public sealed record LossSample(double T, double[] Z, double[] E, double[] X, PathPoint Point);

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
    public static LossEstimate Estimate(GaussianMixture data, GaussianPath path, Func<LossSample, double> perSample, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (perSample is null) throw new ArgumentException("perSample must not be null.", nameof(perSample));
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
            double v = perSample(new LossSample(t, z, e, p.Mix(z, e), p));
            if (!double.IsFinite(v)) throw new InvalidOperationException($"the per-sample loss is not finite at t = {t}.");
            sum += v; sq += v * v;
        }
        double mean = sum / samples;
        return new LossEstimate(mean, Math.Sqrt(Math.Max(sq / samples - mean * mean, 0) / (samples - 1)), samples);
    }

    private static double Sq(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]); return s; }

    /// <summary>Denoising score matching: E[lambda(t) |s(t, x) + e/sigma_t|^2], the target being the conditional score -e/sigma_t.</summary>
    public static LossEstimate DenoisingScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Estimate(data, path, s => (weight?.Invoke(s.T) ?? 1) * Sq(score(s.T, s.X), s.Point.ConditionalTarget(Quantity.Score, s.Z, s.E)), samples, seed, tMin, tMax);

    /// <summary>Score matching against the exact marginal score of the data: E[lambda(t) |s(t, x) - grad log p_t(x)|^2].</summary>
    public static LossEstimate ScoreMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> score, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Estimate(data, path, s => (weight?.Invoke(s.T) ?? 1) * Sq(score(s.T, s.X), data.Along(path, s.T).Score(s.X)), samples, seed, tMin, tMax);

    /// <summary>The DDPM loss E[lambda(t) |e^(t, x) - e|^2] (lambda = 1 in Ho et al.).</summary>
    public static LossEstimate Ddpm(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> noise, Func<double, double>? weight = null, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Estimate(data, path, s => (weight?.Invoke(s.T) ?? 1) * Sq(noise(s.T, s.X), s.E), samples, seed, tMin, tMax);

    /// <summary>Conditional flow matching E[|u(t, x) - (alphadot_t z + sigmadot_t e)|^2].</summary>
    public static LossEstimate FlowMatching(GaussianMixture data, GaussianPath path, Func<double, double[], double[]> velocity, int samples = 20000, ulong seed = 0, double tMin = 0.05, double tMax = 0.95)
        => Estimate(data, path, s => Sq(velocity(s.T, s.X), s.Point.ConditionalTarget(Quantity.Velocity, s.Z, s.E)), samples, seed, tMin, tMax);
}
