namespace ScoreSpec.Paths;

/// <summary>Which end of the unit time interval holds the data distribution.</summary>
public enum DataEnd
{
    /// <summary>Data at t = 0, noise at t = 1 (the diffusion convention: vp, subvp, ve, cosine).</summary>
    Zero,
    /// <summary>Data at t = 1, noise at t = 0 (the flow-matching convention: condot).</summary>
    One,
}

/// <summary>
/// A Gaussian probability path: data z and independent noise e ~ N(0, I) are mixed as
/// x_t = alpha_t z + sigma_t e, so that p_t(x | z) = N(x; alpha_t z, sigma_t^2 I).
/// The sources write beta_t for what is called sigma_t here (shared/seeds/002, Holderrieth and Erives
/// Chapter 2); the VP noise rate beta(t) is a different thing and lives on <see cref="VpPath"/>.
/// Every member takes t strictly inside (0, 1) and throws an <see cref="ArgumentException"/> naming
/// <c>t</c> otherwise.
/// </summary>
public abstract record GaussianPath
{
    /// <summary>The contract name of the path kind, one of <see cref="PathRegistry.Names"/> (docs/cli.md).</summary>
    public abstract string Kind { get; }

    /// <summary>Which end of [0, 1] is the data end.</summary>
    public abstract DataEnd DataEnd { get; }

    /// <summary>
    /// +1 when noise is added as t increases (data at t = 0), -1 when it is added as t decreases
    /// (condot, data at t = 1). The forward (noising) SDE of the path runs in this direction.
    /// </summary>
    public int NoisingDirection => DataEnd == DataEnd.Zero ? 1 : -1;

    /// <summary>alpha_t, the signal scale of x_t = alpha_t z + sigma_t e.</summary>
    public double Alpha(double t) => AlphaCore(Guard.OpenUnit(t));

    /// <summary>sigma_t, the noise scale of x_t = alpha_t z + sigma_t e (beta_t in shared/seeds/002).</summary>
    public double Sigma(double t) => SigmaCore(Guard.OpenUnit(t));

    /// <summary>d alpha_t / dt, in closed form.</summary>
    public double AlphaDot(double t) => AlphaDotCore(Guard.OpenUnit(t));

    /// <summary>d sigma_t / dt, in closed form.</summary>
    public double SigmaDot(double t) => SigmaDotCore(Guard.OpenUnit(t));

    /// <summary>
    /// d log alpha_t / dt = alphadot_t / alpha_t. It is the coefficient F(t) of the linear drift
    /// f(x, t) = F(t) x of the path's forward SDE and the coefficient b_t of Proposition 1.
    /// </summary>
    public double LogAlphaDot(double t) => LogAlphaDotCore(Guard.OpenUnit(t));

    /// <summary>
    /// Proposition 1 coefficient a_t = sigma_t^2 alphadot_t / alpha_t - sigmadot_t sigma_t
    /// (shared/seeds/002, Holderrieth and Erives Chapter 3, with beta_t written sigma_t), so that the
    /// velocity is u_t(x) = a_t grad log p_t(x) + b_t x, conditionally and marginally.
    /// </summary>
    public double A(double t)
    {
        Guard.OpenUnit(t);
        double s = SigmaCore(t);
        return s * (s * LogAlphaDotCore(t) - SigmaDotCore(t));
    }

    /// <summary>
    /// The squared diffusion g(t)^2 of the forward SDE whose marginals this path has:
    /// g^2 = |d sigma_t^2/dt - 2 (alphadot_t/alpha_t) sigma_t^2|, with the SDE run in the
    /// <see cref="NoisingDirection"/>. Equivalently g^2 = -2 a_t / NoisingDirection.
    /// </summary>
    public double DiffusionSquared(double t) => DiffusionSquaredCore(Guard.OpenUnit(t));

    /// <summary>
    /// The signal-to-noise ratio SNR(t) = alpha_t^2 / sigma_t^2 (Kingma et al. 2021; shared/seeds/002 Chapter 8 weighs
    /// losses by it). It falls from the data end to the noise end.
    /// </summary>
    public double Snr(double t) => SnrCore(Guard.OpenUnit(t));

    /// <summary>
    /// The log signal-to-noise ratio lambda(t) = log(alpha_t^2 / sigma_t^2) = 2 log(alpha_t / sigma_t), the time variable
    /// of DPM-Solver. It crosses zero where alpha_t = sigma_t; there its error is small against 1, not against itself.
    /// </summary>
    public double LogSnr(double t) => LogSnrCore(Guard.OpenUnit(t));

    /// <summary>
    /// The inverse of <see cref="LogSnr"/>: the time t in (0, 1) with log(alpha_t^2 / sigma_t^2) = lambda. The log-SNR is
    /// strictly monotone on every path (it falls from the data end to the noise end), so the inverse exists on the range
    /// of lambda the open interval reaches; the grids uniform in log-SNR (DPM-Solver, Lu et al. 2022) and Karras' grid in
    /// sigma_t / alpha_t = exp(-lambda / 2) are built on it. Closed form on every built-in kind; a path kind without one
    /// gets a bracketed root of LogSnr(t) - lambda (MathNet's Brent) on [2^-40, 1 - 2^-40].
    /// </summary>
    /// <param name="lambda">The log signal-to-noise ratio; must lie strictly inside the path's range.</param>
    /// <exception cref="ArgumentException">lambda is not finite or no t in (0, 1) reaches it.</exception>
    public double TimeOfLogSnr(double lambda)
    {
        Guard.Finite(lambda, nameof(lambda));
        double t = TimeOfLogSnrCore(lambda);
        if (!(t > 0 && t < 1))
            throw new ArgumentException($"lambda = {lambda:R} is outside the log-SNR range of {this} on (0, 1).", nameof(lambda));
        return t;
    }

