using System.Collections.Immutable;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;

namespace ScoreSpec.Discrete;

/// <summary>
/// A DDPM noise schedule beta_0 .. beta_{T-1} (0-based, as in the DDPM code: beta_i is the variance added by step i + 1),
/// with alpha-bar_i = prod_{j &lt;= i} (1 - beta_j), the closed-form marginal q(x_i | x_0) = N(sqrt(alpha-bar_i) x_0,
/// (1 - alpha-bar_i) I) and the posterior q(x_{i-1} | x_i, x_0). The chain and its link to the VP SDE are in
/// shared/seeds/001 (lesson 14, the DDPM Markov chain as a discretisation) and shared/seeds/003 ("From Discrete to
/// Continuous"); the posterior's mean and variance are Ho, Jain and Abbeel 2020, equations 6-7, which no seed states.
/// Precision: alpha-bar is accumulated as log alpha-bar_i = sum_j log1p(-beta_j) with compensated summation, and both
/// alpha-bar_i = exp(.) and 1 - alpha-bar_i = -expm1(.) are taken from it, so neither the product of a thousand factors
/// nor the complement of an alpha-bar close to 1 loses digits (docs/conventions.md, "Accuracy").
/// </summary>
public sealed record DdpmSchedule : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(DdpmSchedule? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(DdpmSchedule)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Betas];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>A schedule from its betas, each strictly inside (0, 1).</summary>
    /// <param name="betas">beta_0 .. beta_{T-1}, the variances added by the T forward steps.</param>
    public DdpmSchedule(double[] betas)
    {
        Guard.NotNull(betas, nameof(betas));
        if (betas.Length == 0) throw new ArgumentException("betas must not be empty.", nameof(betas));
        for (int i = 0; i < betas.Length; i++)
            if (!(betas[i] > 0 && betas[i] < 1)) throw new ArgumentException($"betas[{i}] must lie in (0, 1), got {betas[i]}.", nameof(betas));
        Betas = [.. betas];
        var log = new double[betas.Length];
        double sum = 0, compensation = 0; // Neumaier's compensated sum of log1p(-beta_j)
        for (int i = 0; i < betas.Length; i++)
        {
            double term = Accurate.Log1P(-betas[i]), next = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
            sum = next;
            log[i] = sum + compensation;
        }
        LogAlphaBars = [.. log];
        AlphaBars = [.. log.Select(Math.Exp)];
        OneMinusAlphaBars = [.. log.Select(l => -Accurate.ExpM1(l))];
    }

    /// <summary>The linear schedule of DDPM: beta_i = beta_first + i (beta_last - beta_first)/(T - 1) (Ho, Jain and Abbeel 2020 use 1e-4 to 0.02 over T = 1000).</summary>
    /// <param name="betaFirst">beta_0.</param>
    /// <param name="betaLast">beta_{T-1}.</param>
    /// <param name="steps">T, at least 2.</param>
    public static DdpmSchedule Linear(double betaFirst, double betaLast, int steps)
    {
        if (steps < 2) throw new ArgumentException($"steps must be at least 2, got {steps}.", nameof(steps));
        double increment = (betaLast - betaFirst) / (steps - 1);
        return new DdpmSchedule(Enumerable.Range(0, steps).Select(i => betaFirst + i * increment).ToArray());
    }

    /// <summary>
    /// The DDPM discretisation of a VP path with T steps: beta_i = beta(t_{i+1}) / T with t_i = i/T, the Euler-Maruyama
    /// step of the VP SDE. Its alpha-bar_i approaches alpha_{t_{i+1}}^2 with an error O(1/T).
    /// </summary>
    /// <param name="vp">The VP path.</param>
    /// <param name="steps">T, at least 1.</param>
    public static DdpmSchedule EulerOfVp(VpPath vp, int steps)
    {
        if (vp is null) throw new ArgumentException("vp must not be null.", nameof(vp));
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        return new DdpmSchedule(Enumerable.Range(0, steps).Select(i => (vp.BetaMin + (i + 1.0) / steps * (vp.BetaMax - vp.BetaMin)) / steps).ToArray());
    }

    /// <summary>
    /// The exact discretisation of a VP path: beta_i = 1 - alpha_{t_{i+1}}^2 / alpha_{t_i}^2, so alpha-bar_i = alpha_{t_{i+1}}^2
    /// exactly (t_i = i/T; the last step ends just inside t = 1). It is evaluated as -expm1(-2 (I(t_{i+1}) - I(t_i))) with the
    /// difference of half-integrals formed in closed form, (1/T) ((2i + 1)/T (beta_max - beta_min)/4 + beta_min/2), since
    /// subtracting two nearly equal I values would lose digits.
    /// </summary>
    /// <param name="vp">The VP path.</param>
    /// <param name="steps">T, at least 1.</param>
    public static DdpmSchedule ExactOfVp(VpPath vp, int steps)
    {
        if (vp is null) throw new ArgumentException("vp must not be null.", nameof(vp));
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        double T = steps;
        return new DdpmSchedule(Enumerable.Range(0, steps)
            .Select(i => -Accurate.ExpM1(-2 / T * ((2.0 * i + 1) / T * (vp.BetaMax - vp.BetaMin) / 4 + vp.BetaMin / 2))).ToArray());
    }

    /// <summary>The betas.</summary>
    public ImmutableArray<double> Betas { get; }
    /// <summary>alpha-bar_i = prod_{j &lt;= i} (1 - beta_j).</summary>
    public ImmutableArray<double> AlphaBars { get; }
    /// <summary>1 - alpha-bar_i, the variance of q(x_i | x_0), without the cancellation of subtracting alpha-bar_i from 1.</summary>
    public ImmutableArray<double> OneMinusAlphaBars { get; }
    /// <summary>log alpha-bar_i = sum_{j &lt;= i} log(1 - beta_j).</summary>
    public ImmutableArray<double> LogAlphaBars { get; }
    /// <summary>The number of steps T.</summary>
    public int Steps => Betas.Length;

    private int Check(int i, string name = "step")
    {
        if (i < 0 || i >= Steps) throw new ArgumentException($"{name} must lie in [0, {Steps - 1}], got {i}.", name);
        return i;
    }

    private double AlphaBarBefore(int i) => i == 0 ? 1 : AlphaBars[i - 1];
    private double OneMinusAlphaBarBefore(int i) => i == 0 ? 0 : OneMinusAlphaBars[i - 1];

    /// <summary>The variance of q(x_{i-1} | x_i, x_0): beta_i (1 - alpha-bar_{i-1}) / (1 - alpha-bar_i) (zero at i = 0) (Ho, Jain and Abbeel 2020, equation 7).</summary>
    /// <param name="step">The 0-based step i.</param>
    public double PosteriorVariance(int step)
    {
        int i = Check(step);
        return Betas[i] * OneMinusAlphaBarBefore(i) / OneMinusAlphaBars[i];
    }

    /// <summary>
    /// The mean of q(x_{i-1} | x_i, x_0) is c0 x_0 + ct x_i with c0 = sqrt(alpha-bar_{i-1}) beta_i / (1 - alpha-bar_i) and
    /// ct = sqrt(1 - beta_i) (1 - alpha-bar_{i-1}) / (1 - alpha-bar_i) (Ho, Jain and Abbeel 2020, equation 7).
    /// </summary>
    /// <param name="step">The 0-based step i.</param>
    public (double CoefficientX0, double CoefficientXt) PosteriorMean(int step)
    {
        int i = Check(step);
        double denom = OneMinusAlphaBars[i];
        return (Math.Sqrt(AlphaBarBefore(i)) * Betas[i] / denom, Math.Sqrt(1 - Betas[i]) * OneMinusAlphaBarBefore(i) / denom);
    }

    /// <summary>One forward step x_i = sqrt(1 - beta_i) x_{i-1} + sqrt(beta_i) e.</summary>
    public double[] ForwardStep(int step, double[] previous, double[] noise)
    {
        int i = Check(step);
        Guard.FiniteVector(previous, previous?.Length ?? 0, nameof(previous));
        Guard.FiniteVector(noise, previous!.Length, nameof(noise));
        return previous.Select((v, k) => Math.Sqrt(1 - Betas[i]) * v + Math.Sqrt(Betas[i]) * noise[k]).ToArray();
    }
}

