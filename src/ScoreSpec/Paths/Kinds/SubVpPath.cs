using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

/// <summary>
/// The sub-VP path: the marginals of Song et al. 2021's sub-VP SDE, alpha_t as for <see cref="VpPath"/> and
/// sigma_t = 1 - alpha_t^2 = -expm1(-2 I(t)) (shared/cli-contract.md; shared/seeds/003 lists sub-VP in its
/// SDE comparison table). Its forward SDE is dx = -beta(t) x/2 dt + sqrt(beta(t) (1 - alpha_t^4)) dW. The complement
/// 1 - alpha_t^2 is evaluated by the accurate expm1, so no digit is lost near t = 0.
/// </summary>
public sealed record SubVpPath : GaussianPath
{
    private readonly VpPath vp;

    /// <summary>Creates a sub-VP path; needs 0 &lt;= beta_min &lt;= beta_max and beta_max &gt; 0.</summary>
    public SubVpPath(double betaMin = 0.1, double betaMax = 20.0) => vp = new VpPath(betaMin, betaMax);

    /// <summary>beta(0).</summary>
    public double BetaMin => vp.BetaMin;
    /// <summary>beta(1).</summary>
    public double BetaMax => vp.BetaMax;
    /// <summary>The noise rate beta(t) = beta_min + t (beta_max - beta_min).</summary>
    public double Beta(double t) => vp.Beta(t);

    /// <inheritdoc />
    protected override string Parameters => FormattableString.Invariant($"beta_min={BetaMin:R}, beta_max={BetaMax:R}");
    /// <inheritdoc />
    public override string Kind => "subvp";
    /// <inheritdoc />
    public override DataEnd DataEnd => DataEnd.Zero;
    /// <inheritdoc />
    protected override double AlphaCore(double t) => Math.Exp(-vp.HalfIntegral(t));
    /// <inheritdoc />
    protected override double SigmaCore(double t) => -Accurate.ExpM1(-2 * vp.HalfIntegral(t));
    /// <inheritdoc />
    protected override double AlphaDotCore(double t) => -0.5 * vp.Rate(t) * AlphaCore(t);
    /// <inheritdoc />
    protected override double SigmaDotCore(double t) => Math.Exp(-2 * vp.HalfIntegral(t)) * vp.Rate(t);
    /// <inheritdoc />
    protected override double LogAlphaDotCore(double t) => -0.5 * vp.Rate(t);
    /// <inheritdoc />
    protected override double DiffusionSquaredCore(double t)
    {
        // g^2 = beta (1 - alpha^4) = beta (1 - alpha^2)(1 + alpha^2), with the complement from expm1.
        double a2 = Math.Exp(-2 * vp.HalfIntegral(t));
        return vp.Rate(t) * SigmaCore(t) * (1 + a2);
    }
    /// <inheritdoc />
    protected override double LogSnrCore(double t) => -2 * vp.HalfIntegral(t) - 2 * Math.Log(SigmaCore(t));
    /// <summary>
    /// With u = alpha^2 = e^(-2 H) and sigma = 1 - u: e^lambda sigma^2 + sigma - 1 = 0, so sigma = 2 m / (m + sqrt(m^2 + 4))
    /// with m = e^(-lambda/2), and 2 H = -log(1 - sigma) (lambda &gt;= 0, small sigma: log1p); for lambda &lt; 0,
    /// 2 H = -log u = -lambda - log 4 + 2 log(1 + sqrt(1 + 4 e^lambda)), a sum of positive terms.
    /// </summary>
    protected override double TimeOfLogSnrCore(double lambda)
    {
        double c;
        if (lambda >= 0)
        {
            double m = Math.Exp(-lambda / 2);
            c = -Accurate.Log1P(-2 * m / (m + Math.Sqrt(m * m + 4)));
        }
        else c = -lambda - Math.Log(4) + 2 * Math.Log(1 + Math.Sqrt(1 + 4 * Math.Exp(lambda)));
        return vp.TimeOfTwiceHalfIntegral(c);
    }
}