    /// <summary>The inverse of <see cref="Snr"/>: <see cref="TimeOfLogSnr"/>(log snr).</summary>
    /// <param name="snr">The signal-to-noise ratio alpha_t^2 / sigma_t^2, positive and inside the path's range.</param>
    public double TimeOfSnr(double snr) => TimeOfLogSnr(Math.Log(Guard.Positive(snr, nameof(snr))));

    /// <summary>
    /// The time whose log-SNR is lambda, or a value outside (0, 1) when none is; override with a closed form. The
    /// default finds the root numerically.
    /// </summary>
    protected virtual double TimeOfLogSnrCore(double lambda) => TimeOfLogSnrByRootFinding(lambda);

    /// <summary>The numerical inverse of the log-SNR (the default, and the tests' independent check of the closed forms).</summary>
    internal double TimeOfLogSnrByRootFinding(double lambda)
    {
        const double lo = 1.0 / (1L << 40), hi = 1 - lo;
        double F(double t) => LogSnrCore(t) - lambda;
        double fl = F(lo), fh = F(hi);
        if (!(fl * fh <= 0)) return double.NaN; // lambda beyond what the open interval reaches (or not finite there)
        if (fl == 0) return lo;
        if (fh == 0) return hi;
        return MathNet.Numerics.RootFinding.Brent.TryFindRoot(F, lo, hi, 1e-16, 200, out double root) ? root : double.NaN;
    }

    /// <summary>
    /// The forward (noising) SDE dx = F(t) x dt + g(t) dW whose marginals started from data are this path's, with
    /// F = <see cref="LogAlphaDot"/> and g^2 = <see cref="DiffusionSquared"/>, run in <see cref="NoisingDirection"/>:
    /// the value <see cref="Processes.Sde.Forward"/>(this), from which the reverse SDE, the probability-flow ODE and the
    /// extension trick are built.
    /// </summary>
    public Processes.Sde.ForwardOf ForwardSde => new(this);

    /// <summary>All scalar coefficients of the path at time t, with the conversions among parameterizations.</summary>
    public PathPoint At(double t) => new(this, t);

    /// <summary>The kind and its parameters, e.g. <c>vp(beta_min=0.1, beta_max=20)</c>.</summary>
    public sealed override string ToString() => Parameters.Length == 0 ? Kind : $"{Kind}({Parameters})";

    /// <summary>The parameters as <c>name=value</c> pairs in contract names, empty for condot.</summary>
    protected abstract string Parameters { get; }

    /// <summary>alpha_t for t already validated.</summary>
    protected abstract double AlphaCore(double t);
    /// <summary>sigma_t for t already validated.</summary>
    protected abstract double SigmaCore(double t);
    /// <summary>d alpha_t/dt for t already validated.</summary>
    protected abstract double AlphaDotCore(double t);
    /// <summary>d sigma_t/dt for t already validated.</summary>
    protected abstract double SigmaDotCore(double t);
    /// <summary>d log alpha_t/dt for t already validated; override where a direct form is more accurate.</summary>
    protected virtual double LogAlphaDotCore(double t) => AlphaDotCore(t) / AlphaCore(t);
    /// <summary>
    /// g(t)^2 for t already validated: 2 sigma_t |sigmadot_t - F sigma_t|. For every path here sigmadot_t and -F sigma_t
    /// have the same sign in the noising direction, so the sum does not cancel; override where a closed form is simpler.
    /// </summary>
    protected virtual double DiffusionSquaredCore(double t)
    {
        double s = SigmaCore(t);
        return Math.Abs(2 * s * (SigmaDotCore(t) - s * LogAlphaDotCore(t)));
    }
    /// <summary>alpha_t^2 / sigma_t^2 for t already validated.</summary>
    protected virtual double SnrCore(double t)
    {
        double r = AlphaCore(t) / SigmaCore(t);
        return r * r;
    }
    /// <summary>log(alpha_t^2 / sigma_t^2) for t already validated.</summary>
    protected virtual double LogSnrCore(double t) => 2 * Math.Log(AlphaCore(t) / SigmaCore(t));

    /// <summary>The conditional-OT path of flow matching, alpha_t = t, sigma_t = 1 - t (data at t = 1).</summary>
    public static CondOtPath CondOt { get; } = new();
    /// <summary>The VP path with the defaults beta_min = 0.1, beta_max = 20.</summary>
    public static VpPath Vp { get; } = new();
    /// <summary>The sub-VP path with the defaults beta_min = 0.1, beta_max = 20.</summary>
    public static SubVpPath SubVp { get; } = new();
    /// <summary>The VE path with the defaults sigma_min = 0.01, sigma_max = 50.</summary>
    public static VePath Ve { get; } = new();
    /// <summary>The cosine path with the default offset s = 0.008.</summary>
    public static CosinePath Cosine { get; } = new();

    /// <summary>Every path kind of <see cref="PathRegistry"/> with its default parameters, in the order of the contract table.</summary>
    public static IReadOnlyList<GaussianPath> All => PathRegistry.All.Select(k => k.Default).ToArray();
}
