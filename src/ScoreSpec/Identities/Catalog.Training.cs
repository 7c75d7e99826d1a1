using MathNet.Numerics.Distributions;
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
        new("ddpm.elbo",
            "The DDPM bound computed term by term (closed-form Gaussian KLs for L_T and L_{t-1}, the Gaussian decoder for L_0, with x_0 and each x_t drawn from q apart) equals the bound's definition E_q[log q(x_{1:T} | x_0) - log p_theta(x_{0:T})] on whole forward chains, for the exact noise prediction and a perturbed one, with either fixed reverse variance (random mixtures in 1-2 dims; the first 10 of 30 exact steps of a random vp path, so that the prior term is sizeable).",
            "shared/seeds/001 lesson 12 (the DDPM Markov-chain ELBO); Ho, Jain and Abbeel 2020, eqs. 3-5",
            $"z standard errors of the difference of the two independent estimates (20000 draws each), false-failure probability {MonteCarloFalseFailure:G} per instance, Bonferroni over the 4 comparisons (CLT).",
            DdpmElboCheck, Slow: true),
        new("ddpm.elbo-weighting",
            "Each term L_{t-1} of the DDPM bound is its variance part plus lambda_t |e - e_theta(x_t, t)|^2 with lambda_t = beta_t^2 / (2 sigma_t^2 (1 - beta_t)(1 - abar_t)): the term of a model minus the term of the oracle that predicts the true noise e equals lambda_t |e - e_theta|^2, and the oracle's term equals (d/2)(r - 1 - log r), r = beta~_t / sigma_t^2, so DDPM's simplified loss is the bound with lambda_t set to 1 (random mixtures in 1-3 dims, perturbed noise predictions, both variances, random t and draws).",
            "shared/seeds/001 lesson 12 (the simplified noise-prediction loss from the ELBO); shared/seeds/002 Ch. 7 ('Why DDPM drops the weight'); Ho, Jain and Abbeel 2020, eqs. 10-14",
            "Closed forms equal in exact arithmetic: 1e-9 relative (r - 1 - log r is formed with a plain log on this side, which loses up to 1e-16 / |r - 1|^2 relative at |r - 1| ~ 1e-3).",
            DdpmElboWeighting),
        new("ddpm.elbo-gap",
            "With the exact noise prediction, the DDPM bound exceeds the data entropy by the prior's KL plus a gap sum_t E KL(q(x_{t-1} | x_t) || p_theta(x_{t-1} | x_t)) >= 0. With sigma_t^2 = beta_t the gap falls like 1/T (fitted order 1 over T = 30..240); with sigma_t^2 = beta~_t it does not vanish: at T = 240 it exceeds 0.3 nats and 10 times the gap with beta_t, and for data of positive spread it tends to (gamma + 1 - log 2) / 2 = 0.442 nats per dimension as T grows (docs/chapters). Random 1D mixtures, the exact discretisation of a random vp path; every expectation by tensor Gauss-Legendre quadrature, the entropy and the prior KL by composite Gauss-Legendre.",
            "shared/seeds/001 lesson 12 (the ELBO bounds the likelihood); Ho, Jain and Abbeel 2020, section 3.2 (the two variance choices); Nichol and Dhariwal 2021 (learned variances for likelihood)",
            "gap >= -1e-6 (40 x 40-point quadrature, which agrees with 80 x 80 points to 3e-5 of a gap of 0.6); |fitted order - 1| <= 0.1 for beta_t; at T = 240 the beta~_t gap above 0.3 nats and above 10 times the beta_t gap (the measured margins are in docs/verification.md).",
            DdpmElboGap, Slow: true, SlowInstances: 1),
        new("losses.min-snr",
            "Min-SNR-gamma weighting means one objective in every parameterisation: for a perturbed model and random (t, z, e), the weighted squared error of its noise, score, velocity and v predictions (each converted from its clean-data prediction and compared with its conditional target) equals min(SNR_t, gamma) |z - z^|^2, with SNR_t = alpha_t^2 / sigma_t^2 from the path point (random mixtures in 1-3 dims, every path kind, gamma in [1, 10]).",
            "shared/seeds/002 Ch. 8 (v-prediction and min-SNR weighting); Hang et al. 2023 (Min-SNR-gamma)",
            "Conversions of x through alpha_t and sigma_t lose up to k eps of the terms' size each, k = 1 + |x| / alpha_t + |x| / sigma_t; a squared difference |d|^2 is then known to 2 |d| x that: 256 eps k^2 min(SNR, gamma) (|z - z^| + 256 eps k s) s with s = 1 + |z| + |z^|.",
            MinSnrCheck),
        new("losses.implicit-and-sliced",
            "Implicit score matching E[|s|^2 + 2 div s] equals score matching E|s - grad log p_t|^2 minus the Fisher information E|grad log p_t|^2 (score matching of the zero model), and sliced score matching E[(v . s)^2 + 2 v . J v] with Rademacher or Gaussian probes, and its variance-reduced form, estimate the same number: for a linear model -c x and for the exact score scaled by c' plus a shift, on the same draws (random mixtures in 1-3 dims, random path kind, one random t in [0.05, 0.95] per instance).",
            "shared/seeds/004 (the table of score-matching objectives: explicit, implicit, sliced, denoising); Hyvarinen 2005; Song, Garg, Shi and Ermon 2019",
            $"z standard errors of each side's independent estimates added in quadrature (conservative: the draws are common), false-failure probability {MonteCarloFalseFailure:G} per instance, Bonferroni over the 8 comparisons (CLT, 20000 draws).",
            ImplicitAndSlicedCheck, Slow: true, SlowInstances: 1),
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

    private static CheckResult ImplicitAndSlicedCheck(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(3), 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
        int d = data.Dimension;
        double c = 0.5 + rng.NextDouble(), c2 = 0.5 + rng.NextDouble(), shift = rng.NextDouble() - 0.5, time = RandomInstances.Time(rng);
        var marginal = data.Along(path, time); // one time per instance, so the exact score and Hessian are built once
        var models = new (string Name, Func<double, double[], double[]> Score, Func<double, double[], double> Divergence, Func<double, double[], double[], double[]> Jv)[]
        {
            ($"linear -{c:G3} x", (t, x) => x.Select(v => -c * v).ToArray(), (t, x) => -c * d, (t, x, v) => v.Select(u => -c * u).ToArray()),
            ($"{c2:G3} x exact + {shift:G3}", (t, x) => marginal.Score(x).Select(v => c2 * v + shift).ToArray(),
                (t, x) => { var h = marginal.Hessian(x); double tr = 0; for (int i = 0; i < d; i++) tr += h[i, i]; return c2 * tr; },
                (t, x, v) => { var h = marginal.Hessian(x); var r = new double[d]; for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i] += c2 * h[i, j] * v[j]; return r; }),
        };
        const int n = 20000;
        ulong stream = unchecked((ulong)(uint)seed);
        var fisher = TrainingLosses.ScoreMatching(data, path, (t, x) => new double[x.Length], samples: n, seed: stream, tMin: time, tMax: time);
        double z = Bounds.TwoSidedZ(MonteCarloFalseFailure, 8);
        var worst = new WorstOf();
        foreach (var (name, score, divergence, jv) in models)
        {
            var ism = TrainingLosses.ImplicitScoreMatching(data, path, score, divergence, samples: n, seed: stream, tMin: time, tMax: time);
            var sm = TrainingLosses.ScoreMatching(data, path, score, samples: n, seed: stream, tMin: time, tMax: time);
            double se = Math.Sqrt(ism.StandardError * ism.StandardError + sm.StandardError * sm.StandardError + fisher.StandardError * fisher.StandardError);
            worst.Add(Math.Abs(ism.Mean - (sm.Mean - fisher.Mean)), z * se,
                $"{path} t={time:G4} d={d} {name}: implicit {ism.Mean:G6}, explicit - Fisher {sm.Mean - fisher.Mean:G6} ({sm.Mean:G6} - {fisher.Mean:G6})");
            foreach (var (probes, reduced) in new[] { (DivergenceMethod.HutchinsonRademacher, false), (DivergenceMethod.HutchinsonGaussian, false), (DivergenceMethod.HutchinsonRademacher, true) })
            {
                var ssm = TrainingLosses.SlicedScoreMatching(data, path, score, jv, probes, reduced, samples: n, seed: stream, tMin: time, tMax: time);
                double se2 = Math.Sqrt(ism.StandardError * ism.StandardError + ssm.StandardError * ssm.StandardError);
                worst.Add(Math.Abs(ssm.Mean - ism.Mean), z * se2,
                    $"{path} t={time:G4} d={d} {name}: sliced ({probes}{(reduced ? ", variance-reduced" : "")}) {ssm.Mean:G6} +- {ssm.StandardError:G3}, implicit {ism.Mean:G6} +- {ism.StandardError:G3}");
            }
        }
        return worst.Result;
    }

    private static CheckResult MinSnrCheck(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(3), 2);
        var path = RandomInstances.Path(rng, RandomInstances.Kinds[rng.Next(RandomInstances.Kinds.Count)]);
        double gamma = 1 + 9 * rng.NextDouble(), scale = 0.5 + rng.NextDouble(), shift = rng.NextDouble() - 0.5;
        var worst = new WorstOf();
        for (int p = 0; p < 5; p++)
        {
            double t = RandomInstances.Time(rng);
            var point = path.At(t);
            var z = data.Sample(rng);
            var e = RandomInstances.StandardNormal(rng, data.Dimension);
            var x = point.Mix(z, e);
            var zHat = data.Along(path, t).Denoiser(x).Select(v => scale * v + shift).ToArray();
            double snr = point.Alpha * point.Alpha / (point.Sigma * point.Sigma);
            double expected = Math.Min(snr, gamma) * z.Select((v, i) => (v - zHat[i]) * (v - zHat[i])).Sum();
            double size = Norm(x), k = 1 + size / point.Alpha + size / point.Sigma;
            foreach (var quantity in new[] { Quantity.Noise, Quantity.Score, Quantity.Velocity, Quantity.VPrediction, Quantity.Denoiser })
            {
                var prediction = point.Convert(Quantity.Denoiser, quantity, x, zHat);
                var target = point.ConditionalTarget(quantity, z, e);
                double loss = TrainingLosses.MinSnrWeight(path, gamma, quantity)(t) * prediction.Select((v, i) => (v - target[i]) * (v - target[i])).Sum();
                // A squared difference is known to 2 |difference| x (its terms' rounding): scaled by the terms' size, not its own.
                double m = Math.Min(snr, gamma), terms = 1 + Norm(z) + Norm(zHat);
                worst.Add(Math.Abs(loss - expected), 256 * Eps * k * k * m * (Math.Sqrt(expected / m) + 256 * Eps * k * terms) * terms,
                    $"{path} t={t:G4} gamma={gamma:G3} {quantity}: weighted loss {loss:G12}, min(SNR, gamma) |z - z^|^2 {expected:G12}");
            }
        }
        return worst.Result;
    }

    /// <summary>
    /// A random 1D or 2D mixture and the first 10 of 30 exact steps of a random vp path: the chain stops a third of the way
    /// to the noise end, so the prior term L_T is a sizeable part of the bound and a slip in it shows.
    /// </summary>
    private static (GaussianMixture Data, DdpmSchedule Schedule, string Label) RandomElboInstance(Random rng, int maxDimension)
    {
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(maxDimension), 2);
        var vp = (VpPath)RandomInstances.Path(rng, "vp");
        return (data, new DdpmSchedule([.. DdpmSchedule.ExactOfVp(vp, 30).Betas.Take(10)]), $"{vp} first 10 of 30 steps");
    }

    private static DdpmReverseModel Perturbed(DdpmReverseModel exact, double a, double b) => exact with
    {
        NoisePrediction = (t, x) => exact.NoisePrediction(t, x).Select((v, i) => v + a + b * x[i]).ToArray(),
    };

    private static double IsotropicLogDensity(double[] x, double[] mean, double variance)
    {
        double sum = 0;
        for (int j = 0; j < x.Length; j++) sum += (x[j] - mean[j]) * (x[j] - mean[j]);
        return -0.5 * sum / variance - 0.5 * x.Length * Math.Log(2 * Math.PI * variance);
    }

    /// <summary>
    /// The bound by its definition: whole forward chains x_0 -> x_T drawn step by step, and the log ratio
    /// log q(x_{1:T} | x_0) - log p_theta(x_{0:T}) summed transition by transition with plain Gaussian log densities.
    /// </summary>
    private static (double Mean, double StandardError) DirectElbo(GaussianMixture data, DdpmReverseModel model, int chains, Random rng)
    {
        var s = model.Schedule;
        int T = s.Steps, d = data.Dimension;
        double sum = 0, sq = 0;
        for (int n = 0; n < chains; n++)
        {
            var xs = new double[T + 1][];
            xs[0] = data.Sample(rng);
            double logRatio = 0;
            for (int t = 1; t <= T; t++)
            {
                double beta = s.Betas[t - 1];
                var mean = xs[t - 1].Select(v => Math.Sqrt(1 - beta) * v).ToArray();
                xs[t] = mean.Select(m => m + Math.Sqrt(beta) * Normal.Sample(rng, 0, 1)).ToArray();
                logRatio += IsotropicLogDensity(xs[t], mean, beta);
            }
            logRatio -= IsotropicLogDensity(xs[T], new double[d], 1);
            for (int t = 1; t <= T; t++) logRatio -= IsotropicLogDensity(xs[t - 1], model.Mean(t, xs[t]), model.VarianceAt(t));
            sum += logRatio; sq += logRatio * logRatio;
        }
        double m0 = sum / chains;
        return (m0, Math.Sqrt(Math.Max(sq / chains - m0 * m0, 0) / (chains - 1)));
    }

    private static CheckResult DdpmElboCheck(int seed)
    {
        var rng = new Random(seed);
        var (data, schedule, label) = RandomElboInstance(rng, 2);
        double a = 0.1 + 0.3 * rng.NextDouble(), b = 0.1 + 0.3 * rng.NextDouble();
        var worst = new WorstOf();
        double z = Bounds.TwoSidedZ(MonteCarloFalseFailure, 4);
        foreach (var variance in new[] { DdpmReverseVariance.Beta, DdpmReverseVariance.Posterior })
        {
            var exact = DdpmReverseModel.Exact(data, schedule, variance);
            foreach (var (name, model) in new[] { ("exact", exact), ($"perturbed a={a:G3} b={b:G3}", Perturbed(exact, a, b)) })
            {
                var terms = DdpmElbo.Estimate(data, model, 20000, (ulong)seed);
                var (direct, directError) = DirectElbo(data, model, 20000, rng);
                double se = Math.Sqrt(terms.StandardError * terms.StandardError + directError * directError);
                worst.Add(Math.Abs(terms.Total - direct), z * se,
                    $"{label} d={data.Dimension} {variance} {name}: by terms {terms.Total:G6} +- {terms.StandardError:G3} (L_T {terms.Prior:G4}, L_0 {terms.Decoder:G4}), by chains {direct:G6} +- {directError:G3}");
            }
        }
        return worst.Result;
    }

    private static CheckResult DdpmElboWeighting(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1 + rng.Next(3), 2);
        var vp = (VpPath)RandomInstances.Path(rng, "vp");
        var schedule = rng.Next(2) == 0 ? DdpmSchedule.ExactOfVp(vp, 10 + rng.Next(1000)) : RandomDdpm(rng).Schedule;
        var worst = new WorstOf();
        foreach (var variance in new[] { DdpmReverseVariance.Beta, DdpmReverseVariance.Posterior })
        {
            var model = Perturbed(DdpmReverseModel.Exact(data, schedule, variance), rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
            for (int p = 0; p < 5; p++)
            {
                int t = 2 + rng.Next(schedule.Steps - 1);
                var x0 = data.Sample(rng);
                var e = RandomInstances.StandardNormal(rng, data.Dimension);
                double sa = Math.Sqrt(schedule.AlphaBars[t - 1]), ss = Math.Sqrt(schedule.OneMinusAlphaBars[t - 1]);
                var xt = x0.Select((v, j) => sa * v + ss * e[j]).ToArray();
                var oracle = model with { NoisePrediction = (_, _) => e };
                double full = DdpmElbo.TransitionTerm(model, t, x0, xt), floor = DdpmElbo.TransitionTerm(oracle, t, x0, xt);
                var prediction = model.NoisePrediction(t, xt);
                double error = e.Select((v, j) => (v - prediction[j]) * (v - prediction[j])).Sum();
                double weighted = DdpmElbo.NoiseWeight(model, t) * error;
                worst.Add(Math.Abs(full - floor - weighted), 1e-9 * (Math.Abs(full) + Math.Abs(weighted)) + 1e-300,
                    $"{schedule.Steps} steps {variance} t={t} d={data.Dimension}: term - oracle {full - floor:G10}, lambda |e - e_theta|^2 {weighted:G10}");
                double r = schedule.PosteriorVariance(t - 1) / model.VarianceAt(t);
                double varianceOnly = 0.5 * data.Dimension * (r - 1 - Math.Log(r));
                worst.Add(Math.Abs(floor - varianceOnly), 1e-9 * Math.Abs(varianceOnly) + 1e-15 * data.Dimension,
                    $"{schedule.Steps} steps {variance} t={t}: oracle's term {floor:G10}, (d/2)(r - 1 - log r) {varianceOnly:G10}");
            }
        }
        return worst.Result;
    }

    /// <summary>
    /// E over x_0 ~ data and x_t = a x_0 + s e of f(x_0, x_t) in 1D, by a tensor Gauss-Legendre rule on [-9, 9]^2 in the
    /// standardised variables (each component's x_0 = mu + std u, x_t = a x_0 + s w, weights times the normal densities).
    /// </summary>
    private static double ElboQuadrature(GaussianMixture data, Func<double, double, double> f, double a, double s, MathNet.Numerics.Integration.GaussLegendreRule rule)
    {
        double total = 0;
        for (int k = 0; k < data.Weights.Length; k++)
        {
            double mu = data.Components[k].Mean[0], sd = Math.Sqrt(data.Components[k].Covariance[0][0]);
            for (int i = 0; i < rule.Order; i++)
            {
                double u = rule.Abscissas[i], x0 = mu + sd * u, wi = rule.Weights[i] * Normal.PDF(0, 1, u);
                for (int j = 0; j < rule.Order; j++)
                {
                    double w = rule.Abscissas[j];
                    total += data.Weights[k] * wi * rule.Weights[j] * Normal.PDF(0, 1, w) * f(x0, a * x0 + s * w);
                }
            }
        }
        return total;
    }

    private static CheckResult DdpmElboGap(int seed)
    {
        var rng = new Random(seed);
        var data = RandomInstances.Mixture(rng, 1, 2);
        var vp = (VpPath)RandomInstances.Path(rng, "vp");
        var rule = new MathNet.Numerics.Integration.GaussLegendreRule(-9, 9, 40);
        double entropy = ElboQuadrature(data, (x0, _) => -data.LogDensity([x0]), 1, 0, rule);
        int[] steps = [30, 60, 120, 240];
        var worst = new WorstOf();
        var gaps = new Dictionary<DdpmReverseVariance, double[]>();
        foreach (var variance in new[] { DdpmReverseVariance.Beta, DdpmReverseVariance.Posterior })
        {
            gaps[variance] = steps.Select(T =>
            {
                var s = DdpmSchedule.ExactOfVp(vp, T);
                var model = DdpmReverseModel.Exact(data, s, variance);
                var qT = DdpmElbo.Marginal(data, s, T);
                double priorKl = ElboQuadrature(data, (_, x) => qT.LogDensity([x]) - Normal.PDFLn(0, 1, x), Math.Sqrt(s.AlphaBars[^1]), Math.Sqrt(s.OneMinusAlphaBars[^1]), rule);
                double bound = ElboQuadrature(data, (x0, _) => DdpmElbo.PriorTerm(s, [x0]), 1, 0, rule)
                    + ElboQuadrature(data, (x0, x1) => DdpmElbo.DecoderTerm(model, [x0], [x1]), Math.Sqrt(s.AlphaBars[0]), Math.Sqrt(s.OneMinusAlphaBars[0]), rule);
                for (int t = 2; t <= T; t++)
                {
                    int tt = t;
                    bound += ElboQuadrature(data, (x0, xt) => DdpmElbo.TransitionTerm(model, tt, [x0], [xt]), Math.Sqrt(s.AlphaBars[t - 1]), Math.Sqrt(s.OneMinusAlphaBars[t - 1]), rule);
                }
                return bound - entropy - priorKl;
            }).ToArray();
            foreach (var (g, T) in gaps[variance].Zip(steps)) worst.Add(Math.Max(0, -g), 1e-6, $"{vp} {variance} T={T}: gap {g:G6} data {data}");
        }
        var beta = gaps[DdpmReverseVariance.Beta];
        if (beta.All(g => g > 0))
        {
            var fit = OrderFit.Of(steps.Select(T => 1.0 / T).ToArray(), beta);
            worst.Add(Math.Abs(fit.Order - 1), 0.1, $"{vp} beta_t: gap order {fit.Order:F3} (gaps {string.Join(", ", beta.Select(g => g.ToString("G4")))})");
        }
        // At the finest T the fixed-small gap must stand well clear of zero: above 0.3 nats and 10 times the gap with
        // beta_t, each written as a residual that passes below 1.
        double last = gaps[DdpmReverseVariance.Posterior][^1], lastBeta = beta[^1];
        string all = string.Join(", ", gaps[DdpmReverseVariance.Posterior].Select(g => g.ToString("G4")));
        worst.Add(0.3 / last, 1, $"{vp} beta~_t: gap {last:G4} at T = {steps[^1]} (gaps {all}), must exceed 0.3");
        worst.Add(10 * lastBeta / last, 1, $"{vp} beta~_t: gap {last:G4} against {lastBeta:G4} with beta_t at T = {steps[^1]}, must exceed 10 times it");
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
