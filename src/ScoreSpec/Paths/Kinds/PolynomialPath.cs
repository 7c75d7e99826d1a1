using ScoreSpec.Numerics;

namespace ScoreSpec.Paths;

/// <summary>
/// The polynomial flow-matching path alpha_t = t^n, sigma_t = 1 - t^n (data at t = 1, noise at t = 0); n = 1 is condot.
/// sigma_t is computed as -expm1(n log t), so it keeps its relative accuracy as t -&gt; 1, and the log-SNR
/// 2 log(t^n / (1 - t^n)) inverts in closed form: t = sigmoid(lambda / 2)^(1/n). Added through the path registry as the
/// worked example of docs/contributing.md.
/// </summary>
public sealed record PolynomialPath : GaussianPath
{
    /// <summary>The path with exponent <paramref name="n"/>.</summary>
    /// <param name="n">The exponent, positive and at most 100.</param>
    public PolynomialPath(double n = 2)
    {
        N = Guard.Positive(n, nameof(n));
        if (n > 100) throw new ArgumentException($"n must be at most 100, got {n}.", nameof(n));
    }

    /// <summary>The exponent n.</summary>
    public double N { get; }

    /// <inheritdoc/>
    protected override string Parameters => FormattableString.Invariant($"n={N:R}");
    /// <inheritdoc/>
    public override string Kind => "polynomial";
    /// <inheritdoc/>
    public override DataEnd DataEnd => DataEnd.One;
    /// <inheritdoc/>
    protected override double AlphaCore(double t) => Math.Pow(t, N);
    /// <inheritdoc/>
    protected override double SigmaCore(double t) => -Accurate.ExpM1(N * Math.Log(t));
    /// <inheritdoc/>
    protected override double AlphaDotCore(double t) => N * Math.Pow(t, N - 1);
    /// <inheritdoc/>
    protected override double SigmaDotCore(double t) => -N * Math.Pow(t, N - 1);
    /// <inheritdoc/>
    protected override double LogAlphaDotCore(double t) => N / t;
    /// <inheritdoc/>
    protected override double LogSnrCore(double t) => 2 * (N * Math.Log(t) - Math.Log(SigmaCore(t)));
    /// <inheritdoc/>
    protected override double TimeOfLogSnrCore(double lambda) => Math.Exp(-Accurate.Log1P(Math.Exp(-lambda / 2)) / N);
}
