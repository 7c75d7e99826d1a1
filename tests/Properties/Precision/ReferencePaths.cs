using ScoreSpec.Paths;

namespace ScoreSpec.Properties.Precision;

/// <summary>
/// Reference values of a path's scalars at 96 digits, from the definitions only: alpha_t and sigma_t exactly as the
/// sources define them (no complement tricks, no expm1: at this precision the cancellations cost nothing), their
/// derivatives by central differences with step 2^-100 (bounded in <see cref="Hp"/>), and every other scalar from its
/// definition in terms of those four: F = alphadot/alpha, a = sigma^2 F - sigmadot sigma, g^2 = |d sigma^2/dt - 2 F sigma^2|,
/// SNR = alpha^2/sigma^2, lambda = log SNR.
/// </summary>
public static class ReferencePaths
{
    private static readonly Hp H = Hp.One / (1L << 50) / (1L << 50);

    /// <summary>alpha_t and sigma_t from the definitions of shared/cli-contract.md's path table.</summary>
    public static (Hp Alpha, Hp Sigma) AlphaSigma(GaussianPath path, Hp t) => path switch
    {
        CondOtPath => (t, Hp.One - t),
        VpPath vp => VpLike(vp.BetaMin, vp.BetaMax, t, sub: false),
        SubVpPath sub => VpLike(sub.BetaMin, sub.BetaMax, t, sub: true),
        VePath ve => (Hp.One, (Hp)ve.SigmaMin * Hp.Exp(t * Hp.Log((Hp)ve.SigmaMax / ve.SigmaMin))),
        CosinePath c => Cosine(c.S, t),
        _ => throw new ArgumentException($"no reference for {path.Kind}", nameof(path)),
    };

    /// <summary>I(t) = int_0^t beta(s) ds / 2 with beta(s) = beta_min + s (beta_max - beta_min).</summary>
    public static Hp HalfIntegral(double betaMin, double betaMax, Hp t)
        => ((Hp)betaMin * t + ((Hp)betaMax - betaMin) * t * t / 2) / 2;

    private static (Hp, Hp) VpLike(double betaMin, double betaMax, Hp t, bool sub)
    {
        var I = HalfIntegral(betaMin, betaMax, t);
        var alpha = Hp.Exp(-I);
        var complement = Hp.One - alpha * alpha;
        return (alpha, sub ? complement : Hp.Sqrt(complement));
    }

    private static (Hp, Hp) Cosine(double s, Hp t)
    {
        Hp S = s, half = Hp.Pi / 2;
        var alpha = Hp.Cos(half * (t + S) / (Hp.One + S)) / Hp.Cos(half * S / (Hp.One + S));
        return (alpha, Hp.Sqrt(Hp.One - alpha * alpha));
    }

    /// <summary>All public scalars of the path at t, by name, at 96 digits.</summary>
    public static IReadOnlyDictionary<string, Hp> Scalars(GaussianPath path, double tDouble)
    {
        Hp t = tDouble;
        var (alpha, sigma) = AlphaSigma(path, t);
        var (ap, sp) = AlphaSigma(path, t + H);
        var (am, sm) = AlphaSigma(path, t - H);
        var alphaDot = (ap - am) / (H * 2);
        var sigmaDot = (sp - sm) / (H * 2);
        var F = alphaDot / alpha;
        var a = sigma * sigma * F - sigmaDot * sigma;
        var g2 = (sigma * sigmaDot * 2 - F * sigma * sigma * 2).Abs();
        var snr = alpha * alpha / (sigma * sigma);
        var result = new Dictionary<string, Hp>
        {
            ["alpha"] = alpha, ["sigma"] = sigma, ["alpha_dot"] = alphaDot, ["sigma_dot"] = sigmaDot,
            ["log_alpha_dot"] = F, ["a"] = a, ["b"] = F, ["g2"] = g2, ["g"] = Hp.Sqrt(g2),
            ["snr"] = snr, ["log_snr"] = Hp.Log(snr),
        };
        if (path is VpPath vp)
        {
            result["beta"] = (Hp)vp.BetaMin + t * ((Hp)vp.BetaMax - vp.BetaMin);
            result["half_integrated_beta"] = HalfIntegral(vp.BetaMin, vp.BetaMax, t);
        }
        return result;
    }

    /// <summary>The library's value of each scalar named in <see cref="Scalars"/>.</summary>
    public static IReadOnlyDictionary<string, double> Library(GaussianPath path, double t)
    {
        var pt = path.At(t);
        var result = new Dictionary<string, double>
        {
            ["alpha"] = pt.Alpha, ["sigma"] = pt.Sigma, ["alpha_dot"] = pt.AlphaDot, ["sigma_dot"] = pt.SigmaDot,
            ["log_alpha_dot"] = path.LogAlphaDot(t), ["a"] = pt.A, ["b"] = pt.B, ["g2"] = path.DiffusionSquared(t),
            ["g"] = path.ForwardSde.Diffusion(t), ["snr"] = path.Snr(t), ["log_snr"] = path.LogSnr(t),
        };
        if (path is VpPath vp)
        {
            result["beta"] = vp.Beta(t);
            result["half_integrated_beta"] = vp.HalfIntegratedBeta(t);
        }
        return result;
    }
}
