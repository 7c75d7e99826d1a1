using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using static ScoreSpec.Identities.Helpers;

namespace ScoreSpec.Identities;

public static partial class Catalog
{
    /// <summary>Sample size of the sampler identities' Kolmogorov-Smirnov tests.</summary>
    public const int SamplerSampleSize = 5000;

    /// <summary>False-failure probability of one sampler identity instance (Kolmogorov critical value).</summary>
    public const double SamplerFalseFailure = 1e-6;

    private static readonly Identity[] SolverIdentities =
    [
        new("field.consistency",
            "The fast exact field (eigendecomposed covariances) gives the same log density, score and denoiser as MixtureMarginal (Cholesky factors and Bayes gains), every path.",
            "shared/seeds/002 Ch. 1-3 (two evaluations of one closed form)",
            "Closed forms equal in exact arithmetic: 1e3 eps kappa^2 (|value| + |x| + 1).",
            FieldConsistency),
        new("ode.orders",
            "Euler, Heun, RK4 and Dormand-Prince converge with orders 1, 2, 4 and 5 on a random damped rotation x' = A x (exact e^{aT} R(bT) x0), fitted over six step sizes.",
            "shared/seeds/003 'Higher-Order Methods' table",
            "|fitted order - theory| <= 0.2 (shared/DESIGN.md).",
            OdeOrders),
        new("sde.strong-orders",
            "Euler-Maruyama has strong order 1/2 and Milstein strong order 1 on geometric Brownian motion, against the exact solution on the same refinable Brownian paths.",
            "shared/seeds/003 'Euler-Maruyama (SDE)'",
            "|fitted order - theory| <= 0.2 over 2000 paths and six levels (shared/DESIGN.md); sigma in [0.7, 1] keeps the O(h^{1/2}) term dominant at these steps. With 200 paths the mean error was ruled by a few paths of the heavy-tailed geometric Brownian motion and the fit failed on 1 of 300 instances (order 0.738 at --seed 66); with 2000 paths that instance fits 0.55.",
            SdeStrongOrders, Slow: true),
        new("sampler.reverse-sde",
            "Euler-Maruyama on Anderson's reverse SDE with the exact score carries the exact p at the noise end to the exact p at the data end (1D mixtures, random path kind).",
            "shared/seeds/003 'Anderson's Theorem (1982)', 'Sampling with Learned Score'; shared/seeds/004 'Reversing the SDE'",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {SamplerSampleSize}) + min(twice the largest Gaussian-data discretisation bias of the components + 1e-3, {SamplerAllowanceCap}), the bias from a recursion written apart from the sampler (DiscretisedGaussianLaw).",
            s => SamplerCheck(s, "reverse"), Slow: true),
        new("sampler.pf-ode",
            "The probability-flow ODE (RK4, 100 steps) with the exact score carries the exact p at the noise end to the exact p at the data end (1D mixtures, random path kind).",
            "shared/seeds/003 'Probability Flow ODE'",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {SamplerSampleSize}) + 1e-3 for the ODE error.",
            s => SamplerCheck(s, "pf"), Slow: true),
        new("pf-ode.encode-decode",
            "The probability-flow ODE is an invertible encoder: exact data (at the data end) carried to the noise end by the ODE with the exact score are distributed as the exact p there, and carried back they return to their starting points (1D mixtures, random path kind, Dormand-Prince at 1e-10).",
            "shared/seeds/003 'Probability Flow ODE' (exact likelihood, encoding and decoding); shared/seeds/002 Ch. 4",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {EncodeSampleSize}) + 1e-3 for the ODE error; round trip within 1e-6 (1 + |x|) of the start. The round trip alone holds for any ODE; the law at the noise end is what a wrong score, sign or factor breaks.",
            s => EncodeDecode(s), Slow: true),
        new("consistency.exact",
            "The exact consistency function of the probability-flow ODE (the ODE solved to the data end with the exact score) is self-consistent, f(x, t1) = f(Phi_{t1 -> t2}(x), t2) for points of one trajectory, and consistency sampling with it draws the exact p at the data end, in one step from the noise end and in three (re-noised to two intermediate times by the path's exact transition) (1D mixtures, random path kind).",
            "shared/seeds/002 (consistency models in its tables of methods); Song, Dhariwal, Chen and Sutskever 2023 (the consistency function, self-consistency, Algorithm 1)",
            $"Self-consistency within 1e-6 (1 + |x|) (Dormand-Prince at 1e-10 on each side); KS critical value at false-failure {SamplerFalseFailure:G} / 2 (n = 2000, Bonferroni over the one- and three-step samples) + 1e-3 for the ODE error. Self-consistency holds for any ODE's flow map; the law at the data end is what a wrong score breaks.",
            s => ConsistencyCheck(s), Slow: true, SlowInstances: 1),
        new("sampler.extension",
            "The SDE extension trick with a random sigma(t) = c g(t), c in [0, 2], carries the exact p at the noise end to the exact p at the data end (1D mixtures, random path kind).",
            "shared/seeds/002 Ch. 4 (Theorem 17)",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {SamplerSampleSize}) + min(twice the largest Gaussian-data discretisation bias of the components + 1e-3, {SamplerAllowanceCap}), the bias from a recursion written apart from the sampler (DiscretisedGaussianLaw).",
            s => SamplerCheck(s, "extension"), Slow: true),
        new("sampler.registry",
            "Every sampler of the registry (the list the CLI offers and the tests enumerate), with its default options and the exact score, carries the exact p at the noise end to the exact p at the data end over 500 uniform steps (annealed Langevin: 20 levels of 100 steps, NCSN's step scaled to the path's last level), on a random path kind where it is defined (1D mixtures). One instance runs every sampler (about 23 s on two cores), so a default verify runs one.",
            "shared/seeds/003 'Sampling with Learned Score', 'Probability Flow ODE', 'Predictor-Corrector'; shared/seeds/002 Ch. 4; Ho et al. 2020; Song, Meng and Ermon 2021",
            $"KS critical value at false-failure {SamplerFalseFailure:G} / (number of samplers) (n = {SamplerSampleSize}, Bonferroni) + the allowance of sampler.reverse-sde for the samplers whose discretised Gaussian law is known (2 x its bias + 1e-3, at most {SamplerAllowanceCap}) and 1e-3 for the others.",
            s => RegistryCheck(s), Slow: true, SlowInstances: 1),
        new("sampler.discrete-law",
            "Reverse-SDE Euler-Maruyama, the extension trick and ancestral sampling produce exactly the law their update formulas imply: on Gaussian data over 10 steps the sample matches the mean and variance of a recursion written apart from the samplers.",
            "shared/seeds/003 'Sampling with Learned Score'; shared/seeds/002 Ch. 4 (Theorem 17); Ho et al. 2020 (ancestral step)",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {SamplerSampleSize}, Bonferroni over the three samplers), no allowance: the recursion is exact for Gaussian data.",
            s => SamplerDiscreteLaw(s), Slow: true),
        new("langevin.low-density-trap",
            "The low-density trap, measured: on a 1D mixture of two well-separated modes with unequal weights (light weight w in [0.1, 0.25], means +-m with m in [3, 5], standard deviation s in [0.4, 0.6]), plain unadjusted Langevin with the exact data score, started from the same broad law and given the same 2000 score evaluations as annealed Langevin, ends with the modes' proportions set by where the chains started (off w by more than 0.1), while annealed Langevin over 20 geometric noise levels (NCSN, ve path from sigma = 2m + 2 down to 0.01, 100 steps a level, exact scores) ends with the light mode's share within a binomial bound of w.",
            "shared/seeds/004 (the low-density trap: scores are poor where data is rare, and Langevin mixes slowly between modes; NCSN's annealing as the remedy); shared/seeds/002 Ch. 6 (Langevin visits the modes in proportion to their weight, at stationarity); Song and Ermon 2019",
            $"Annealed: |share - w| <= z sqrt(w (1 - w) / n) + 0.03 (n = {SamplerSampleSize}, z at false-failure {SamplerFalseFailure:G}, two-sided; 0.03 for the annealing's own bias: the share freezes while the noisy modes still overlap, a little above w: above it on 19 of 20 seeds, by up to 0.019); plain: |share - w| >= 0.1, written as the residual 0.1 / |share - w| <= 1 (measured 0.17 to 0.27 off on 20 seeds). One instance in a default verify (1.3 s).",
            s => LowDensityTrap(s), Slow: true, SlowInstances: 1),
        new("langevin.mala",
            "Metropolis-adjusted Langevin reaches a 1D mixture from a wrong start (every chain 4 standard deviations out, 300 steps of v_min/2), and its rejection rate falls like h^(3/2) with the exact score (like h^(1/2) with a wrong one).",
            "shared/seeds/002 Ch. 6 (Langevin dynamics, MALA); Roberts and Tweedie 1996 (MALA); Roberts and Rosenthal 1998 (the h^(3/2) rejection)",
            $"KS critical value at false-failure {SamplerFalseFailure:G} (n = {SamplerSampleSize}) after 300 steps (about 40 relaxation times); |fitted rejection order - 3/2| <= 0.3 (the weak-order tolerance of shared/DESIGN.md) over five halvings of h, 4e5 proposals each.",
            s => MalaCheck(s), Slow: true),
    ];

    private static CheckResult FieldConsistency(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, Dim(rng));
        var worst = new WorstOf();
        foreach (var (path, t) in PathsAndTimes(rng))
        {
            var mt = data.Along(path, t);
            var field = new MarginalField(data, path);
            double k = Kappa(mt.Point);
            for (int p = 0; p < 3; p++)
            {
                var x = mt.Sample(rng);
                var s = new double[x.Length];
                double logp = field.Score(t, x, s);
                var den = new double[x.Length];
                field.Denoiser(t, x, den);
                double scale = Norm(x) + 1;
                CompareClose(worst, [mt.LogDensity(x)], [logp], k, scale * scale, $"{Describe(path, t)} log density x={Fmt(x)}");
                CompareClose(worst, mt.Score(x), s, k, scale / SmallestStd(mt.Density), $"{Describe(path, t)} score x={Fmt(x)}");
                CompareClose(worst, mt.Denoiser(x), den, k, scale / mt.Point.Alpha + Norm(mt.Denoiser(x)), $"{Describe(path, t)} denoiser x={Fmt(x)}");
            }
        }
        return worst.Result;
    }

    private static CheckResult OdeOrders(int seed)
    {
        // A damped rotation x' = A x, A = [[a, -b], [b, a]]: x(T) = e^{aT} R(bT) x0. Its eigenvalues a +- ib keep the
        // leading error term of every Runge-Kutta method away from zero, so the fitted order is the method's order.
        var rng = new Random(seed);
        double a = -0.5 - rng.NextDouble(), b = 2 + 2 * rng.NextDouble(), T = 2;
        var problem = new OdeProblem((t, x, dx) => { dx[0] = a * x[0] - b * x[1]; dx[1] = b * x[0] + a * x[1]; }, [1.0, 0.0], 0, T);
        double[] exact = [Math.Exp(a * T) * Math.Cos(b * T), Math.Exp(a * T) * Math.Sin(b * T)];
        var worst = new WorstOf();
        foreach (var (name, order, coarsest, make) in new (string, double, int, Func<int, OdeAlgorithm>)[]
        {
            ("euler", 1, 128, n => new OdeAlgorithm.Euler(n)), ("heun", 2, 64, n => new OdeAlgorithm.Heun(n)),
            ("rk4", 4, 16, n => new OdeAlgorithm.Rk4(n)), ("dopri5", 5, 16, n => new OdeAlgorithm.DormandPrinceFixed(n)),
        })
        {
            var steps = Enumerable.Range(0, 6).Select(k => coarsest << k).ToArray();
            var errors = steps.Select(n =>
            {
                var x = Ode.Solve(problem, make(n)).Final;
                return Math.Sqrt(Math.Pow(x[0] - exact[0], 2) + Math.Pow(x[1] - exact[1], 2));
            }).ToArray();
            var fit = OrderFit.Of(steps.Select(n => T / n).ToArray(), errors);
            worst.Add(Math.Abs(fit.Order - order), 0.2, $"{name} a={a:G4} b={b:G4} order={fit.Order:F3}");
        }
        return worst.Result;
    }

    private static CheckResult SdeStrongOrders(int seed)
    {
        var rng = new Random(seed);
        // sigma is kept comparable to mu (the sources use mu = 1.01, sigma = 0.87): when sigma is small the deterministic O(h)
        // drift error of Euler-Maruyama dominates at these steps and the apparent strong order drifts above 1/2.
        double mu = 0.5 + 0.7 * rng.NextDouble(), vol = 0.7 + 0.3 * rng.NextDouble(), u0 = 0.5;
        var problem = new SdeProblem((t, x, f) => f[0] = mu * x[0], (t, x, g) => g[0] = vol * x[0], [u0], 0, 1, (t, x, dg) => dg[0] = vol);
        var levels = Enumerable.Range(4, 6).ToArray();
        var worst = new WorstOf();
        foreach (var (name, order, algorithm) in new (string, double, SdeAlgorithm)[] { ("euler-maruyama", 0.5, new SdeAlgorithm.EulerMaruyama()), ("milstein", 1.0, new SdeAlgorithm.Milstein()) })
        {
            var errors = new double[levels.Length];
            for (int p = 0; p < 2000; p++)
            {
                var w = new BrownianPath((ulong)seed * 1000 + (ulong)p, 1, 0, 1);
                double truth = u0 * Math.Exp(mu - vol * vol / 2 + vol * w.Values(0)[1][0]);
                for (int l = 0; l < levels.Length; l++) errors[l] += Math.Abs(SdeSolver.Solve(problem, algorithm, w, levels[l]).Final[0] - truth);
            }
            var fit = OrderFit.Of(levels.Select(l => Math.Pow(2, -l)).ToArray(), errors);
            worst.Add(Math.Abs(fit.Order - order), 0.2, $"{name} mu={mu:G4} sigma={vol:G4} order={fit.Order:F3}");
        }
        return worst.Result;
    }

    /// <summary>The largest discretisation allowance a sampler check grants, in Kolmogorov-Smirnov distance.</summary>
    /// <remarks>
    /// 0.02 is four times the largest reference bias of the catalog's random instances at 500 steps (about 5e-3) and a
    /// twenty-fifth of the distance a sampler with its noise scaled by |h| instead of sqrt(|h|) reaches (0.5): however
    /// a wrong step inflates the reference, the allowance cannot grow to cover a wrong distribution.
    /// </remarks>
    public const double SamplerAllowanceCap = 0.02;

    /// <summary>
    /// The discretisation allowance of an affine sampler on mixture data: twice the largest Kolmogorov distance between
    /// the law the sampler produces for one component taken as Gaussian data and that component's exact law
    /// (<see cref="DiscretisedGaussianLaw.Bias"/>, a recursion written apart from the sampler), plus 1e-3, capped at
    /// <see cref="SamplerAllowanceCap"/>. Zero bias for a probability-flow ODE sampler: 1e-3 covers RK4 at 100 or more steps.
    /// </summary>
    internal static double SamplerAllowance(GaussianMixture data, GaussianPath path, Sampler sampler, Schedule schedule)
    {
        if (sampler is Sampler.ProbabilityFlow or Sampler.PredictorCorrector) return 1e-3;
        double bias = data.Components.Max(c => DiscretisedGaussianLaw.Bias(path, sampler, schedule, c.Mean[0], c.Covariance[0][0]));
        return Math.Min(2 * bias + 1e-3, SamplerAllowanceCap);
    }

    /// <summary>A deliberate slip for the negative controls: a change to the step coefficients or to the score.</summary>
    internal sealed record Slip(string Name, Func<double[], double[]>? Coefficients = null, Func<ScoreFunction, ScoreFunction>? Score = null, Func<double, double>? CorrectorNoise = null,
        Func<Func<double[], double>, Func<double[], double>>? LogDensity = null);

    private static (GaussianMixture Data, GaussianPath Path, Sampler Sampler, double C) SamplerInstance(int seed, string which)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1, 3);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(5)]);
        double c = 2 * rng.NextDouble();
        if (which == "ancestral") path = RandomInstances.Path(rng, new[] { "vp", "cosine", "ve" }[rng.Next(3)]);
        Sampler sampler = which switch
        {
            "reverse" => new Sampler.ReverseSde(),
            "pf" => new Sampler.ProbabilityFlow(OdeMethod.Rk4),
            "ancestral" => new Sampler.Ancestral(),
            _ => new Sampler.Extension(t => c * Math.Sqrt(path.DiffusionSquared(t))),
        };
        return (data, path, sampler, c);
    }

    internal static CheckResult SamplerCheck(int seed, string which, Slip? slip = null)
    {
        var (data, path, sampler, c) = SamplerInstance(seed, which);
        var schedule = Schedule.For(path, which == "pf" ? 100 : 500);
        var exact = Samplers.ExactScore(new MarginalField(data, path));
        var result = Samplers.RunFromExactMarginal(data, path, sampler, schedule, SamplerSampleSize, (ulong)seed, 0, slip?.Score?.Invoke(exact) ?? exact, slip?.Coefficients);
        double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), data.Along(path, schedule.TEnd).Density.Cdf);
        double allowance = SamplerAllowance(data, path, sampler, schedule);
        double tol = SampleTests.KolmogorovCritical(SamplerFalseFailure, SamplerSampleSize) + allowance;
        return new CheckResult(ks, tol, $"{path} {which}{(which == "extension" ? $" c={c:G3}" : "")} KS={ks:F5} allowance={allowance:G3}{(slip is null ? "" : $" slip={slip.Name}")}");
    }

    /// <summary>
    /// Each registered sampler with its defaults against the exact data-end marginal: the catalog's view of the registry,
    /// so a sampler added there is checked here with no further line.
    /// </summary>
    /// <summary>Points encoded and decoded by <see cref="EncodeDecode"/>.</summary>
    public const int EncodeSampleSize = 5000;

    /// <summary>
    /// Encoding by the probability-flow ODE: n exact draws of p at the data end of the grid carried to its noise end by
    /// the exact flow map must be an exact sample of p there (Kolmogorov-Smirnov), and carried back they must return to
    /// where they started.
    /// </summary>
    /// <param name="seed">The instance.</param>
    /// <param name="model">For negative controls: the data whose exact score drives the ODE instead of the data's own.</param>
    internal static CheckResult EncodeDecode(int seed, Func<GaussianMixture, GaussianMixture>? model = null)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1, 3);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
        var ends = Schedule.For(path, 1);
        var starts = Samplers.ExactMarginalSample(data, path, ends.TEnd, EncodeSampleSize, (ulong)seed).Rows();
        var flowData = model?.Invoke(data) ?? data;
        var encoded = Samplers.ExactFlowMap(flowData, path, starts, ends.TEnd, ends.TStart);
        var decoded = Samplers.ExactFlowMap(flowData, path, encoded, ends.TStart, ends.TEnd);
        double ks = SampleTests.KolmogorovSmirnov(encoded.Select(x => x[0]).ToArray(), data.Along(path, ends.TStart).Density.Cdf);
        double roundTrip = 0;
        for (int i = 0; i < starts.Length; i++) roundTrip = Math.Max(roundTrip, Math.Abs(decoded[i][0] - starts[i][0]) / (1 + Math.Abs(starts[i][0])));
        var worst = new WorstOf();
        worst.Add(ks, SampleTests.KolmogorovCritical(SamplerFalseFailure, EncodeSampleSize) + 1e-3, $"{path}: encoded law KS={ks:F5} against p at t = {ends.TStart:G4}");
        worst.Add(roundTrip, 1e-6, $"{path}: largest round-trip error {roundTrip:G3} (relative to 1 + |x|)");
        return worst.Result;
    }

    internal static CheckResult ConsistencyCheck(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1, 3);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
        var ends = Schedule.For(path, 1);
        double t1 = ends.TStart, tData = ends.TEnd;
        double Between(double u) => tData + (t1 - tData) * u; // u = 1 the noise end, u = 0 the data end, in either time direction
        double t2 = Between(0.2 + 0.6 * rng.NextDouble());
        var starts = Samplers.ExactMarginalSample(data, path, t1, 50, (ulong)seed).Rows();
        var direct = Samplers.ConsistencyFunction(data, path, starts, t1, tData);
        var viaMiddle = Samplers.ConsistencyFunction(data, path, Samplers.ExactFlowMap(data, path, starts, t1, t2), t2, tData);
        double gap = 0;
        for (int i = 0; i < starts.Length; i++) gap = Math.Max(gap, Math.Abs(direct[i][0] - viaMiddle[i][0]) / (1 + Math.Abs(direct[i][0])));
        var worst = new WorstOf();
        worst.Add(gap, 1e-6, $"{path}: f(x, {t1:G4}) against f(Phi(x), {t2:G4}), largest difference {gap:G3} (relative to 1 + |f|)");
        const int n = 2000;
        var cdf = data.Along(path, tData).Density.Cdf;
        double critical = SampleTests.KolmogorovCritical(SamplerFalseFailure / 2, n) + 1e-3;
        var one = Samplers.ConsistencySample(data, path, [t1], tData, n, (ulong)seed);
        double ksOne = SampleTests.KolmogorovSmirnov(one.Column(0), cdf);
        worst.Add(ksOne, critical, $"{path}: one-step consistency sample KS={ksOne:F5}");
        var three = Samplers.ConsistencySample(data, path, [t1, Between(0.6), Between(0.25)], tData, n, (ulong)seed + 1);
        double ksThree = SampleTests.KolmogorovSmirnov(three.Column(0), cdf);
        worst.Add(ksThree, critical, $"{path}: three-step consistency sample KS={ksThree:F5}");
        return worst.Result;
    }

    internal static CheckResult RegistryCheck(int seed, string? only = null, Slip? slip = null)
    {
        var worst = new WorstOf();
        var entries = SamplerRegistry.All.Where(e => only is null || e.Name == only).ToArray();
        foreach (var entry in entries)
        {
            var rng = new Random(unchecked(seed * 1_000_003 + entry.Name.Aggregate(17, (h, c) => h * 31 + c)) & int.MaxValue); // stable across processes, unlike HashCode
            var data = RandomInstances.Mixture(rng, 1, 3);
            GaussianPath path;
            do path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
            while (entry.DefinedOn(path) is not null);
            var sampler = entry.Default;
            // Annealed Langevin's grid points are NCSN's noise levels, each costing steps_per_level (100) evaluations: it
            // runs over 20 levels (NCSN used 10), the others over 500 steps.
            var schedule = Schedule.For(path, entry.EvaluationsOption.Length > 0 ? 20 : 500);
            // NCSN's step 2e-5 belongs to its smallest level 0.01; on a ve path with another sigma at the end it scales
            // with that level's square (the ratio step / sigma_L^2 is what sets the chain's behaviour).
            if (sampler is Sampler.AnnealedLangevin annealed)
                sampler = annealed with { StepSize = annealed.StepSize * Math.Pow(path.Sigma(schedule.TEnd) / 0.01, 2) };
            var exact = Samplers.ExactScore(new MarginalField(data, path));
            var result = Samplers.RunFromExactMarginal(data, path, sampler, schedule, SamplerSampleSize, (ulong)seed, 0, slip?.Score?.Invoke(exact) ?? exact);
            double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), data.Along(path, schedule.TEnd).Density.Cdf);
            double allowance = sampler is Sampler.ReverseSde or Sampler.Extension or Sampler.Ancestral ? SamplerAllowance(data, path, sampler, schedule) : 1e-3;
            worst.Add(ks, SampleTests.KolmogorovCritical(SamplerFalseFailure / SamplerRegistry.All.Length, SamplerSampleSize) + allowance,
                $"{entry.Name} on {path}: KS={ks:F5} allowance={allowance:G3}");
        }
        return worst.Result;
    }

    /// <summary>
    /// The law an affine sampler produces is the one its update formula implies, exactly: on Gaussian data (one component
    /// of the random mixture), over a coarse grid of 10 steps where the discretisation is far from negligible, the sample
    /// must match N(mean, variance) from <see cref="DiscretisedGaussianLaw.Moments"/> with no allowance at all.
    /// </summary>
    internal static CheckResult SamplerDiscreteLaw(int seed, Slip? slip = null)
    {
        var worst = new WorstOf();
        foreach (var which in new[] { "reverse", "extension", "ancestral" })
        {
            var (mixture, path, sampler, c) = SamplerInstance(seed, which);
            var component = mixture.Components[0];
            var data = GaussianMixture.Single(component);
            var schedule = Schedule.For(path, 10);
            var exact = Samplers.ExactScore(new MarginalField(data, path));
            var result = Samplers.RunFromExactMarginal(data, path, sampler, schedule, SamplerSampleSize, (ulong)seed, 0, slip?.Score?.Invoke(exact) ?? exact, slip?.Coefficients);
            var (mean, variance, _, _) = DiscretisedGaussianLaw.Moments(path, sampler, schedule, component.Mean[0], component.Covariance[0][0]);
            double sd = Math.Sqrt(variance);
            double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), x => Normal.CDF(mean, sd, x));
            worst.Add(ks, SampleTests.KolmogorovCritical(SamplerFalseFailure / 3, SamplerSampleSize),
                $"{path} {which}{(which == "extension" ? $" c={c:G3}" : "")} 10 steps: KS={ks:F5} against N({mean:G5}, {variance:G5}){(slip is null ? "" : $" slip={slip.Name}")}");
        }
        return worst.Result;
    }

    /// <summary>
    /// The low-density trap (see the catalog statement): the light mode's share of the final ensemble under plain
    /// unadjusted Langevin and under annealed Langevin, both from the exact law of the ve path at its noise end and both
    /// spending 2000 score evaluations. Midway between the modes the data density is at most e^-12.5 of its peak, so a plain chain
    /// keeps the basin it starts in; the broad start puts about half the chains in each basin whatever w is.
    /// </summary>
    internal static CheckResult LowDensityTrap(int seed)
    {
        var rng = new Random(seed);
        double w = 0.1 + 0.15 * rng.NextDouble(), m = 3 + 2 * rng.NextDouble(), s = 0.4 + 0.2 * rng.NextDouble();
        var data = GaussianMixture.Isotropic([w, 1 - w], [[-m], [m]], [s, s]);
        var ve = new VePath(0.01, 2 * m + 2);
        var schedule = Schedule.For(ve, 20);
        var annealed = Samplers.RunFromExactMarginal(data, ve, new Sampler.AnnealedLangevin(100, 2e-5), schedule, SamplerSampleSize, (ulong)seed, 0,
            Samplers.ExactScore(new MarginalField(data, ve)));
        var start = Samplers.ExactMarginalSample(data, ve, schedule.TStart, SamplerSampleSize, (ulong)seed + 1);
        var plain = Samplers.Langevin((t, x, score) => data.ScoreCore(x, score), start, 0.1 * s * s, 2000, (ulong)seed + 2);
        double Share(Ensemble e) => e.Column(0).Count(v => v < 0) / (double)e.Count;
        double annealedShare = Share(annealed.Final), plainShare = Share(plain.Final);
        double bound = Numerics.Bounds.TwoSidedZ(SamplerFalseFailure) * Math.Sqrt(w * (1 - w) / SamplerSampleSize) + 0.03;
        var worst = new WorstOf();
        string label = $"w={w:G3} m={m:G3} s={s:G3}";
        worst.Add(Math.Abs(annealedShare - w), bound, $"{label}: annealed Langevin's light-mode share {annealedShare:F4} against w (bound {bound:G3})");
        worst.Add(0.1 / Math.Abs(plainShare - w), 1, $"{label}: plain Langevin's light-mode share {plainShare:F4}, off w by {Math.Abs(plainShare - w):F3} (must exceed 0.1: the trap); annealed {annealedShare:F4}");
        return worst.Result;
    }

    /// <summary>
    /// MALA on a random 1D mixture of overlapping components (means in [-1, 1], standard deviations in [0.6, 1.2], so
    /// that mixing is fast): (a) from a wrong start, every chain at mean + 4 standard deviations, 300 steps of size
    /// h = v_min / 2 reach the target (Kolmogorov-Smirnov); (b) at stationarity the rejection rate falls like h^(3/2) with
    /// the exact score (the proposal's drift matches the target to the order that cancels in the Metropolis-Hastings
    /// ratio), against h^(1/2) with a wrong one: the fitted order over h = v_min (0.4, 0.2, 0.1, 0.05, 0.025) must be 3/2.
    /// </summary>
    internal static CheckResult MalaCheck(int seed, Slip? slip = null)
    {
        var rng = new Random(seed);
        var target = RandomInstances.OverlappingMixture1D(rng);
        int k = target.Components.Length;
        ScoreFunction exact = (t, x, s) => target.ScoreCore(x, s);
        var score = slip?.Score?.Invoke(exact) ?? exact;
        Func<double[], double> logDensity = target.LogDensity;
        logDensity = slip?.LogDensity?.Invoke(logDensity) ?? logDensity;
        double vmin = target.Components.Min(c => c.Covariance[0][0]);
        var (mean, variance) = MeanAndVariance1D(target);
        var worst = new WorstOf();

        var start = Ensemble.FromRows(Enumerable.Range(0, SamplerSampleSize).Select(_ => new[] { mean + 4 * Math.Sqrt(variance) }).ToArray());
        var fromWrongStart = Samplers.Langevin(score, start, vmin / 2, 300, (ulong)seed, 0, logDensity);
        double ks = SampleTests.KolmogorovSmirnov(fromWrongStart.Final.Column(0), target.Cdf);
        worst.Add(ks, SampleTests.KolmogorovCritical(SamplerFalseFailure, SamplerSampleSize), $"k={k} v_min={vmin:G3} from x0 = {mean + 4 * Math.Sqrt(variance):G4}: KS={ks:F5} acceptance={fromWrongStart.AcceptanceRate:F3}");

        double[] hs = [0.4 * vmin, 0.2 * vmin, 0.1 * vmin, 0.05 * vmin, 0.025 * vmin];
        var exactDraws = Samplers.ExactDataSample(target, 20000, (ulong)seed);
        var rejection = hs.Select(h => 1 - Samplers.Langevin(score, exactDraws, h, 20, (ulong)seed + 1, 0, logDensity).AcceptanceRate).ToArray();
        if (rejection.Any(r => !(r > 0))) worst.Add(double.PositiveInfinity, 0.3, $"no rejection at some h: {string.Join(", ", rejection.Select(r => r.ToString("G3")))}");
        else
        {
            var fit = OrderFit.Of(hs, rejection);
            worst.Add(Math.Abs(fit.Order - 1.5), 0.3, $"k={k} rejection order {fit.Order:F3} (rates {string.Join(", ", rejection.Select(r => r.ToString("G3")))})");
        }
        return worst.Result;
    }
}
