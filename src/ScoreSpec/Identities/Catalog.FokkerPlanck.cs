using ScoreSpec.Densities;
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Numerics;
using static ScoreSpec.Identities.Helpers;

namespace ScoreSpec.Identities;

public static partial class Catalog
{
    private static readonly Identity[] FokkerPlanckIdentities =
    [
        new("fp.ou-stationary",
            "The Ornstein-Uhlenbeck density N(0, sigma^2/(2 theta) I) makes the Fokker-Planck right-hand side of dx = -theta x dt + sigma dW vanish (random theta, sigma, d = 1-5).",
            "shared/seeds/002 Ch. 5 ('Worked example - Fokker-Planck for OU process')",
            "Exact cancellation of terms computed separately: 1e3 eps x the sum of the terms' magnitudes.",
            OuStationary),
        new("fp.langevin-stationary",
            "Langevin dynamics with drift (g^2/2) score leaves a 1D mixture p stationary and draws a wrong start to it: the Fokker-Planck equation solved by the reference finite-volume solver, which sees only drift values, keeps p for unit time and relaxes N(mean + 2 sd, (sd/2)^2) to p.",
            "shared/seeds/002 Ch. 6 ('The stationary distribution is exactly p')",
            "L1 1e-8 for stationarity (Scharfetter-Gummel keeps the grid values of p exactly up to 3-point Gauss-Legendre edge averages, ~1e-10); L1 1e-6 after 40 relaxation times from the wrong start.",
            LangevinStationary),
        new("fp.path-marginals",
            "Along every path, the exact mixture marginal p_t satisfies the Fokker-Planck equation of the path's forward SDE: d/dt log p_t (finite differences in t) equals the right-hand side over p.",
            "shared/seeds/002 Ch. 5; shared/seeds/003 'Proof Sketch of Anderson's Theorem' step 1",
            "10 x the finite-difference error bound of d/dt log p_t plus 1e3 eps x the right-hand side's terms.",
            s => PathFokkerPlanck(s, extension: false)),
        new("fp.extension",
            "Along every path, p_t satisfies the Fokker-Planck equation of the extension-trick SDE for sigma(t) = c g(t), c random in [0, 2] and c = 0 (the continuity equation of the probability-flow ODE).",
            "shared/seeds/002 Ch. 4-5 (Theorem 17 and its proof)",
            "10 x the finite-difference error bound of d/dt log p_t plus 1e3 eps x the right-hand side's terms.",
            s => PathFokkerPlanck(s, extension: true)),
        new("fp.laplacian",
            "Laplacian p = div(p grad log p) for mixtures: second differences of p against first differences of the field p s.",
            "shared/seeds/002 Ch. 5 ('The key identity used')",
            "10 x the sum of both finite-difference error bounds (Richardson + rounding).",
            LaplacianIdentity),
    ];

    private static CheckResult OuStationary(int seed)
    {
        var rng = new Random(seed);
        int d = Dim(rng);
        double theta = 0.2 + 2.8 * rng.NextDouble(), sigma = 0.3 + 1.7 * rng.NextDouble();
        var p = GaussianMixture.Single(Gaussian.Isotropic(new double[d], sigma / Math.Sqrt(2 * theta)));
        var drift = new DriftField((t, x) => x.Select(v => -theta * v).ToArray(), (t, x) => -theta * x.Length);
        var worst = new WorstOf();
        for (int k = 0; k < 4; k++)
        {
            var x = p.Sample(rng);
            var s = p.Score(x);
            double lap = FokkerPlanckOperator.Trace(p.Hessian(x));
            var f = drift.Value(0, x);
            double rate = FokkerPlanckOperator.RelativeRate(s, lap, f, drift.Divergence(0, x), sigma * sigma);
            double scale = FokkerPlanckOperator.RelativeRateScale(s, lap, f, drift.Divergence(0, x), sigma * sigma);
            worst.Add(Math.Abs(rate), 1e3 * Eps * scale, $"theta={theta:G4} sigma={sigma:G4} d={d} x={Fmt(x)} rate={rate:G3}");
        }
        return worst.Result;
    }

    private static CheckResult LangevinStationary(int seed) => LangevinStationary(seed, null);

