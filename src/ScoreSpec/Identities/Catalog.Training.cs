using ScoreSpec.Densities;
using ScoreSpec.Discrete;
using ScoreSpec.Guidance;
using ScoreSpec.Likelihood;
using ScoreSpec.Losses;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using static ScoreSpec.Identities.Helpers;

namespace ScoreSpec.Identities;

public static partial class Catalog
{
    private static readonly Identity[] TrainingIdentities =
    [
        new("likelihood.exact",
            "With the exact prior and exact divergence, the probability-flow ODE log-likelihood equals the exact log density of the data's marginal at the start time (random mixtures in 1-3 dims, random path kind).",
            "shared/seeds/003 'Likelihood Computation'",
            "Dormand-Prince at tolerance 1e-10 over unit time: 1e-7 absolute (1e3 x the tolerance).",
            LikelihoodExact),
        new("losses.sm-equals-dsm-plus-constant",
            "Score matching minus denoising score matching is the same constant for different models: the mean of the per-sample difference of the two differences is zero (common random numbers).",
            "shared/seeds/002 Ch. 7 ('L_SM = L_CSM + C'); shared/seeds/003 'Score Matching Objective'",
            $"z standard errors with false-failure probability {MonteCarloFalseFailure:G} per instance (CLT, 10000 draws).",
            SmEqualsDsmPlusConstant, Slow: true),
        new("losses.fm-equals-cfm-plus-constant",
            "Flow matching against the exact marginal velocity minus conditional flow matching against alphadot z + sigmadot e is the same constant for different models: the mean of the per-sample difference of the two differences is zero (common random numbers).",
            "shared/seeds/002 Ch. 7 (the flow-matching and conditional flow-matching losses differ by a constant); shared/seeds/000",
            $"z standard errors with false-failure probability {MonteCarloFalseFailure:G} per instance (CLT, 10000 draws).",
            FmEqualsCfmPlusConstant, Slow: true),
        new("edm.preconditioning",
            "EDM's preconditioning does what it is designed to: for data of second moment sigma_data^2 (random 1D mixtures) the network input c_in x and the training target (y - c_skip x) / c_out of x = y + sigma n have unit second moment, c_skip is the stationary point of the target's second moment in c, and for data N(0, sigma_data^2 I) the exact denoiser of the VE path at sigma_t = sigma (the mixture posterior) is c_skip x.",
            "Karras et al. 2022, section 5 and Table 1; shared/seeds/004 (EDM among the samplers built on the score-SDE view)",
            "Second moments from the linear coefficients of the library's Target and CIn, which agree with 1 in exact arithmetic: 1e-12; the derivative at c_skip: 1e-12 (|dE/dc| <= 1e-12 x (m2 + sigma^2)); the denoiser against c_skip x: 1e3 eps (1 + |x| sigma^2 / sigma_data^2).",
            EdmPreconditioningCheck),
        new("guidance.classifier",
            "For labelled mixture data, the classifier-guided score s + w grad log p_t(y | x) equals the gradient of log p_t(x) + w log p_t(y | x) (finite differences), and with w = 1 the conditional score.",
            "shared/seeds/003 'Conditional generation via Bayes' rule'; shared/seeds/002 Ch. 9",
            "As score.gradient for the gradient; closed forms equal in exact arithmetic (1e3 eps kappa^2) for w = 1.",
            ClassifierGuidance),
        new("ddpm.posterior-variance",
            "The DDPM posterior variance beta_i (1 - abar_{i-1})/(1 - abar_i) equals the conditional variance of x_{i-1} given x_i and x_0 computed from the joint Gaussian, for random linear schedules and steps.",
            "Ho, Jain and Abbeel 2020, eq. 7 (no seed states it; shared/seeds/001 lesson 14 and shared/seeds/003 'From Discrete to Continuous' give the chain)",
            "Two closed forms: 1e-12 relative.",
            DdpmPosteriorVariance),
        new("ddpm.posterior-mean",
            "The DDPM posterior mean coefficients sqrt(abar_{i-1}) beta_i/(1 - abar_i) (of x_0) and sqrt(1 - beta_i)(1 - abar_{i-1})/(1 - abar_i) (of x_i) equal the Gaussian-conditioning coefficients E[x_{i-1} | x_i, x_0] of the joint law, with abar and 1 - abar recomputed by plain recursions, for random linear schedules and steps.",
            "Ho, Jain and Abbeel 2020, eq. 7 (no seed states it; shared/seeds/003 'From Discrete to Continuous' gives the chain)",
            "Recursions of up to 2010 rounded steps on each side: (2T + 50) eps relative.",
            DdpmPosteriorMean),
        new("ncsn.ve-limit",
            "NCSN's geometric noise levels sigma_i = sigma_max (sigma_min / sigma_max)^((i - 1) / (L - 1)) are the ve path's sigma at t_i = (L - i) / (L - 1); the variance its noising chain adds between levels, sigma_i^2 - sigma_{i+1}^2, is the ve SDE's g^2 = d sigma^2/dt integrated over [t_{i+1}, t_i] (Gauss-Legendre on the SDE value's DiffusionSquared); and the chain is Euler-Maruyama's limit: g^2(t_{i+1}) dt / (sigma_i^2 - sigma_{i+1}^2) - 1 falls with order 1 in dt = 1 / (L - 1) (L = 40..1280). Interior levels only: the path's time is open at 0 and 1.",
            "Song and Ermon 2019, section 4.2; Song et al. 2021, section 3.4 and Appendix B; shared/seeds/003 'Variance Exploding (VE) SDE' (corresponds to NCSN)",
            "Levels: 64 eps (1 + log(sigma_max / sigma_min)) relative (two exponentials of the same exponent); integral: 1e-12 relative (order-16 Gauss-Legendre on an exponential); limit: |fitted order - 1| <= 0.1 (the ratio is x / (e^x - 1), x = 2 log(sigma_max / sigma_min) dt, exactly order 1).",
            NcsnVeLimit),
        new("likelihood.hutchinson",
            "Hutchinson's estimator with the probes the likelihood draws (Rademacher and Gaussian) is unbiased for the divergence of the probability-flow field: its mean over 4000 probes matches the divergence by finite differences along each axis (mixtures in 2-5 dims, random path and time).",
            "shared/seeds/003 'Likelihood Computation' (Hutchinson trace estimator)",
            $"z standard errors of the probe mean (its sample standard deviation / sqrt(4000)), false-failure probability {MonteCarloFalseFailure:G} per instance, Bonferroni over the 6 comparisons (CLT), plus 10 x the finite-difference error bounds.",
            s => HutchinsonCheck(s)),
        new("guidance.classifier-free",
            "Classifier-free guidance (1 - w) uncond + w cond with w in [1.5, 4] on the exact scores equals the gradient of (1 - w) log p_t(x) + w log p_t(x | y) (finite differences), and on noise predictions -sigma_t times that gradient (labelled mixtures, 1-3 dims, every path).",
            "shared/seeds/002 Ch. 9 (classifier-free guidance); shared/seeds/003 'Conditional generation via Bayes' rule'",
            "As score.gradient: 10 x (Richardson truncation estimate + 16 x stencil rounding bound).",
            ClassifierFreeGuidance),
        new("ddim.first-order",
            "DDIM with eta = 0 and the exact noise prediction is a first-order solver of the probability-flow ODE: its error against a tight Dormand-Prince solution falls with order 1 on the asymptotic range, the four finest of eight step counts 64..8192 (random 1D mixture, vp, cosine or condot).",
            "shared/seeds/004 'Hands-on companions' ('DDIM on a 2D MoG ... a first-order discretization of the probability-flow ODE'); shared/seeds/001 (DDIM as the probability-flow ODE)",
            "|fitted order - 1| <= 0.3 (weak-order tolerance of shared/DESIGN.md, the leading error coefficient varies with the data). The fit leaves out the four coarsest step counts: there the second-order term can cancel the first (at seed 2 the error rose from 64 to 128 steps and a six-point fit gave 0.425).",
            DdimFirstOrder),
    ];

