using System.Collections.Immutable;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;

namespace ScoreSpec.Discrete;

/// <summary>
/// The two fixed variances of DDPM's reverse kernels (Ho, Jain and Abbeel 2020, section 3.2): sigma_t^2 = beta_t, the
/// right choice when the data has a spread much wider than sqrt(beta_1), or sigma_t^2 = the posterior variance
/// beta~_t = beta_t (1 - abar_{t-1}) / (1 - abar_t), the right choice for data concentrated at a point. beta~_1 is zero,
/// so at t = 1 the posterior choice uses beta~_2 (the clipping of Nichol and Dhariwal 2021 and of the DDPM code).
/// </summary>
public enum DdpmReverseVariance
{
    /// <summary>sigma_t^2 = beta_t ("fixed large").</summary>
    Beta,
    /// <summary>sigma_t^2 = beta~_t, with beta~_2 at t = 1 ("fixed small", clipped).</summary>
    Posterior,
}

/// <summary>
/// DDPM's reverse model p_theta(x_{t-1} | x_t) = N(mu_theta(x_t, t), sigma_t^2 I) for t = 1 .. T (Ho's 1-based times; the
/// schedule's 0-based step is t - 1), with the mean formed from a noise prediction e_theta:
/// mu_theta(x_t, t) = (x_t - beta_t / sqrt(1 - abar_t) e_theta(x_t, t)) / sqrt(1 - beta_t) (Ho, Jain and Abbeel 2020,
/// eq. 11), and the prior p(x_T) = N(0, I). shared/seeds/001 (lessons 12 and 14) derives the chain and its ELBO;
/// the terms are in <see cref="DdpmElbo"/>.
/// </summary>
/// <param name="Schedule">The forward chain.</param>
/// <param name="NoisePrediction">e_theta(t, x_t) for t in 1 .. T, returning an array of x_t's length.</param>
/// <param name="Variance">The fixed reverse variance.</param>
public sealed record DdpmReverseModel(DdpmSchedule Schedule, Func<int, double[], double[]> NoisePrediction, DdpmReverseVariance Variance)
{
    /// <summary>The schedule; must not be null.</summary>
    public DdpmSchedule Schedule { get; init; } = Schedule ?? throw new ArgumentException("Schedule must not be null.", nameof(Schedule));
    /// <summary>e_theta(t, x_t); must not be null.</summary>
    public Func<int, double[], double[]> NoisePrediction { get; init; } = NoisePrediction ?? throw new ArgumentException("NoisePrediction must not be null.", nameof(NoisePrediction));

