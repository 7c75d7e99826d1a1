using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

/// <summary>
/// The conditional optimal-transport path of flow matching: alpha_t = t, sigma_t = 1 - t, noise at t = 0
/// and data at t = 1 (shared/seeds/002, Holderrieth and Erives Chapters 2-3; shared/cli-contract.md).
/// Proposition 1 gives a_t = (1 - t)/t and b_t = 1/t.
/// </summary>
public sealed record CondOtPath : GaussianPath
{
    /// <inheritdoc />
    protected override string Parameters => "";
    /// <inheritdoc />
    public override string Kind => "condot";
    /// <inheritdoc />
    public override DataEnd DataEnd => DataEnd.One;
    /// <inheritdoc />
    protected override double AlphaCore(double t) => t;
    /// <inheritdoc />
    protected override double SigmaCore(double t) => 1 - t;
    /// <inheritdoc />
    protected override double AlphaDotCore(double t) => 1;
    /// <inheritdoc />
    protected override double SigmaDotCore(double t) => -1;
    /// <inheritdoc />
    protected override double LogAlphaDotCore(double t) => 1 / t;
    /// <summary>alpha / sigma = t / (1 - t) = e^(lambda/2): t is the logistic function of lambda / 2.</summary>
    protected override double TimeOfLogSnrCore(double lambda) => 1 / (1 + Math.Exp(-lambda / 2));
}

/// <summary>
/// The variance-preserving path: the marginals of Song et al. 2021's VP SDE dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW
/// with the linear rate beta(t) = beta_min + t (beta_max - beta_min) (shared/seeds/003, "Variance Preserving (VP) SDE";
/// shared/cli-contract.md). With I(t) = t^2 (beta_max - beta_min)/4 + t beta_min/2 = (1/2) int_0^t beta:
/// alpha_t = exp(-I(t)) and sigma_t = sqrt(1 - alpha_t^2), evaluated as sqrt(-expm1(-2 I(t))) with MathNet's accurate
/// expm1 (.NET's <c>double.ExpM1</c> is exp(x) - 1 and would lose every digit near t = 0). The SNR is 1/expm1(2 I(t)).
/// </summary>
public sealed record VpPath : GaussianPath
{
    /// <summary>Creates a VP path; needs 0 &lt;= beta_min &lt;= beta_max and beta_max &gt; 0.</summary>
    public VpPath(double betaMin = 0.1, double betaMax = 20.0)
    {
        BetaMin = Guard.NonNegative(betaMin, nameof(betaMin));
        BetaMax = Guard.Positive(betaMax, nameof(betaMax));
        if (betaMax < betaMin)
            throw new ArgumentException($"betaMax must be at least betaMin ({betaMin}), got {betaMax}.", nameof(betaMax));
    }

    /// <summary>beta(0), the noise rate at the data end.</summary>
    public double BetaMin { get; }
    /// <summary>beta(1), the noise rate at the noise end.</summary>
    public double BetaMax { get; }

    /// <inheritdoc />
    protected override string Parameters => FormattableString.Invariant($"beta_min={BetaMin:R}, beta_max={BetaMax:R}");
    /// <inheritdoc />
    public override string Kind => "vp";
    /// <inheritdoc />
    public override DataEnd DataEnd => DataEnd.Zero;

    /// <summary>The noise rate beta(t) = beta_min + t (beta_max - beta_min).</summary>
    public double Beta(double t) => BetaMin + Guard.OpenUnit(t) * (BetaMax - BetaMin);

    /// <summary>I(t) = (1/2) int_0^t beta(s) ds = t^2 (beta_max - beta_min)/4 + t beta_min / 2, so alpha_t = exp(-I(t)).</summary>
    public double HalfIntegratedBeta(double t) => HalfIntegral(Guard.OpenUnit(t));

    internal double HalfIntegral(double t) => t * t * (BetaMax - BetaMin) / 4 + t * BetaMin / 2;
    internal double Rate(double t) => BetaMin + t * (BetaMax - BetaMin);