    private static CheckResult LikelihoodExact(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(3), 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(5)]);
        var x = data.Sample(rng);
        var r = ProbabilityFlowLikelihood.LogLikelihood(data, path, x, new LikelihoodOptions(Rtol: 1e-10, Atol: 1e-10));
        return new CheckResult(Math.Abs(r.LogDensity - r.ReferenceLogDensity), 1e-7, $"{path} x={Fmt(x)} ode={r.LogDensity:R} exact={r.ReferenceLogDensity:R} nfe={r.Evaluations}");
    }

    private static CheckResult SmEqualsDsmPlusConstant(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(2), 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(5)]);
        double c = 0.5 + rng.NextDouble();
        static double Sq(double[] a, double[] b) => a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum();
        var diff = TrainingLosses.Estimate(data, path, s =>
        {
            var exact = data.Along(path, s.T).Score(s.X.ToArray());
            var target = s.Point.ConditionalTarget(Quantity.Score, s.Z.ToArray(), s.E.ToArray());
            var sa = s.X.Select(v => -c * v).ToArray();
            var sb = exact.Select(v => c * v).ToArray();
            return Sq(sa, exact) - Sq(sa, target) - Sq(sb, exact) + Sq(sb, target);
        }, 10000, unchecked((ulong)(uint)seed)); // the same stream as the int seed
        return new CheckResult(Math.Abs(diff.Mean), Bounds.TwoSidedZ(MonteCarloFalseFailure) * diff.StandardError, $"{path} c={c:G3} difference of constants {diff.Mean:G4} +- {diff.StandardError:G3}");
    }

    private static CheckResult FmEqualsCfmPlusConstant(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(2), 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
        double c = 0.5 + rng.NextDouble();
        static double Sq(double[] a, double[] b) => a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum();
        // Models A (a linear field) and B (the exact velocity scaled by c): (FM_A - CFM_A) - (FM_B - CFM_B) per sample.
        var diff = TrainingLosses.Estimate(data, path, s =>
        {
            double[] x = [.. s.X];
            var exact = data.Along(path, s.T).Velocity(x);
            var target = s.Point.ConditionalTarget(Quantity.Velocity, [.. s.Z], [.. s.E]);
            var ua = x.Select(v => -c * v).ToArray();
            var ub = exact.Select(v => c * v).ToArray();
            return Sq(ua, exact) - Sq(ua, target) - Sq(ub, exact) + Sq(ub, target);
        }, 10000, unchecked((ulong)(uint)seed));
        return new CheckResult(Math.Abs(diff.Mean), Bounds.TwoSidedZ(MonteCarloFalseFailure) * diff.StandardError, $"{path} c={c:G3} difference of constants {diff.Mean:G4} +- {diff.StandardError:G3}");
    }

    private static CheckResult EdmPreconditioningCheck(int seed)
    {
        var rng = new Random(seed);
        var worst = new WorstOf();
        var data = RandomInstances.Mixture(rng, 1, 3);
        double m2 = data.Mean[0] * data.Mean[0] + data.Covariance[0][0]; // E[x^2]
        var edm = new EdmPreconditioning(Math.Sqrt(m2));
        double sigma = Math.Exp(-4 + 8 * rng.NextDouble()); // 0.018 to 55
        // Target(y, y + sigma n) is a y + b n: read a and b off the library's function, then E = a^2 m2 + b^2.
        double a = edm.Target([1.0], [1.0], sigma)[0], b = edm.Target([0.0], [sigma], sigma)[0];
        worst.Add(Math.Abs(a * a * m2 + b * b - 1), 1e-12, $"sigma_data={edm.SigmaData:G4} sigma={sigma:G4} E[F_target^2]={a * a * m2 + b * b:R}");
        double cin = edm.CIn(sigma);
        worst.Add(Math.Abs(cin * cin * (m2 + sigma * sigma) - 1), 1e-12, $"sigma={sigma:G4} E[(c_in x)^2]={cin * cin * (m2 + sigma * sigma):R}");
        double c = edm.CSkip(sigma), derivative = -2 * ((1 - c) * m2 - c * sigma * sigma);
        worst.Add(Math.Abs(derivative), 1e-12 * (m2 + sigma * sigma), $"sigma={sigma:G4} dE[(y - c x)^2]/dc at c_skip = {derivative:G3}");
        // The exact denoiser of N(0, sigma_data^2 I) data on VE at the time where sigma_t = sigma is c_skip x.
        int d = 1 + rng.Next(3);
        double sd = 0.2 + rng.NextDouble();
        var gaussian = GaussianMixture.Isotropic([1.0], [new double[d]], [sd]);
        var ve = new VePath(0.01, 80);
        double t = rng.NextDouble() * 0.98 + 0.01, sigmaT = ve.Sigma(t);
        var x = Enumerable.Range(0, d).Select(_ => 3 * (2 * rng.NextDouble() - 1) * Math.Sqrt(sd * sd + sigmaT * sigmaT)).ToArray();
        var denoised = gaussian.Along(ve, t).Denoiser(x);
        double cSkip = new EdmPreconditioning(sd).CSkip(sigmaT);
        for (int i = 0; i < d; i++)
            worst.Add(Math.Abs(denoised[i] - cSkip * x[i]), 1e3 * Eps * (1 + Math.Abs(x[i]) * sigmaT * sigmaT / (sd * sd)), $"ve t={t:G4} sigma_t={sigmaT:G4} sigma_data={sd:G4} x={x[i]:G6} D={denoised[i]:R} c_skip x={cSkip * x[i]:R}");
        return worst.Result;
    }

    /// <summary>A random mixture in 1-3 dims with at least two components, labelled alternately 0 and 1.</summary>
    private static (GaussianMixture Data, LabeledMixture Labeled) RandomLabeledMixture(Random rng)
    {
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(3), 3);
        if (data.Components.Length < 2) data = new GaussianMixture([0.5, 0.5], [data.Components[0], Gaussian.Isotropic(data.Components[0].Mean.Select(v => v + 2).ToArray(), 0.8)]);
        return (data, new LabeledMixture(data, Enumerable.Range(0, data.Components.Length).Select(k => k % 2).ToArray()));
    }

    private static CheckResult ClassifierGuidance(int seed)
    {
        var rng = new Random(seed);
        var (data, labeled) = RandomLabeledMixture(rng);
        var worst = new WorstOf();
        foreach (var (path, t) in PathsAndTimes(rng))
        {
            var m = data.Along(path, t);
            var x = m.Sample(rng);
            double w = 3 * rng.NextDouble();
            var guided = labeled.ClassifierGuidedScore(path, t, x, 1, w);
            CompareGradient(worst, y => m.LogDensity(y) + w * labeled.LogClassProbability(path, t, y, 1), guided, x, Step(m.Density), Norm(guided) + 1 / SmallestStd(m.Density), $"{Describe(path, t)} w={w:G3} x={Fmt(x)}");
            var conditional = labeled.Conditional(1).Along(path, t).Score(x);
            CompareClose(worst, conditional, labeled.ClassifierGuidedScore(path, t, x, 1, 1), Kappa(m.Point), Norm(conditional) + Norm(m.Score(x)) + 1, $"{Describe(path, t)} w=1 x={Fmt(x)}");
        }
        return worst.Result;
    }

    /// <summary>
    /// A random linear schedule and, for each step, abar_i by the plain product and w_i = 1 - abar_i by the recursion
    /// w_i = w_{i-1} (1 - beta_i) + beta_i: both sums of positive terms, so neither cancels, and neither shares code with
    /// the schedule's compensated log sums.
    /// </summary>
    private static (DdpmSchedule Schedule, double[] AlphaBar, double[] Complement, string Label) RandomDdpm(Random rng)
    {
        int T = 10 + rng.Next(2000);
        double b1 = 1e-5 + 1e-3 * rng.NextDouble(), bT = 0.005 + 0.05 * rng.NextDouble();
        var s = DdpmSchedule.Linear(b1, bT, T);
        var bar = new double[T];
        var complement = new double[T];
        double product = 1, w = 0;
        for (int i = 0; i < T; i++)
        {
            double beta = b1 + i * ((bT - b1) / (T - 1));
            product *= 1 - beta;
            w = w * (1 - beta) + beta;
            bar[i] = product; complement[i] = w;
        }
        return (s, bar, complement, $"linear({b1:G3}, {bT:G3}, {T})");
    }

    private static CheckResult DdpmPosteriorVariance(int seed)
    {
        var rng = new Random(seed);
        var (s, _, complement, label) = RandomDdpm(rng);
        var worst = new WorstOf();
        for (int k = 0; k < 5; k++)
        {
            int i = 1 + rng.Next(s.Steps - 1);
            double w = complement[i - 1], b = s.Betas[i];
            // Var(x_{i-1} | x_i, x_0) from the joint Gaussian: w - Cov^2 / Var with Cov = sqrt(1 - b) w, Var = (1 - b) w + b.
            double bayes = w - (1 - b) * w * w / ((1 - b) * w + b);
            worst.Add(Math.Abs(s.PosteriorVariance(i) - bayes), (2.0 * s.Steps + 50) * Eps * bayes, $"{label} step {i}");
        }
        return worst.Result;
    }

    private static CheckResult DdpmPosteriorMean(int seed)
    {
        var rng = new Random(seed);
        var (s, bar, complement, label) = RandomDdpm(rng);
        var worst = new WorstOf();
        for (int k = 0; k < 5; k++)
        {
            int i = 1 + rng.Next(s.Steps - 1);
            double w = complement[i - 1], b = s.Betas[i], root = Math.Sqrt(1 - b);
            // Given x_0: x_{i-1} ~ N(sqrt(abar_{i-1}) x_0, w) and x_i = sqrt(1 - b) x_{i-1} + sqrt(b) e, so
            // E[x_{i-1} | x_i, x_0] = sqrt(abar_{i-1}) x_0 + (Cov / Var) (x_i - sqrt(1 - b) sqrt(abar_{i-1}) x_0).
            double gain = root * w / ((1 - b) * w + b), mean0 = Math.Sqrt(bar[i - 1]);
            double ct = gain, c0 = mean0 - gain * root * mean0;
            var (libraryC0, libraryCt) = s.PosteriorMean(i);
            double tol = (2.0 * s.Steps + 50) * Eps;
            worst.Add(Math.Abs(libraryC0 - c0), tol * c0, $"{label} step {i} x_0 coefficient {libraryC0:R} against {c0:R}");
            worst.Add(Math.Abs(libraryCt - ct), tol * ct, $"{label} step {i} x_i coefficient {libraryCt:R} against {ct:R}");
        }
        return worst.Result;
    }

    private static CheckResult NcsnVeLimit(int seed)
    {
        var rng = new Random(seed);
        double sigmaMin = Math.Exp(Math.Log(0.005) + rng.NextDouble() * Math.Log(20)), sigmaMax = Math.Exp(Math.Log(5) + rng.NextDouble() * Math.Log(20));
        int levels = 3 + rng.Next(1998);
        var ncsn = new Discrete.NcsnSchedule(sigmaMin, sigmaMax, levels);
        var ve = new VePath(sigmaMin, sigmaMax);
        var sde = Processes.Sde.Forward(ve);
        string label = $"NCSN(sigma_min={sigmaMin:G4}, sigma_max={sigmaMax:G4}, L={levels})";
        var worst = new WorstOf();
        double logRatio = Math.Log(sigmaMax / sigmaMin);
        for (int k = 0; k < 4; k++)
        {
            int i = 2 + rng.Next(levels - 2); // interior levels: the path's time is open at 0 and 1
            double level = ncsn.Sigma(i), onPath = ve.Sigma(ncsn.TimeOf(i));
            worst.Add(Math.Abs(level - onPath), 64 * Eps * (1 + logRatio) * onPath, $"{label} level {i}: {level:R}, ve sigma at t = {ncsn.TimeOf(i):R}: {onPath:R}");
            if (i == levels - 1) continue;
            double added = ncsn.PerturbationVariance(i);
            double integral = MathNet.Numerics.Integration.GaussLegendreRule.Integrate(sde.DiffusionSquared, ncsn.TimeOf(i + 1), ncsn.TimeOf(i), 16);
            worst.Add(Math.Abs(added - integral), 1e-12 * integral, $"{label} variance added from level {i + 1} to {i}: {added:R}, integral of g^2: {integral:R}");
        }
        // The limit: Euler-Maruyama's variance over one level, g^2 at the lower level times dt, against the chain's.
        int[] counts = [40, 80, 160, 320, 640, 1280];
        var errors = counts.Select(l =>
        {
            var fine = new Discrete.NcsnSchedule(sigmaMin, sigmaMax, l);
            double dt = 1.0 / (l - 1);
            return Enumerable.Range(2, l - 3).Max(i => Math.Abs(sde.DiffusionSquared(fine.TimeOf(i + 1)) * dt / fine.PerturbationVariance(i) - 1));
        }).ToArray();
        var fit = Statistics.OrderFit.Of(counts.Select(l => 1.0 / (l - 1)).ToArray(), errors);
        worst.Add(Math.Abs(fit.Order - 1), 0.1, $"{label} Euler-Maruyama's relative variance error {string.Join(", ", errors.Select(e => e.ToString("G3")))} at L = 40..1280: order {fit.Order:F3}");
        return worst.Result;
    }

    /// <summary>Probes used by likelihood.hutchinson.</summary>
    private const int HutchinsonProbes = 4000;

    /// <summary>
    /// Hutchinson's estimate of div v for the probability-flow field against the divergence by central differences along
    /// each axis; <paramref name="plant"/> changes the probes (a negative control's mis-scaling).
    /// </summary>
    internal static CheckResult HutchinsonCheck(int seed, Func<double[][], double[][]>? plant = null)
    {
        var rng = new Random(seed);
        int d = 2 + rng.Next(4);
        var data = RandomInstances.Mixture(rng, d, 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(5)]);
        double t = RandomInstances.Time(rng);
        var drift = Samplers.ProbabilityFlowField(path, Samplers.ExactScore(new MarginalField(data, path)));
        var worst = new WorstOf();
        double z = Bounds.TwoSidedZ(MonteCarloFalseFailure, 6);
        for (int p = 0; p < 3; p++)
        {
            var x = data.Along(path, t).Sample(rng);
            double divergence = 0, fdError = 0;
            for (int i = 0; i < d; i++)
            {
                int axis = i;
                var fd = FiniteDifference.Derivative(v =>
                {
                    var y = (double[])x.Clone(); y[axis] = v;
                    var f = new double[d]; drift(t, y, f);
                    return f[axis];
                }, x[i], 1e-3 * SmallestStd(data.Along(path, t).Density));
                divergence += fd.Value; fdError += fd.ErrorBound;
            }
            foreach (var kind in new[] { DivergenceMethod.HutchinsonRademacher, DivergenceMethod.HutchinsonGaussian })
            {
                var probes = ProbabilityFlowLikelihood.Probes(new LikelihoodOptions(Divergence: kind, Probes: HutchinsonProbes, Seed: (ulong)seed * 31 + (ulong)p), d);
                if (plant is not null) probes = plant(probes);
                var values = probes.Select(u => ProbabilityFlowLikelihood.Hutchinson(drift, t, x, [u])).ToArray();
                double mean = values.Average(), se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) / values.Length);
                worst.Add(Math.Abs(mean - divergence), z * se + 10 * fdError + 1e-9 * Math.Abs(divergence),
                    $"{path} t={t:G4} d={d} {kind} x={Fmt(x)} hutchinson={mean:G8} +- {se:G3} divergence={divergence:G8}");
            }
        }
        return worst.Result;
    }

    private static CheckResult ClassifierFreeGuidance(int seed) => ClassifierFreeGuidance(seed, Guide.ClassifierFree);

    /// <summary>Classifier-free guidance against finite differences; <paramref name="guide"/> is the rule under test.</summary>
    internal static CheckResult ClassifierFreeGuidance(int seed, Func<double[], double[], double, double[]> guide)
    {
        var rng = new Random(seed);
        var (data, labeled) = RandomLabeledMixture(rng);
        var worst = new WorstOf();
        foreach (var (path, t) in PathsAndTimes(rng))
        {
            var m = data.Along(path, t);
            var c = labeled.Conditional(1).Along(path, t);
            var x = m.Sample(rng);
            double w = 1.5 + 2.5 * rng.NextDouble();
            double Log(double[] y) => (1 - w) * m.LogDensity(y) + w * c.LogDensity(y);
            var score = guide(m.Score(x), c.Score(x), w);
            double h = Math.Min(Step(m.Density), Step(c.Density));
            CompareGradient(worst, Log, score, x, h, Norm(score) + 1 / SmallestStd(c.Density), $"{Describe(path, t)} w={w:G3} score x={Fmt(x)}");
            var noise = guide(m.Noise(x), c.Noise(x), w);
            double sigma = m.Point.Sigma;
            CompareGradient(worst, y => -sigma * Log(y), noise, x, h, Norm(noise) + sigma / SmallestStd(c.Density), $"{Describe(path, t)} w={w:G3} noise x={Fmt(x)}");
        }
        return worst.Result;
    }

    private static CheckResult DdimFirstOrder(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1, 2);
        var path = RandomInstances.Path(rng, new[] { "vp", "cosine", "condot" }[rng.Next(3)]);
        var schedule = Schedule.For(path, 1, 0.05);
        var field = new MarginalField(data, path);
        double[] x0 = [path.Sigma(schedule.TStart) * (2 * rng.NextDouble() - 1)];
        double reference = Ode.Solve(new OdeProblem(Samplers.ProbabilityFlowField(path, Samplers.ExactScore(field)), [.. x0], schedule.TStart, schedule.TEnd), new OdeAlgorithm.DormandPrince(1e-12, 1e-12)).Final[0];
        // 64..8192 steps. The order is fitted on the four finest (512..8192): the stated rule for the asymptotic range. The
        // finest error stays far above the reference's 1e-12 tolerance (it is about C / 8192 with C of order 1e-3 or more).
        var counts = Enumerable.Range(0, 8).Select(k => 64 << k).ToArray();
        var errors = counts.Select(n =>
        {
            var grid = new Schedule(schedule.TStart, schedule.TEnd, n);
            double[] x = [.. x0];
            for (int k = 0; k < n; k++)
            {
                var from = path.At(grid.Time(k));
                x = Ddim.Step(from, path.At(grid.Time(k + 1)), x, from.NoiseFromScore(x, field.Score(grid.Time(k), x)), 0, [0.0]);
            }
            return Math.Max(Math.Abs(x[0] - reference), 1e-300);
        }).ToArray();
        var fit = OrderFit.Of(counts[4..].Select(n => 1.0 / n).ToArray(), errors[4..]);
        return new CheckResult(Math.Abs(fit.Order - 1), 0.3, $"{path} x0={x0[0]:G4} order={fit.Order:F3} errors={string.Join(",", errors.Select(e => e.ToString("G2")))}");
    }
}
