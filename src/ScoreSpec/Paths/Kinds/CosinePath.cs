using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

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