    /// <inheritdoc />
    protected override double AlphaCore(double t) => Math.Exp(-HalfIntegral(t));
    /// <inheritdoc />
    protected override double SigmaCore(double t) => Math.Sqrt(-Accurate.ExpM1(-2 * HalfIntegral(t)));
    /// <inheritdoc />
    protected override double AlphaDotCore(double t) => -0.5 * Rate(t) * AlphaCore(t);
    /// <inheritdoc />
    protected override double SigmaDotCore(double t) => Math.Exp(-2 * HalfIntegral(t)) * Rate(t) / (2 * SigmaCore(t));
    /// <inheritdoc />
    protected override double LogAlphaDotCore(double t) => -0.5 * Rate(t);
    /// <inheritdoc />
    protected override double DiffusionSquaredCore(double t) => Rate(t);
    /// <inheritdoc />
    protected override double SnrCore(double t) => 1 / Accurate.ExpM1(2 * HalfIntegral(t));
    /// <inheritdoc />
    protected override double LogSnrCore(double t) => -Math.Log(Accurate.ExpM1(2 * HalfIntegral(t)));
    /// <summary>
    /// SNR = 1 / (e^(2 H) - 1) with 2 H(t) = beta_min t + (beta_max - beta_min) t^2 / 2, so 2 H = softplus(-lambda) and t
    /// is the positive root of the quadratic, in the form without cancellation.
    /// </summary>
    protected override double TimeOfLogSnrCore(double lambda)
        => TimeOfTwiceHalfIntegral(lambda < 0 ? -lambda + Accurate.Log1P(Math.Exp(lambda)) : Accurate.Log1P(Math.Exp(-lambda)));

    /// <summary>The t &gt;= 0 with beta_min t + (beta_max - beta_min) t^2 / 2 = c: 2 c / (beta_min + sqrt(beta_min^2 + 2 (beta_max - beta_min) c)).</summary>
    internal double TimeOfTwiceHalfIntegral(double c) => 2 * c / (BetaMin + Math.Sqrt(BetaMin * BetaMin + 2 * (BetaMax - BetaMin) * c));
}

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

/// <summary>
/// The variance-exploding path: alpha_t = 1, sigma_t = sigma_min (sigma_max/sigma_min)^t, the marginals of
/// Song et al. 2021's VE SDE dx = sqrt(d sigma_t^2/dt) dW (shared/seeds/003, "Variance Exploding (VE) SDE";
/// shared/cli-contract.md). Data at t = 0, where p_0 is the data smoothed by N(0, sigma_min^2 I).
/// </summary>
public sealed record VePath : GaussianPath
{
    /// <summary>Creates a VE path; needs 0 &lt; sigma_min &lt; sigma_max.</summary>
    public VePath(double sigmaMin = 0.01, double sigmaMax = 50.0)
    {
        SigmaMin = Guard.Positive(sigmaMin, nameof(sigmaMin));
        SigmaMax = Guard.Positive(sigmaMax, nameof(sigmaMax));
        if (sigmaMax <= sigmaMin)
            throw new ArgumentException($"sigmaMax must exceed sigmaMin ({sigmaMin}), got {sigmaMax}.", nameof(sigmaMax));
    }

    /// <summary>sigma at t = 0.</summary>
    public double SigmaMin { get; }
    /// <summary>sigma at t = 1.</summary>
    public double SigmaMax { get; }

    /// <summary>log(sigma_max / sigma_min), by log1p of the exact difference when the ratio is below 2.</summary>
    private double LogRatio => SigmaMax < 2 * SigmaMin ? Accurate.Log1P((SigmaMax - SigmaMin) / SigmaMin) : Math.Log(SigmaMax / SigmaMin);

    /// <inheritdoc />
    protected override string Parameters => FormattableString.Invariant($"sigma_min={SigmaMin:R}, sigma_max={SigmaMax:R}");
    /// <inheritdoc />
    public override string Kind => "ve";
    /// <inheritdoc />
    public override DataEnd DataEnd => DataEnd.Zero;
    /// <inheritdoc />
    protected override double AlphaCore(double t) => 1;
    /// <inheritdoc />
    protected override double SigmaCore(double t) => SigmaMin * Math.Pow(SigmaMax / SigmaMin, t);
    /// <inheritdoc />
    protected override double AlphaDotCore(double t) => 0;
    /// <inheritdoc />
    protected override double SigmaDotCore(double t) => SigmaCore(t) * LogRatio;
    /// <inheritdoc />
    protected override double LogAlphaDotCore(double t) => 0;
    /// <inheritdoc />
    protected override double DiffusionSquaredCore(double t)
    {
        double s = SigmaCore(t);
        return 2 * s * s * LogRatio;
    }
    /// <summary>alpha = 1, so lambda = -2 log sigma_t = -2 (log sigma_min + t log(sigma_max / sigma_min)).</summary>
    protected override double TimeOfLogSnrCore(double lambda) => (-lambda / 2 - Math.Log(SigmaMin)) / LogRatio;
}