    /// <summary>
    /// The model with the exact noise prediction of mixture data: e*(t, x) = -sqrt(1 - abar_t) grad log q_t(x), q_t the
    /// law of x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) e (<see cref="DdpmElbo.Marginal"/>). Its mean
    /// mu_theta(x_t, t) = (x_t + beta_t grad log q_t(x_t)) / sqrt(1 - beta_t) is E[mu~_t(x_t, x_0) | x_t], the mean that
    /// makes each term L_{t-1} smallest among reverse kernels of the given variance.
    /// </summary>
    /// <param name="data">The data distribution q(x_0).</param>
    /// <param name="schedule">The forward chain.</param>
    /// <param name="variance">The fixed reverse variance.</param>
    public static DdpmReverseModel Exact(GaussianMixture data, DdpmSchedule schedule, DdpmReverseVariance variance)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        var marginals = Enumerable.Range(1, schedule.Steps).Select(t => DdpmElbo.Marginal(data, schedule, t)).ToArray();
        return new DdpmReverseModel(schedule, (t, x) =>
        {
            var score = marginals[t - 1].Score(x);
            double scale = -Math.Sqrt(schedule.OneMinusAlphaBars[t - 1]);
            for (int i = 0; i < score.Length; i++) score[i] *= scale;
            return score;
        }, variance);
    }

    private int Check(int t)
    {
        if (t < 1 || t > Schedule.Steps) throw new ArgumentException($"t must lie in [1, {Schedule.Steps}], got {t}.", nameof(t));
        return t;
    }

    /// <summary>sigma_t^2 of the reverse kernel at t in 1 .. T (see <see cref="DdpmReverseVariance"/>).</summary>
    /// <param name="t">Ho's 1-based time.</param>
    public double VarianceAt(int t)
    {
        Check(t);
        if (Variance == DdpmReverseVariance.Beta) return Schedule.Betas[t - 1];
        if (t == 1 && Schedule.Steps < 2) throw new ArgumentException("the clipped posterior variance at t = 1 needs T >= 2.", nameof(t));
        return Schedule.PosteriorVariance(t == 1 ? 1 : t - 1);
    }

    /// <summary>
    /// beta~_t / sigma_t^2 - 1 for t in 2 .. T, without the cancellation of forming the ratio first: zero for the posterior
    /// choice and -abar_{t-1} beta_t / (1 - abar_t) for sigma_t^2 = beta_t (from beta~_t - beta_t = -beta_t^2 abar_{t-1} / (1 - abar_t)).
    /// </summary>
    internal double PosteriorRatioMinusOne(int t) => Variance == DdpmReverseVariance.Posterior ? 0
        : -Schedule.AlphaBars[t - 2] * Schedule.Betas[t - 1] / Schedule.OneMinusAlphaBars[t - 1];

    /// <summary>mu_theta(x_t, t) = (x_t - beta_t / sqrt(1 - abar_t) e_theta(x_t, t)) / sqrt(1 - beta_t) (Ho, Jain and Abbeel 2020, eq. 11).</summary>
    /// <param name="t">Ho's 1-based time.</param>
    /// <param name="xt">The state x_t.</param>
    public double[] Mean(int t, double[] xt)
    {
        Check(t);
        Guard.FiniteVector(xt, xt?.Length ?? 0, nameof(xt));
        var e = NoisePrediction(t, xt!);
        if (e is null || e.Length != xt!.Length) throw new InvalidOperationException($"the noise prediction at t = {t} must have length {xt!.Length}.");
        double beta = Schedule.Betas[t - 1], c = beta / Math.Sqrt(Schedule.OneMinusAlphaBars[t - 1]), scale = 1 / Math.Sqrt(1 - beta);
        var mean = new double[xt.Length];
        for (int i = 0; i < xt.Length; i++)
        {
            if (!double.IsFinite(e[i])) throw new InvalidOperationException($"the noise prediction at t = {t} is not finite.");
            mean[i] = (xt[i] - c * e[i]) * scale;
        }
        return mean;
    }

    /// <summary>The record's members, without the delegate's type name.</summary>
    public override string ToString() => $"DdpmReverseModel {{ Steps = {Schedule.Steps}, Variance = {Variance} }}";
}

