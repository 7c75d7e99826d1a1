using System.Collections.Immutable;
using ScoreSpec.Paths;

namespace ScoreSpec.Discrete;

/// <summary>
/// A DDPM noise schedule beta_0 .. beta_{T-1} (0-based, as in the DDPM code: beta_i is the variance added by step i + 1),
/// with alpha-bar_i = prod_{j &lt;= i} (1 - beta_j), the closed-form marginal q(x_i | x_0) = N(sqrt(alpha-bar_i) x_0,
/// (1 - alpha-bar_i) I) and the posterior q(x_{i-1} | x_i, x_0) (shared/seeds/003, "From Discrete to Continuous";
/// shared/seeds/001).
/// </summary>
public sealed record DdpmSchedule
{
    /// <summary>A schedule from its betas, each strictly inside (0, 1).</summary>
    public DdpmSchedule(double[] betas)
    {
        Guard.NotNull(betas, nameof(betas));
        if (betas.Length == 0) throw new ArgumentException("betas must not be empty.", nameof(betas));
        for (int i = 0; i < betas.Length; i++)
            if (!(betas[i] > 0 && betas[i] < 1)) throw new ArgumentException($"betas[{i}] must lie in (0, 1), got {betas[i]}.", nameof(betas));
        Betas = [.. betas];
        var ab = new double[betas.Length];
        double acc = 1;
        for (int i = 0; i < betas.Length; i++) { acc *= 1 - betas[i]; ab[i] = acc; }
        AlphaBars = [.. ab];
    }

    /// <summary>The linear schedule of DDPM: beta_i = beta_first + i (beta_last - beta_first)/(T - 1).</summary>
    public static DdpmSchedule Linear(double betaFirst, double betaLast, int steps)
    {
        if (steps < 2) throw new ArgumentException($"steps must be at least 2, got {steps}.", nameof(steps));
        return new DdpmSchedule(Enumerable.Range(0, steps).Select(i => betaFirst + i * (betaLast - betaFirst) / (steps - 1)).ToArray());
    }

    /// <summary>
    /// The DDPM discretisation of a VP path with T steps: beta_i = beta(t_{i+1}) / T with t_i = i/T, the Euler-Maruyama
    /// step of the VP SDE. Its alpha-bar_i approaches alpha_{t_{i+1}}^2 with an error O(1/T).
    /// </summary>
    public static DdpmSchedule EulerOfVp(VpPath vp, int steps)
    {
        if (vp is null) throw new ArgumentException("vp must not be null.", nameof(vp));
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        return new DdpmSchedule(Enumerable.Range(0, steps).Select(i => (vp.BetaMin + (i + 1.0) / steps * (vp.BetaMax - vp.BetaMin)) / steps).ToArray());
    }

    /// <summary>
    /// The exact discretisation of a VP path: beta_i = 1 - alpha_{t_{i+1}}^2 / alpha_{t_i}^2, so alpha-bar_i = alpha_{t_{i+1}}^2
    /// exactly (t_i = i/T; the last step ends just inside t = 1).
    /// </summary>
    public static DdpmSchedule ExactOfVp(VpPath vp, int steps)
    {
        if (vp is null) throw new ArgumentException("vp must not be null.", nameof(vp));
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        double I(double t) => t * t * (vp.BetaMax - vp.BetaMin) / 4 + t * vp.BetaMin / 2;
        return new DdpmSchedule(Enumerable.Range(0, steps).Select(i => -double.ExpM1(-2 * (I((i + 1.0) / steps) - I((double)i / steps)))).ToArray());
    }

    /// <summary>The betas.</summary>
    public ImmutableArray<double> Betas { get; }
    /// <summary>alpha-bar_i = prod_{j &lt;= i} (1 - beta_j).</summary>
    public ImmutableArray<double> AlphaBars { get; }
    /// <summary>The number of steps T.</summary>
    public int Steps => Betas.Length;

    private int Check(int i, string name = "step")
    {
        if (i < 0 || i >= Steps) throw new ArgumentException($"{name} must lie in [0, {Steps - 1}], got {i}.", name);
        return i;
    }

    private double AlphaBarBefore(int i) => i == 0 ? 1 : AlphaBars[i - 1];

    /// <summary>The variance of q(x_{i-1} | x_i, x_0): beta_i (1 - alpha-bar_{i-1}) / (1 - alpha-bar_i) (zero at i = 0).</summary>
    public double PosteriorVariance(int step)
    {
        int i = Check(step);
        return Betas[i] * (1 - AlphaBarBefore(i)) / (1 - AlphaBars[i]);
    }

    /// <summary>
    /// The mean of q(x_{i-1} | x_i, x_0) is c0 x_0 + ct x_i with c0 = sqrt(alpha-bar_{i-1}) beta_i / (1 - alpha-bar_i) and
    /// ct = sqrt(1 - beta_i) (1 - alpha-bar_{i-1}) / (1 - alpha-bar_i).
    /// </summary>
    public (double CoefficientX0, double CoefficientXt) PosteriorMean(int step)
    {
        int i = Check(step);
        double denom = 1 - AlphaBars[i];
        return (Math.Sqrt(AlphaBarBefore(i)) * Betas[i] / denom, Math.Sqrt(1 - Betas[i]) * (1 - AlphaBarBefore(i)) / denom);
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
/// solver of the probability-flow ODE (shared/seeds/003 and shared/seeds/001, "DDIM on a 2D MoG").
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
        double ratio = from.Alpha * to.Sigma / (to.Alpha * from.Sigma);
        double c2 = eta * eta * to.Sigma * to.Sigma * Math.Max(0, 1 - ratio * ratio);
        double keep = Math.Sqrt(Math.Max(0, to.Sigma * to.Sigma - c2)), c = Math.Sqrt(c2);
        return x.Select((v, i) => to.Alpha * (v - from.Sigma * noisePrediction[i]) / from.Alpha + keep * noisePrediction[i] + c * xi[i]).ToArray();
    }
}
