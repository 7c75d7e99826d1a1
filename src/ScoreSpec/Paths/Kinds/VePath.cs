using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

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

    /// <summary>A copy with the given parameters changed, the others kept; from F#, <c>path.With(sigmaMax = ...)</c>.</summary>
    /// <param name="sigmaMin">New <see cref="SigmaMin"/>, or null to keep it.</param>
    /// <param name="sigmaMax">New <see cref="SigmaMax"/>, or null to keep it.</param>
    public VePath With(double? sigmaMin = null, double? sigmaMax = null) => new(sigmaMin ?? SigmaMin, sigmaMax ?? SigmaMax);

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
