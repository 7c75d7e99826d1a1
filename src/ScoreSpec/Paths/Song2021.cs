namespace ScoreSpec.Paths;

/// <summary>
/// The SDEs of Song et al. 2021 written out as that paper and shared/seeds/003 state them, independently of
/// <see cref="GaussianPath.ForwardSde"/>'s derivation from alpha_t and sigma_t; the catalog checks that the two agree.
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