/// <summary>
/// DDIM (Song, Meng and Ermon 2021) on any Gaussian path: from the noise prediction e^ at (s, x_s), the clean estimate
/// z^ = (x_s - sigma_s e^)/alpha_s is carried to time t as x_t = alpha_t z^ + sqrt(sigma_t^2 - c^2) e^ + c xi, with
/// c = eta sigma_t sqrt(1 - (alpha_s sigma_t / (alpha_t sigma_s))^2), which for VP-type paths (alpha^2 + sigma^2 = 1) is the
/// paper's eta sqrt((1 - abar_t)/(1 - abar_s)) sqrt(1 - abar_s/abar_t). With eta = 0 it is deterministic: a first-order
/// solver of the probability-flow ODE (shared/seeds/004, "Hands-on companions": "DDIM on a 2D MoG ... a first-order
/// discretization of the probability-flow ODE"; shared/seeds/001, the L13 DDIM mechanism as the probability-flow ODE).
/// </summary>
public static class Ddim
{
    /// <summary>
    /// One DDIM step from <paramref name="from"/> (noisier) to <paramref name="to"/>, with the noise c xi of the class
    /// summary (xi is ignored when eta = 0).
    /// </summary>
    public static double[] Step(PathPoint from, PathPoint to, double[] x, double[] noisePrediction, double eta, double[] xi)
    {
        if (from is null) throw new ArgumentException("from must not be null.", nameof(from));
        if (to is null) throw new ArgumentException("to must not be null.", nameof(to));
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(noisePrediction, x!.Length, nameof(noisePrediction));
        Guard.FiniteVector(xi, x.Length, nameof(xi));
        Guard.NonNegative(eta, nameof(eta));
        var (keep, c) = Scales(from, to, eta);
        return x.Select((v, i) => to.Alpha * (v - from.Sigma * noisePrediction[i]) / from.Alpha + keep * noisePrediction[i] + c * xi[i]).ToArray();
    }

