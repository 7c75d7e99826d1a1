using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

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

    /// <summary>A copy with the given parameters changed, the others kept; from F#, <c>path.With(betaMax = ...)</c>.</summary>
    /// <param name="betaMin">New <see cref="BetaMin"/>, or null to keep it.</param>
    /// <param name="betaMax">New <see cref="BetaMax"/>, or null to keep it.</param>
    public VpPath With(double? betaMin = null, double? betaMax = null) => new(betaMin ?? BetaMin, betaMax ?? BetaMax);

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
