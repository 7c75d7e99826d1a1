using System.Collections.Immutable;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;

namespace ScoreSpec.Likelihood;

/// <summary>How the divergence of the probability-flow drift is evaluated along the ODE.</summary>
public enum DivergenceMethod
{
    /// <summary>Exactly: d F - D g^2 Laplacian(log p_t)/2 for mixture data (the field's Laplacian); for a model, the full Jacobian trace by central differences.</summary>
    Exact,
    /// <summary>Hutchinson's estimator v^T J v with Rademacher probes (entries +-1), J v by central differences of the drift.</summary>
    HutchinsonRademacher,
    /// <summary>Hutchinson's estimator with standard normal probes.</summary>
    HutchinsonGaussian,
}

/// <summary>Which density is placed at the noise end.</summary>
public enum PriorKind
{
    /// <summary>The exact marginal p_t of the data at the noise end.</summary>
    Exact,
    /// <summary>N(0, sigma^2 I) with the path's sigma at the noise end (what a trained model assumes).</summary>
    Standard,
}

/// <summary>Options of the probability-flow likelihood (shared/cli-contract.md, <c>likelihood</c>).</summary>
/// <param name="Epsilon">Integration starts this far from the data end and stops this far from the noise end (every path function needs t inside (0, 1)).</param>
/// <param name="Prior">The density at the noise end.</param>
/// <param name="Divergence">Exact or Hutchinson.</param>
/// <param name="Probes">Hutchinson probes, drawn once per solve and averaged.</param>
/// <param name="Seed">Seed of the probes.</param>
/// <param name="Rtol">Dormand-Prince relative tolerance.</param>
/// <param name="Atol">Dormand-Prince absolute tolerance.</param>
public sealed record LikelihoodOptions(double Epsilon = 1e-5, PriorKind Prior = PriorKind.Exact, DivergenceMethod Divergence = DivergenceMethod.Exact,
    int Probes = 1, ulong Seed = 0, double Rtol = 1e-8, double Atol = 1e-8)
{
    /// <summary>A copy with the given options changed, the others kept; from F#, <c>options.With(rtol = 1e-10)</c>.</summary>
    /// <param name="epsilon">New <see cref="Epsilon"/>, or null to keep it.</param>
    /// <param name="prior">New <see cref="Prior"/>, or null to keep it.</param>
    /// <param name="divergence">New <see cref="Divergence"/>, or null to keep it.</param>
    /// <param name="probes">New <see cref="Probes"/>, or null to keep it.</param>
    /// <param name="seed">New <see cref="Seed"/>, or null to keep it.</param>
    /// <param name="rtol">New <see cref="Rtol"/>, or null to keep it.</param>
    /// <param name="atol">New <see cref="Atol"/>, or null to keep it.</param>
    public LikelihoodOptions With(double? epsilon = null, PriorKind? prior = null, DivergenceMethod? divergence = null, int? probes = null,
        ulong? seed = null, double? rtol = null, double? atol = null) =>
        new(epsilon ?? Epsilon, prior ?? Prior, divergence ?? Divergence, probes ?? Probes, seed ?? Seed, rtol ?? Rtol, atol ?? Atol);
}