    /// <summary>
    /// The two scales of a step: c = eta sigma_s sqrt(1 - (alpha_t sigma_s / (alpha_s sigma_t))^2) for the fresh noise and
    /// sqrt(sigma_s^2 - c^2) for the predicted noise (t the noisier time, s the next).
    /// </summary>
    internal static (double Keep, double Noise) Scales(PathPoint from, PathPoint to, double eta)
    {
        double ratio = from.Alpha * to.Sigma / (to.Alpha * from.Sigma);
        double c2 = eta * eta * to.Sigma * to.Sigma * Math.Max(0, 1 - ratio * ratio);
        return (Math.Sqrt(Math.Max(0, to.Sigma * to.Sigma - c2)), Math.Sqrt(c2));
    }

    /// <summary>
    /// The DDIM step as an update affine in x and the score s (the noise prediction is -sigma_t s):
    /// x' = cx x + cs s + cn xi with cx = alpha_s / alpha_t, cs = sigma_t (alpha_s sigma_t / alpha_t - keep), cn = c;
    /// three numbers per step of <paramref name="times"/>.
    /// </summary>
    internal static double[] Table(GaussianPath path, double[] times, double eta)
    {
        var table = new double[3 * (times.Length - 1)];
        for (int k = 0; k + 1 < times.Length; k++)
        {
            PathPoint from = path.At(times[k]), to = path.At(times[k + 1]);
            var (keep, c) = Scales(from, to, eta);
            double shrink = to.Alpha / from.Alpha;
            table[3 * k] = shrink;
            table[3 * k + 1] = from.Sigma * (shrink * from.Sigma - keep);
            table[3 * k + 2] = c;
        }
        return table;
    }
}