/// <summary>
/// Monte Carlo estimate of DDPM's negative evidence lower bound, term by term, in nats per data point:
/// <see cref="Total"/> = <see cref="Prior"/> + sum of <see cref="Transitions"/> + <see cref="Decoder"/>.
/// </summary>
/// <param name="Total">E[L_T + sum_{t=2}^T L_{t-1} + L_0], the bound on E[-log p_theta(x_0)].</param>
/// <param name="StandardError">The standard error of <see cref="Total"/> (sample standard deviation of the per-x_0 totals / sqrt(samples)).</param>
/// <param name="Prior">E[L_T], the prior term.</param>
/// <param name="Transitions">E[L_{t-1}] for t = 2 .. T (index t - 2).</param>
/// <param name="Decoder">E[L_0] = E[-log p_theta(x_0 | x_1)].</param>
/// <param name="Samples">The number of x_0 draws.</param>
public sealed record DdpmElboEstimate(double Total, double StandardError, double Prior, ImmutableArray<double> Transitions, double Decoder, int Samples) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(DdpmElboEstimate? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(DdpmElboEstimate)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Total, StandardError, Prior, Transitions, Decoder, Samples];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>
/// The DDPM evidence lower bound (Ho, Jain and Abbeel 2020, eq. 5; shared/seeds/001 lesson 12, "the DDPM Markov-chain ELBO"):
/// -log p_theta(x_0) &lt;= L_T + sum_{t=2}^T L_{t-1} + L_0 in expectation over q(x_{1:T} | x_0), with
/// L_T = KL(q(x_T | x_0) || N(0, I)), L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p_theta(x_{t-1} | x_t)) and
/// L_0 = -log p_theta(x_0 | x_1) (a Gaussian decoder: the data here are continuous). Every KL is between Gaussians and is
/// taken in closed form; only x_0 and x_t are drawn. The weight that turns L_{t-1} into a noise-prediction error is
/// <see cref="NoiseWeight"/>; DDPM's simplified loss drops it (eq. 14).
/// </summary>
public static class DdpmElbo
{
    /// <summary>
    /// q(x_t) for Ho's 1-based t: the law of sqrt(abar_t) x_0 + sqrt(1 - abar_t) e with x_0 ~ <paramref name="data"/>,
    /// sum_k pi_k N(sqrt(abar_t) mu_k, abar_t Sigma_k + (1 - abar_t) I) (<see cref="GaussianMixture.Mixed"/>).
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="schedule">The forward chain.</param>
    /// <param name="t">Ho's 1-based time in 1 .. T.</param>
    public static GaussianMixture Marginal(GaussianMixture data, DdpmSchedule schedule, int t)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        if (t < 1 || t > schedule.Steps) throw new ArgumentException($"t must lie in [1, {schedule.Steps}], got {t}.", nameof(t));
        return data.Mixed(Math.Sqrt(schedule.AlphaBars[t - 1]), Math.Sqrt(schedule.OneMinusAlphaBars[t - 1]));
    }

    /// <summary>
    /// L_T = KL(N(sqrt(abar_T) x_0, (1 - abar_T) I) || N(0, I)) = (1/2) sum_j (abar_T x_{0,j}^2 - abar_T - log(1 - abar_T)).
    /// </summary>
    /// <param name="schedule">The forward chain.</param>
    /// <param name="x0">The data point.</param>
    public static double PriorTerm(DdpmSchedule schedule, double[] x0)
    {
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        Guard.FiniteVector(x0, x0?.Length ?? 0, nameof(x0));
        double abar = schedule.AlphaBars[^1], logComplement = Math.Log(schedule.OneMinusAlphaBars[^1]), sum = 0;
        foreach (double v in x0!) sum += abar * v * v - abar - logComplement;
        return sum / 2;
    }

    /// <summary>
    /// L_{t-1} for t in 2 .. T at one (x_0, x_t): KL(N(mu~, beta~_t I) || N(mu_theta, sigma_t^2 I)) =
    /// (1/2) sum_j (r - 1 - log r + (mu~_j - mu_theta_j)^2 / sigma_t^2) with r = beta~_t / sigma_t^2, mu~ the posterior mean
    /// (<see cref="DdpmSchedule.PosteriorMean"/>), mu_theta the model's (<see cref="DdpmReverseModel.Mean"/>).
    /// r - 1 - log r is formed from r - 1 with log1p, so no digits are lost when r is close to 1.
    /// </summary>
    /// <param name="model">The reverse model.</param>
    /// <param name="t">Ho's 1-based time in 2 .. T.</param>
    /// <param name="x0">The data point.</param>
    /// <param name="xt">The state x_t.</param>
    public static double TransitionTerm(DdpmReverseModel model, int t, double[] x0, double[] xt)
    {
        if (model is null) throw new ArgumentException("model must not be null.", nameof(model));
        if (t < 2 || t > model.Schedule.Steps) throw new ArgumentException($"t must lie in [2, {model.Schedule.Steps}], got {t}.", nameof(t));
        Guard.FiniteVector(x0, x0?.Length ?? 0, nameof(x0));
        Guard.FiniteVector(xt, x0!.Length, nameof(xt));
        var (c0, ct) = model.Schedule.PosteriorMean(t - 1);
        var mean = model.Mean(t, xt!);
        double v = model.VarianceAt(t), delta = model.PosteriorRatioMinusOne(t);
        double varianceTerm = delta - Accurate.Log1P(delta), sum = 0;
        for (int j = 0; j < x0.Length; j++)
        {
            double diff = c0 * x0[j] + ct * xt![j] - mean[j];
            sum += varianceTerm + diff * diff / v;
        }
        return sum / 2;
    }

    /// <summary>L_0 = -log N(x_0; mu_theta(x_1, 1), sigma_1^2 I) = (1/2) sum_j ((x_{0,j} - mu_j)^2 / sigma_1^2 + log(2 pi sigma_1^2)).</summary>
    /// <param name="model">The reverse model.</param>
    /// <param name="x0">The data point.</param>
    /// <param name="x1">The state x_1.</param>
    public static double DecoderTerm(DdpmReverseModel model, double[] x0, double[] x1)
    {
        if (model is null) throw new ArgumentException("model must not be null.", nameof(model));
        Guard.FiniteVector(x0, x0?.Length ?? 0, nameof(x0));
        Guard.FiniteVector(x1, x0!.Length, nameof(x1));
        var mean = model.Mean(1, x1!);
        double v = model.VarianceAt(1), sum = 0;
        for (int j = 0; j < x0.Length; j++) sum += (x0[j] - mean[j]) * (x0[j] - mean[j]) / v + Math.Log(2 * Math.PI * v);
        return sum / 2;
    }

    /// <summary>
    /// The weight lambda_t = beta_t^2 / (2 sigma_t^2 (1 - beta_t) (1 - abar_t)) for which the mean part of L_{t-1} is a
    /// noise-prediction error: with x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) e,
    /// |mu~_t(x_t, x_0) - mu_theta(x_t, t)|^2 / (2 sigma_t^2) = lambda_t |e - e_theta(x_t, t)|^2 (Ho, Jain and Abbeel 2020,
    /// eq. 12). DDPM's simplified loss E|e - e_theta|^2 (eq. 14) is this with lambda_t replaced by 1.
    /// </summary>
    /// <param name="model">The reverse model (its variance enters lambda_t).</param>
    /// <param name="t">Ho's 1-based time in 1 .. T.</param>
    public static double NoiseWeight(DdpmReverseModel model, int t)
    {
        if (model is null) throw new ArgumentException("model must not be null.", nameof(model));
        double v = model.VarianceAt(t), beta = model.Schedule.Betas[t - 1];
        return beta * beta / (2 * v * (1 - beta) * model.Schedule.OneMinusAlphaBars[t - 1]);
    }

    /// <summary>
    /// The terms of the bound averaged over x_0 ~ <paramref name="data"/> and, for each t independently, x_t ~ q(x_t | x_0)
    /// (every term is a conditional expectation given x_0, so drawing x_t apart for each t is unbiased and has less variance
    /// than one forward chain). Costs T x <paramref name="samples"/> noise predictions.
    /// </summary>
    /// <param name="data">The data distribution q(x_0).</param>
    /// <param name="model">The reverse model.</param>
    /// <param name="samples">The number of x_0 draws, at least 2.</param>
    /// <param name="seed">The random stream.</param>
    public static DdpmElboEstimate Estimate(GaussianMixture data, DdpmReverseModel model, int samples = 2000, ulong seed = 0)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (model is null) throw new ArgumentException("model must not be null.", nameof(model));
        if (samples < 2) throw new ArgumentException($"samples must be at least 2, got {samples}.", nameof(samples));
        var schedule = model.Schedule;
        int T = schedule.Steps, d = data.Dimension;
        if (T < 2) throw new ArgumentException("the schedule must have at least 2 steps.", nameof(model));
        var rng = new XoshiroRandom();
        rng.Reset(seed, 0);
        var e = new double[d];
        var transitions = new double[T - 1];
        double prior = 0, decoder = 0, sum = 0, sq = 0;
        for (int n = 0; n < samples; n++)
        {
            var x0 = data.Sample(rng);
            double total = PriorTerm(schedule, x0);
            prior += total;
            for (int t = 1; t <= T; t++)
            {
                Xoshiro.Normals(rng.State, e);
                double a = Math.Sqrt(schedule.AlphaBars[t - 1]), s = Math.Sqrt(schedule.OneMinusAlphaBars[t - 1]);
                var xt = new double[d];
                for (int j = 0; j < d; j++) xt[j] = a * x0[j] + s * e[j];
                if (t == 1) { double l0 = DecoderTerm(model, x0, xt); decoder += l0; total += l0; }
                else { double l = TransitionTerm(model, t, x0, xt); transitions[t - 2] += l; total += l; }
            }
            sum += total; sq += total * total;
        }
        double mean = sum / samples;
        return new DdpmElboEstimate(mean, Math.Sqrt(Math.Max(sq / samples - mean * mean, 0) / (samples - 1)), prior / samples,
            [.. transitions.Select(v => v / samples)], decoder / samples, samples);
    }
}