/// <summary>The log-likelihood of one point.</summary>
/// <param name="LogDensity">The estimate of log p at the start time.</param>
/// <param name="ReferenceLogDensity">The exact log p at the start time for mixture data; NaN for a model, whose exact density is unknown.</param>
/// <param name="Evaluations">Vector-field evaluations of the solve.</param>
/// <param name="BitsPerDimension">-LogDensity / (d ln 2).</param>
/// <param name="NoiseEndPoint">Where the ODE carried the point.</param>
/// <param name="PriorLogDensity">The log density of the prior at the noise-end point.</param>
public sealed record LikelihoodResult(double LogDensity, double ReferenceLogDensity, int Evaluations, double BitsPerDimension, ImmutableArray<double> NoiseEndPoint, double PriorLogDensity) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(LikelihoodResult? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(LikelihoodResult)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [LogDensity, ReferenceLogDensity, Evaluations, BitsPerDimension, NoiseEndPoint, PriorLogDensity];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>
/// Log-likelihoods by the probability-flow ODE: along dx/dt = v(x, t) = F x - D g^2 score / 2 the log density changes
/// by -div v, so log p_{t0}(x) = log p_{t1}(x_{t1}) + integral_{t0}^{t1} div v dt (instantaneous change of variables;
/// shared/seeds/003, "Likelihood Computation"). The state (x, integral) is integrated with adaptive Dormand-Prince from
/// the data end to the noise end.
/// </summary>
public static class ProbabilityFlowLikelihood
{
    /// <summary>The log-likelihood of <paramref name="x"/> under the data carried along <paramref name="path"/>.</summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="x">The point, near the data end (at Epsilon from it).</param>
    /// <param name="options">Epsilon, prior, divergence method and tolerances; the defaults when null.</param>
    public static LikelihoodResult LogLikelihood(GaussianMixture data, GaussianPath path, double[] x, LikelihoodOptions? options = null)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        var o = Check(options);
        Guard.FiniteVector(x, data.Dimension, nameof(x));
        var (t0, t1) = Ends(path, o);
        var field = new MarginalField(data, path);
        var flow = Sde.Forward(path).ProbabilityFlow(Samplers.ExactScore(field));
        // The divergence of the affine drift F x - c s is d F - c Laplacian(log p_t): exact, with the field's Laplacian.
        Func<double, double[], double> divergence = (t, y) =>
        {
            var (F, c) = flow.AffineInScore(t)!.Value;
            return y.Length * F - c * field.LaplacianLogDensity(t, y);
        };
        Func<double[], double> prior = o.Prior == PriorKind.Exact
            ? end => field.LogDensity(t1, end)
            : end => Gaussian.Isotropic(new double[end.Length], path.Sigma(t1)).LogDensity(end);
        var result = Solve(flow.DriftField, x, t0, t1, prior, o, divergence);
        return result with { ReferenceLogDensity = field.LogDensity(t0, x) };
    }

    /// <summary>
    /// The log-likelihood of <paramref name="x"/> under any score model on <paramref name="path"/>: the probability-flow
    /// ODE of the path's forward SDE with <paramref name="score"/>, from Epsilon inside the data end to Epsilon inside the
    /// noise end, with <paramref name="prior"/> at the noise end (N(0, sigma^2 I) with the path's sigma there when null,
    /// what a trained model assumes). With <see cref="DivergenceMethod.Exact"/> the divergence is the full trace of the
    /// velocity's Jacobian by central differences (2d evaluations a step); Hutchinson's estimators cost 2 per probe.
    /// <see cref="LikelihoodResult.ReferenceLogDensity"/> is NaN: no exact density is known for a model.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="score">The score model s(t, x).</param>
    /// <param name="x">The point.</param>
    /// <param name="prior">log p at the noise end; null for the standard prior.</param>
    /// <param name="options">Epsilon, divergence method and tolerances (Prior is ignored: <paramref name="prior"/> decides).</param>
    public static LikelihoodResult LogLikelihood(GaussianPath path, ScoreFunction score, double[] x, Func<double[], double>? prior = null, LikelihoodOptions? options = null)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        var o = Check(options);
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        var (t0, t1) = Ends(path, o);
        prior ??= end => Gaussian.Isotropic(new double[end.Length], path.Sigma(t1)).LogDensity(end);
        return Solve(Sde.Forward(path).ProbabilityFlow(score).DriftField, x!, t0, t1, prior, o, null);
    }

    /// <summary>
    /// The log-likelihood at time <paramref name="t0"/> of <paramref name="x"/> under any flow dx/dt = v(t, x) (a
    /// flow-matching velocity model, say) that carries the density to <paramref name="prior"/> at <paramref name="t1"/>:
    /// log p_t0(x) = log p_t1(x_t1) + integral from t0 to t1 of div v. The divergence is
    /// <paramref name="divergence"/> when given, else as <paramref name="options"/> says (Exact: the full Jacobian trace
    /// by central differences). <see cref="LikelihoodResult.ReferenceLogDensity"/> is NaN.
    /// </summary>
    /// <param name="velocity">v(t, x).</param>
    /// <param name="x">The point at t0.</param>
    /// <param name="t0">The time of x.</param>
    /// <param name="t1">The time of the prior.</param>
    /// <param name="prior">log p_t1.</param>
    /// <param name="options">Divergence method and tolerances (Epsilon and Prior are not used).</param>
    /// <param name="divergence">div v(t, x) in closed form; null to estimate it.</param>
    public static LikelihoodResult LogLikelihood(VectorField velocity, double[] x, double t0, double t1, Func<double[], double> prior, LikelihoodOptions? options = null, Func<double, double[], double>? divergence = null)
    {
        if (velocity is null) throw new ArgumentException("velocity must not be null.", nameof(velocity));
        if (prior is null) throw new ArgumentException("prior must not be null.", nameof(prior));
        Guard.Finite(t0, nameof(t0));
        Guard.Finite(t1, nameof(t1));
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        return Solve(velocity, x!, t0, t1, prior, Check(options), divergence);
    }

    private static LikelihoodOptions Check(LikelihoodOptions? options)
    {
        var o = options ?? new LikelihoodOptions();
        if (!(o.Epsilon > 0 && o.Epsilon < 0.5)) throw new ArgumentException($"Epsilon must lie in (0, 0.5), got {o.Epsilon}.", nameof(options));
        if (o.Probes < 1) throw new ArgumentException($"Probes must be at least 1, got {o.Probes}.", nameof(options));
        return o;
    }

    private static (double T0, double T1) Ends(GaussianPath path, LikelihoodOptions o)
        => path.DataEnd == DataEnd.Zero ? (o.Epsilon, 1 - o.Epsilon) : (1 - o.Epsilon, o.Epsilon);

    /// <summary>Integrates (x, log-density change) from t0 to t1 and adds the prior at the end point.</summary>
    private static LikelihoodResult Solve(VectorField velocity, double[] x, double t0, double t1, Func<double[], double> prior, LikelihoodOptions o, Func<double, double[], double>? divergence)
    {
        int d = x.Length;
        var probes = Probes(o, d);
        VectorField augmented = (t, state, ds) =>
        {
            var y = state[..d];
            velocity(t, y, ds[..d]);
            ds[d] = o.Divergence != DivergenceMethod.Exact ? Hutchinson(velocity, t, y.ToArray(), probes)
                : divergence is not null ? divergence(t, y.ToArray())
                : Trace(velocity, t, y.ToArray());
        };
        var start = new double[d + 1];
        x.CopyTo(start, 0);
        var sol = Ode.Solve(new OdeProblem(augmented, Guard.Own(start), t0, t1), new OdeAlgorithm.DormandPrince(o.Rtol, o.Atol));
        var end = sol.Final.AsSpan(0, d).ToArray();
        double priorLog = prior(end);
        double logp = priorLog + sol.Final[d];
        return new LikelihoodResult(logp, double.NaN, sol.Nfe, -logp / (d * Math.Log(2)), Guard.Own(end), priorLog);
    }

    /// <summary>The trace of the velocity's Jacobian by central differences along each coordinate (step eps^(1/3) (1 + |x_i|)).</summary>
    private static double Trace(VectorField velocity, double t, double[] x)
    {
        int d = x.Length;
        var probe = (double[])x.Clone();
        var up = new double[d]; var dn = new double[d];
        double trace = 0;
        for (int i = 0; i < d; i++)
        {
            double h = 6.0554544523933395e-06 * (1 + Math.Abs(x[i]));
            probe[i] = x[i] + h; velocity(t, probe, up);
            probe[i] = x[i] - h; velocity(t, probe, dn);
            probe[i] = x[i];
            trace += (up[i] - dn[i]) / (2 * h);
        }
        return trace;
    }

    internal static double[][] Probes(LikelihoodOptions o, int d)
    {
        if (o.Divergence == DivergenceMethod.Exact) return [];
        var state = new ulong[4];
        Xoshiro.Seed(state, o.Seed, 0xD1F);
        var probes = new double[o.Probes][];
        for (int k = 0; k < o.Probes; k++)
        {
            probes[k] = new double[d];
            if (o.Divergence == DivergenceMethod.HutchinsonGaussian) Xoshiro.Normals(state, probes[k]);
            else for (int i = 0; i < d; i++) probes[k][i] = (Xoshiro.Next(state) & 1) == 0 ? 1 : -1;
        }
        return probes;
    }

    /// <summary>
    /// Hutchinson's estimate of div v at (t, x): the mean over probes u of u^T J u, with J u by central differences
    /// (v(x + h u) - v(x - h u)) / (2h) along the probe, h = eps^(1/3) (1 + |x|) / |u|.
    /// </summary>
    public static double Hutchinson(VectorField drift, double t, double[] x, double[][] probes)
    {
        if (drift is null) throw new ArgumentException("drift must not be null.", nameof(drift));
        Guard.NotNull(probes, nameof(probes));
        if (probes.Length == 0) throw new ArgumentException("probes must not be empty.", nameof(probes));
        int d = x.Length;
        var up = new double[d]; var dn = new double[d]; var fu = new double[d]; var fd = new double[d];
        double xnorm = Math.Sqrt(x.Sum(v => v * v)), total = 0;
        foreach (var u in probes)
        {
            double unorm = Math.Sqrt(u.Sum(v => v * v));
            double h = 6.0554544523933395e-06 * (1 + xnorm) / Math.Max(unorm, 1e-300);
            for (int i = 0; i < d; i++) { up[i] = x[i] + h * u[i]; dn[i] = x[i] - h * u[i]; }
            drift(t, up, fu); drift(t, dn, fd);
            double acc = 0;
            for (int i = 0; i < d; i++) acc += u[i] * (fu[i] - fd[i]) / (2 * h);
            total += acc;
        }
        return total / probes.Length;
    }
}