/// <summary>
/// The cosine path of Nichol and Dhariwal: with u(t) = (pi/2)(t + s)/(1 + s) and u0 = u(0),
/// alpha_t = cos u(t) / cos u0 and sigma_t = sqrt(1 - alpha_t^2) (shared/cli-contract.md).
/// Near t = 1 the angle u is close to pi/2, where its cosine and tangent would inherit the rounding of u; they are
/// taken from the complement angle instead, cos u = sin(r (1 - t)) and tan u = 1/tan(r (1 - t)) with r = (pi/2)/(1 + s),
/// since 1 - t is exact there. sigma_t^2 is sin(u - u0) sin(u + u0)/cos^2 u0 with u - u0 = r t and u + u0 = r (t + 2 s)
/// formed directly, which equals 1 - alpha_t^2 and loses no digits near t = 0.
/// </summary>
public sealed record CosinePath : GaussianPath
{
    /// <summary>Creates a cosine path with offset s &gt;= 0.</summary>
    public CosinePath(double s = 0.008)
    {
        S = Guard.NonNegative(s, nameof(s));
    }

    /// <summary>The offset s that keeps sigma_t from vanishing too fast near t = 0.</summary>
    public double S { get; }

    /// <inheritdoc />
    protected override string Parameters => FormattableString.Invariant($"s={S:R}");
    /// <inheritdoc />
    public override string Kind => "cosine";
    /// <inheritdoc />
    public override DataEnd DataEnd => DataEnd.Zero;

    /// <summary>r = (pi/2)/(1 + s), the rate of the angle: u(t) = r (t + s).</summary>
    private double Rate => Math.PI / 2 / (1 + S);
    private double CosU0 => Math.Cos(Rate * S);
    /// <summary>cos u(t), from the complement angle r (1 - t) (exact near t = 1, harmless elsewhere).</summary>
    private double CosU(double t) => Math.Sin(Rate * (1 - t));
    /// <summary>tan u(t), directly below pi/4 and from the complement above.</summary>
    private double TanU(double t)
    {
        double u = Rate * (t + S);
        return u <= Math.PI / 4 ? Math.Tan(u) : 1 / Math.Tan(Rate * (1 - t));
    }

    /// <inheritdoc />
    protected override double AlphaCore(double t) => CosU(t) / CosU0;
    /// <inheritdoc />
    protected override double SigmaCore(double t) => Math.Sqrt(Math.Sin(Rate * t) * Math.Sin(Rate * (t + 2 * S))) / CosU0;
    /// <inheritdoc />
    protected override double AlphaDotCore(double t) => -Math.Sin(Rate * (t + S)) * Rate / CosU0;
    /// <inheritdoc />
    protected override double SigmaDotCore(double t) => -AlphaCore(t) * AlphaDotCore(t) / SigmaCore(t);
    /// <inheritdoc />
    protected override double LogAlphaDotCore(double t) => -TanU(t) * Rate;
    /// <inheritdoc />
    protected override double LogSnrCore(double t)
        => 2 * Math.Log(CosU(t)) - Math.Log(Math.Sin(Rate * t)) - Math.Log(Math.Sin(Rate * (t + 2 * S)));
    /// <summary>
    /// With u = pi/2 (t + s) / (1 + s): alpha^2 = cos^2 u / c, sigma^2 = 1 - alpha^2, c = cos^2 u_0, so cos^2 u = c
    /// sigmoid(lambda) and sin^2 u = sin^2 u_0 + c sigmoid(-lambda). Above u = pi/4 take u from the cosine; below, take
    /// u - u_0 from sin(u - u_0) = c sigmoid(-lambda) / sin(u + u_0), which keeps t's relative accuracy as t -> 0.
    /// </summary>
    protected override double TimeOfLogSnrCore(double lambda)
    {
        double c = CosU0 * CosU0, sinU0 = Math.Sin(Rate * S);
        double cos2 = c / (1 + Math.Exp(-lambda)), sin2 = sinU0 * sinU0 + c / (1 + Math.Exp(lambda));
        if (sin2 > 0.5) return Math.Acos(Math.Sqrt(cos2)) / Rate - S;
        // Near t = 0, u - u_0 would cancel: take it from sin^2 u - sin^2 u_0 = sin(u - u_0) sin(u + u_0) instead.
        double u = Math.Asin(Math.Sqrt(sin2));
        return Math.Asin(c / (1 + Math.Exp(lambda)) / Math.Sin(u + Rate * S)) / Rate;
    }
}
