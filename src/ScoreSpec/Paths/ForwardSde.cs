namespace ScoreSpec.Paths;

/// <summary>
/// The forward (noising) SDE of a Gaussian path: dx = f(x, t) dt + g(t) dW with the linear drift
/// f(x, t) = F(t) x, F(t) = alphadot_t / alpha_t, and g(t)^2 = |d sigma_t^2/dt - 2 F(t) sigma_t^2|, run in the
/// direction <see cref="Direction"/> of t (+1: t increases, as in Song et al. 2021; -1: t decreases, for condot
/// whose data sit at t = 1). Started from data at the data end it has the marginals of the path: the mean obeys
/// d alpha/dt = F alpha and the variance d sigma^2/dt = 2 F sigma^2 + Direction g^2.
/// A step of size h &gt; 0 in the SDE's direction reads x(t + Direction h) = x + Direction F(t) x h + g(t) sqrt(h) xi.
/// Sources: shared/seeds/003 ("From Discrete to Continuous", the SDE table); shared/seeds/002 Chapter 5.
/// </summary>
/// <param name="Path">The path whose marginals the SDE has.</param>
public sealed record ForwardSde(GaussianPath Path)
{
    /// <summary>+1 when the SDE runs forward in t, -1 when it runs backward (condot).</summary>
    public int Direction => Path.NoisingDirection;

    /// <summary>F(t) = d log alpha_t/dt, the drift coefficient: f(x, t) = F(t) x.</summary>
    public double DriftCoefficient(double t) => Path.LogAlphaDot(t);

    /// <summary>g(t) = sqrt(|d sigma_t^2/dt - 2 F(t) sigma_t^2|).</summary>
    public double Diffusion(double t) => Math.Sqrt(Path.DiffusionSquared(t));

    /// <summary>The drift f(x, t) = F(t) x, as dx/dt in the path's own time.</summary>
    public double[] Drift(double[] x, double t)
    {
        double F = DriftCoefficient(t);
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        var result = new double[x!.Length];
        for (int i = 0; i < x.Length; i++) result[i] = F * x[i];
        return result;
    }

    /// <summary>
    /// The drift of the probability-flow ODE in the path's own time,
    /// dx/dt = f(x, t) - Direction g(t)^2 score / 2 (shared/seeds/003, "Probability Flow ODE"; for Direction = -1 the
    /// sign of the score term flips because the noise is added as t decreases). It equals the velocity
    /// a_t score + b_t x of Proposition 1, since a_t = -Direction g^2 / 2.
    /// </summary>
    public double[] ProbabilityFlowDrift(double[] x, double[] score, double t)
    {
        double F = DriftCoefficient(t), g2 = Path.DiffusionSquared(t);
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(score, x!.Length, nameof(score));
        var result = new double[x.Length];
        for (int i = 0; i < x.Length; i++) result[i] = F * x[i] - Direction * g2 * score[i] / 2;
        return result;
    }

    /// <summary>
    /// The drift of Anderson's reverse-time SDE in the path's own time, f(x, t) - Direction g(t)^2 score,
    /// integrated in the denoising direction -Direction (shared/seeds/003, "Anderson's Theorem (1982)"; shared/seeds/004,
    /// "Reversing the SDE").
    /// </summary>
    public double[] ReverseDrift(double[] x, double[] score, double t)
    {
        double F = DriftCoefficient(t), g2 = Path.DiffusionSquared(t);
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(score, x!.Length, nameof(score));
        var result = new double[x.Length];
        for (int i = 0; i < x.Length; i++) result[i] = F * x[i] - Direction * g2 * score[i];
        return result;
    }
}

/// <summary>
/// The SDEs of Song et al. 2021 written out as that paper and shared/seeds/003 state them, independently of
/// <see cref="ForwardSde"/>'s derivation from alpha_t and sigma_t; the catalog checks that the two agree.
/// Each returns (drift coefficient F with f = F x, diffusion g) at time t.
/// </summary>
public static class Song2021
{
    /// <summary>VP SDE: dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW, beta(t) = beta_min + t (beta_max - beta_min).</summary>
    public static (double DriftCoefficient, double Diffusion) Vp(double betaMin, double betaMax, double t)
    {
        double beta = betaMin + t * (betaMax - betaMin);
        return (-beta / 2, Math.Sqrt(beta));
    }

    /// <summary>sub-VP SDE: dx = -beta(t) x / 2 dt + sqrt(beta(t) (1 - exp(-2 int_0^t beta))) dW.</summary>
    public static (double DriftCoefficient, double Diffusion) SubVp(double betaMin, double betaMax, double t)
    {
        double beta = betaMin + t * (betaMax - betaMin);
        double integral = betaMin * t + (betaMax - betaMin) * t * t / 2;
        return (-beta / 2, Math.Sqrt(beta * -Numerics.Accurate.ExpM1(-2 * integral)));
    }

    /// <summary>VE SDE: dx = sqrt(d sigma(t)^2 / dt) dW with sigma(t) = sigma_min (sigma_max/sigma_min)^t,
    /// so d sigma^2/dt = 2 sigma(t)^2 log(sigma_max/sigma_min).</summary>
    public static (double DriftCoefficient, double Diffusion) Ve(double sigmaMin, double sigmaMax, double t)
    {
        double sigma = sigmaMin * Math.Pow(sigmaMax / sigmaMin, t);
        return (0, sigma * Math.Sqrt(2 * Math.Log(sigmaMax / sigmaMin)));
    }
}
