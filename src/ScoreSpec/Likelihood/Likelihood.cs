using ScoreSpec.Densities;
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Solvers;

namespace ScoreSpec.Likelihood;

/// <summary>How the divergence of the probability-flow drift is evaluated along the ODE.</summary>
public enum DivergenceMethod
{
    /// <summary>Exactly: d F - D g^2 Laplacian(log p_t)/2, with the mixture's Hessian.</summary>
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
    int Probes = 1, ulong Seed = 0, double Rtol = 1e-8, double Atol = 1e-8);

/// <summary>The log-likelihood of one point.</summary>
/// <param name="LogDensity">The estimate of log p at the start time.</param>
/// <param name="ReferenceLogDensity">The exact log p at the start time.</param>
/// <param name="Evaluations">Vector-field evaluations of the solve.</param>
/// <param name="BitsPerDimension">-LogDensity / (d ln 2).</param>
/// <param name="NoiseEndPoint">Where the ODE carried the point.</param>
/// <param name="PriorLogDensity">The log density of the prior at the noise-end point.</param>
public sealed record LikelihoodResult(double LogDensity, double ReferenceLogDensity, int Evaluations, double BitsPerDimension, double[] NoiseEndPoint, double PriorLogDensity);

/// <summary>
/// Log-likelihoods by the probability-flow ODE: along dx/dt = v(x, t) = F x - D g^2 score / 2 the log density changes
/// by -div v, so log p_{t0}(x) = log p_{t1}(x_{t1}) + integral_{t0}^{t1} div v dt (instantaneous change of variables;
/// shared/seeds/003, "Likelihood Computation"). The state (x, integral) is integrated with adaptive Dormand-Prince from
/// the data end to the noise end.
/// </summary>
public static class ProbabilityFlowLikelihood
{
    /// <summary>The log-likelihood of <paramref name="x"/> under the data carried along <paramref name="path"/>.</summary>
    public static LikelihoodResult LogLikelihood(GaussianMixture data, GaussianPath path, double[] x, LikelihoodOptions? options = null)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        var o = options ?? new LikelihoodOptions();
        Guard.FiniteVector(x, data.Dimension, nameof(x));
        if (!(o.Epsilon > 0 && o.Epsilon < 0.5)) throw new ArgumentException($"Epsilon must lie in (0, 0.5), got {o.Epsilon}.", nameof(options));
        if (o.Probes < 1) throw new ArgumentException($"Probes must be at least 1, got {o.Probes}.", nameof(options));
        int d = data.Dimension, D = path.NoisingDirection;
        double t0 = path.DataEnd == DataEnd.Zero ? o.Epsilon : 1 - o.Epsilon, t1 = path.DataEnd == DataEnd.Zero ? 1 - o.Epsilon : o.Epsilon;
        var field = new MarginalField(data, path);
        var probes = Probes(o, d);
        VectorField drift = (t, y, dy) =>
        {
            field.Score(t, y, dy);
            double F = path.LogAlphaDot(t), c = D * path.DiffusionSquared(t) / 2;
            for (int i = 0; i < y.Length; i++) dy[i] = F * y[i] - c * dy[i];
        };
        VectorField augmented = (t, state, ds) =>
        {
            var y = state[..d];
            drift(t, y, ds[..d]);
            ds[d] = o.Divergence == DivergenceMethod.Exact
                ? d * path.LogAlphaDot(t) - D * path.DiffusionSquared(t) / 2 * FokkerPlanckOperator.Trace(data.Along(path, t).Hessian(y.ToArray()))
                : Hutchinson(drift, t, y.ToArray(), probes);
        };
        var start = new double[d + 1];
        x.CopyTo(start, 0);
        var sol = Ode.Solve(new OdeProblem(augmented, start, t0, t1), new OdeAlgorithm.DormandPrince(o.Rtol, o.Atol));
        var end = sol.Final[..d];
        double prior = o.Prior == PriorKind.Exact
            ? data.Along(path, t1).LogDensity(end)
            : Gaussian.Isotropic(new double[d], path.Sigma(t1)).LogDensity(end);
        double logp = prior + sol.Final[d];
        return new LikelihoodResult(logp, data.Along(path, t0).LogDensity(x), sol.Nfe, -logp / (d * Math.Log(2)), end, prior);
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