    /// <summary>
    /// The Fokker-Planck equation of Langevin dynamics dx = (g^2/2) score dt + g dW for a random 1D mixture, solved by the
    /// reference finite-volume solver (which sees the drift's values only, never a Hessian): (a) started at p it stays at
    /// p for unit time; (b) started at a wrong density, N(mean + 2 sd, (sd/2)^2), it relaxes to p. <paramref name="drift"/>
    /// replaces the library's Langevin drift (a negative control's slip).
    /// </summary>
    internal static CheckResult LangevinStationary(int seed, Func<GaussianMixture, double, DriftField>? drift)
    {
        var rng = new Random(seed);
        var p = RandomInstances.OverlappingMixture1D(rng);
        int k = p.Components.Length;
        double g2 = 0.5 + 1.5 * rng.NextDouble();
        var field = (drift ?? FokkerPlanckOperator.LangevinDrift)(p, g2);
        var (mean, variance) = MeanAndVariance1D(p);
        double sd = Math.Sqrt(variance);
        var grid = new Grid1D(mean - 12 * sd, mean + 12 * sd, 1200);
        var exact = grid.Centres().Select(x => Math.Exp(p.LogDensity([x]))).ToArray();
        double L1(IReadOnlyList<double> q) => q.Select((v, i) => Math.Abs(v - exact[i])).Sum() * grid.Dx;
        var worst = new WorstOf();
        // (a) The scheme's discrete stationary state for a gradient drift a (log q)' is q on the grid, up to the 3-point
        // Gauss-Legendre error of the edge averages of the drift (below 1e-10 here): 1e-8 in L1 leaves room for the
        // round-off of 100 tridiagonal solves.
        var stay = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => field.Value(t, [x])[0], t => g2, [.. exact], grid, 0, 1) { Autonomous = true }, 100);
        worst.Add(L1(stay.Density), 1e-8, $"k={k} g2={g2:G3} from p: L1 change {L1(stay.Density):G3} after unit time");
        // (b) From a wrong start over time T = 40 v / (g^2/2), with backward Euler steps of 0.4 v / (g^2/2): the slowest
        // transient of these overlapping mixtures decays at a rate of order (g^2/2) / v, so it is below e^-20 at T; 1e-6
        // in L1 is the stationary-state error above with a margin for the transient.
        double T = 40 * variance / (g2 / 2);
        var start = grid.Centres().Select(x => MathNet.Numerics.Distributions.Normal.PDF(mean + 2 * sd, sd / 2, x)).ToArray();
        var relax = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((t, x) => field.Value(t, [x])[0], t => g2, [.. start], grid, 0, T) { Autonomous = true }, 100);
        worst.Add(L1(relax.Density), 1e-6, $"k={k} g2={g2:G3} from N({mean + 2 * sd:G4}, {sd / 2:G3}^2): L1 distance {L1(relax.Density):G3} at T = {T:G3}");
        return worst.Result;
    }

    private static CheckResult PathFokkerPlanck(int seed, bool extension)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, Dim(rng));
        var worst = new WorstOf();
        foreach (var (path, t) in PathsAndTimes(rng))
        {
            double c = extension ? (rng.Next(3) == 0 ? 0 : 2 * rng.NextDouble()) : 0;
            int D = path.NoisingDirection;
            DriftField drift = extension
                ? FokkerPlanckOperator.ExtensionDrift(data, path, u => c * Math.Sqrt(path.DiffusionSquared(u)))
                : FokkerPlanckOperator.ForwardDrift(path);
            double g2 = extension ? c * c * path.DiffusionSquared(t) : path.DiffusionSquared(t);
            int direction = extension ? -D : D;
            var mt = data.Along(path, t);
            var x = mt.Sample(rng);
            double h = 1e-3 * Math.Min(t, 1 - t); // the O(h^4) truncation stays ~1e-12; a larger h divides the rounding less
            var dlogp = FiniteDifference.Derivative(u => data.Along(path, u).LogDensity(x), t, h);
            var s = mt.Score(x);
            double lap = FokkerPlanckOperator.Trace(mt.Hessian(x));
            var f = drift.Value(t, x);
            double div = drift.Divergence(t, x);
            double rate = FokkerPlanckOperator.RelativeRate(s, lap, f, div, g2, direction);
            // The divergence is itself a difference of d F and the score-Laplacian term: count both in the rounding scale.
            double scale = FokkerPlanckOperator.RelativeRateScale(s, lap, f, div, g2)
                + Math.Abs(x.Length * path.LogAlphaDot(t)) + (path.DiffusionSquared(t) + g2) * Math.Abs(lap);
            // log p_t is a difference of larger terms (normaliser, quadratic form, log-sum-exp): as in score.gradient,
            // its rounding is bounded by 16 eps (|log p| + d + 10), which enters the difference quotient divided by h.
            double rounding = 1.5 * Eps * 16 * (Math.Abs(mt.LogDensity(x)) + x.Length + 10) / h;
            worst.Add(Math.Abs(dlogp.Value - rate), 10 * (dlogp.ErrorBound + rounding) + 1e3 * Eps * scale,
                $"{Describe(path, t)}{(extension ? $" c={c:G3}" : "")} x={Fmt(x)} dlogp/dt={dlogp.Value:G10} fokker-planck={rate:G10}");
        }
        return worst.Result;
    }

    private static CheckResult LaplacianIdentity(int seed)
    {
        var rng = new Random(seed);
        var m = RandomInstances.Mixture(rng, Dim(rng), 2);
        // Second differences need a larger step than first ones: 10 x the gradient step keeps the rounding term
        // (~eps p / h^2) far below the O(h^4) truncation, which Richardson estimates.
        double h = Step(m), h2 = 10 * h;
        var worst = new WorstOf();
        for (int k = 0; k < 3; k++)
        {
            var x = m.Sample(rng);
            double P(double[] y) => Math.Exp(m.LogDensity(y));
            double lapSum = 0, lapErr = 0, divSum = 0, divErr = 0;
            for (int i = 0; i < x.Length; i++)
            {
                int idx = i;
                double Along(double v, Func<double[], double> f) { var y = (double[])x.Clone(); y[idx] = v; return f(y); }
                var second = FiniteDifference.SecondDerivative(v => Along(v, P), x[i], h2);
                var first = FiniteDifference.Derivative(v => Along(v, y => P(y) * m.Score(y)[idx]), x[i], h);
                lapSum += second.Value; lapErr += second.ErrorBound;
                divSum += first.Value; divErr += first.ErrorBound;
            }
            worst.Add(Math.Abs(lapSum - divSum), 10 * (lapErr + divErr), $"x={Fmt(x)} laplacian={lapSum:G10} div(p s)={divSum:G10}");
        }
        return worst.Result;
    }
}
