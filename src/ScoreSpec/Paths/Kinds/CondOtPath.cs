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
