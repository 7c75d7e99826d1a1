using ScoreSpec.Densities;
using ScoreSpec.Guidance;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;

namespace ScoreSpec.Examples;

/// <summary>
/// Every worked number of the source texts, recomputed by the library. The texts are not assumed right: each example's
/// status is derived by comparing the text's printed digits with the library's value, and where they differ, by
/// redoing the text's own arithmetic with the intermediates it rounded.
/// </summary>
public static class WorkedExamples
{
    private const string Ch1 = "shared/seeds/002 Ch. 1 (The Score Function)";
    private const string Ch2 = "shared/seeds/002 Ch. 2 (Gaussian Score)";
    private const string Ch3 = "shared/seeds/002 Ch. 3 (Score-Velocity Conversion)";
    private const string Ch4 = "shared/seeds/002 Ch. 4 (The SDE Extension Trick)";
    private const string Ch5 = "shared/seeds/002 Ch. 5 (The Fokker-Planck Equation)";
    private const string Ch6 = "shared/seeds/002 Ch. 6 (Langevin Dynamics)";
    private const string Ch7 = "shared/seeds/002 Ch. 7 (The Score Matching Loss)";
    private const string Ch8 = "shared/seeds/002 Ch. 8 (The DDPM Loss)";
    private const string Ch9 = "shared/seeds/002 Ch. 9 (Connections, guidance)";

    private static double Score1D(Gaussian g, double x) => g.Score([x])[0];

    private static double SquaredError(double[] a, double[] b) => a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum();

    // Chapter 1: the two-component 2D mixture, and the 1D Gaussian N(3, 1).
    private static readonly GaussianMixture TwoBumps = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
    private static readonly Gaussian N31 = Gaussian.Isotropic([3.0], 1.0);

    // Chapter 4: the SDE sampling step on CondOT at t = 0.3.
    private static readonly PathPoint Ot03 = GaussianPath.CondOt.At(0.3);
    private static readonly double[] X4 = [1.2, -0.5], U4 = [2.1, 1.3], Eps4 = [0.3, -0.8];
    private static double[] Score4() => Ot03.ScoreFromVelocity(X4, U4);
    private static double[] Drift4() => Samplers.ExtensionStep(GaussianPath.CondOt, [0, 0], U4, Score4(), 0.5, 1, [0, 0]);
    private static double[] Step4() => Samplers.ExtensionStep(GaussianPath.CondOt, X4, U4, Score4(), 0.5, 0.02, Eps4);

    // Chapter 6: Langevin towards N(3, 1) with h = 0.01 from -2, noises 0.3, -1.2, 0.8.
    private static double[] LangevinPath(int steps)
    {
        double[] xi = [0.3, -1.2, 0.8];
        var x = new[] { -2.0 };
        for (int k = 0; k < steps; k++) x = Samplers.LangevinStep(x, N31.Score(x), 0.01, [xi[k]]);
        return x;
    }

    // Chapter 9: modes at -3 and +3 with unit variance, equal weights; the condition selects N(3, 1).
    private static readonly GaussianMixture Modes = GaussianMixture.Isotropic([0.5, 0.5], [[-3.0], [3.0]], [1.0, 1.0]);

    /// <summary>All the worked examples, in source order.</summary>
    public static IReadOnlyList<Example> All { get; } =
    [
        new("ch1.gaussian-score.x5", Ch1, "score of N(3, 1) at x = 5", "-2", () => Score1D(N31, 5)),
        new("ch1.gaussian-score.x1", Ch1, "score of N(3, 1) at x = 1", "2", () => Score1D(N31, 1)),
        new("ch1.gaussian-score.x3", Ch1, "score of N(3, 1) at x = 3", "0", () => Score1D(N31, 3)),
        new("ch1.mixture-score.origin.x1", Ch1, "first coordinate of the mixture score at (0, 0) (the saddle)", "0", () => TwoBumps.Score([0.0, 0.0])[0]),
        new("ch1.mixture-score.3-0.x1", Ch1, "first coordinate of the mixture score at (3, 0)", "-2.04", () => TwoBumps.Score([3.0, 0.0])[0]),
        new("ch1.mixture-score.3-0.x2", Ch1, "second coordinate of the mixture score at (3, 0)", "0", () => TwoBumps.Score([3.0, 0.0])[1]),
        new("ch1.quiz.score", Ch1, "quiz: the score of N(5, 4) (variance 4) at x = 9", "", () => Score1D(Gaussian.Isotropic([5.0], 2.0), 9)),

        new("ch2.condot-score-table.sigma.t0.1", Ch2, "sigma_t = 1 - t on CondOT at t = 0.1 (the table's beta_t column)", "0.9", () => GaussianPath.CondOt.Sigma(0.1)),
        new("ch2.condot-score-table.sigma.t0.5", Ch2, "sigma_t at t = 0.5", "0.5", () => GaussianPath.CondOt.Sigma(0.5)),
        new("ch2.condot-score-table.sigma.t0.9", Ch2, "sigma_t at t = 0.9", "0.1", () => GaussianPath.CondOt.Sigma(0.9)),
        new("ch2.condot-score-table.sigma.t0.99", Ch2, "sigma_t at t = 0.99", "0.01", () => GaussianPath.CondOt.Sigma(0.99)),
        new("ch2.condot-score-table.t0.1", Ch2, "conditional score -e/sigma_t on CondOT at t = 0.1, e = 1", "-1.11", () => GaussianPath.CondOt.At(0.1).ConditionalTarget(Quantity.Score, [0.0], [1.0])[0]),
        new("ch2.condot-score-table.t0.5", Ch2, "conditional score on CondOT at t = 0.5, e = 1", "-2.0", () => GaussianPath.CondOt.At(0.5).ConditionalTarget(Quantity.Score, [0.0], [1.0])[0]),
        new("ch2.condot-score-table.t0.9", Ch2, "conditional score on CondOT at t = 0.9, e = 1", "-10.0", () => GaussianPath.CondOt.At(0.9).ConditionalTarget(Quantity.Score, [0.0], [1.0])[0]),
        new("ch2.condot-score-table.t0.99", Ch2, "conditional score on CondOT at t = 0.99, e = 1", "-100.0", () => GaussianPath.CondOt.At(0.99).ConditionalTarget(Quantity.Score, [0.0], [1.0])[0]),
        new("ch2.conditional-score-code.x1", Ch2, "-(x - alpha z)/sigma^2 for z = (3, -1), x = (2.5, 0), alpha 0.7, sigma 0.3: first coordinate", "-4.44",
            () => Gaussian.Isotropic([0.7 * 3.0, 0.7 * -1.0], 0.3).Score([2.5, 0.0])[0]),
        new("ch2.conditional-score-code.x2", Ch2, "the same, second coordinate", "-7.78",
            () => Gaussian.Isotropic([0.7 * 3.0, 0.7 * -1.0], 0.3).Score([2.5, 0.0])[1]),
        new("ch2.condot-example.x", Ch2, "x = t z + (1 - t) e for z = 5, e = -1.2, t = 0.6", "2.52", () => GaussianPath.CondOt.At(0.6).Mix([5.0], [-1.2])[0]),
        new("ch2.condot-example.score", Ch2, "conditional score -e/sigma_t for that x", "3.0", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Score, [5.0], [-1.2])[0]),
        new("ch2.condot-example.velocity", Ch2, "conditional velocity z - e", "6.2", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Velocity, [5.0], [-1.2])[0]),

        new("ch3.conversion.x", Ch3, "x for z = 5, e = -1, t = 0.6 (CondOT)", "2.6", () => GaussianPath.CondOt.At(0.6).Mix([5.0], [-1.0])[0]),
        new("ch3.conversion.velocity", Ch3, "velocity z - e", "6.0", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Velocity, [5.0], [-1.0])[0]),
        new("ch3.conversion.score", Ch3, "score -e/sigma_t", "2.5", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Score, [5.0], [-1.0])[0]),
        new("ch3.conversion.noise", Ch3, "noise prediction", "-1.0", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Noise, [5.0], [-1.0])[0]),
        new("ch3.conversion.denoiser", Ch3, "denoiser", "5.0", () => GaussianPath.CondOt.At(0.6).ConditionalTarget(Quantity.Denoiser, [5.0], [-1.0])[0]),
        new("ch3.conversion.velocity-from-score", Ch3, "velocity recovered from the score 2.5 at x = 2.6", "5.0",
            () => GaussianPath.CondOt.At(0.6).VelocityFromScore([2.6], [2.5])[0],
            errorNote: "the text uses u = sigma_t^2 s/t + x/t, dropping the -sigmadot_t sigma_t term of a_t; Proposition 1 gives a_t = (1-t)/t = 0.667 and b_t = 1/t, so u = 0.667 x 2.5 + 2.6/0.6 = 1.667 + 4.333 = 6.0, the velocity z - e the text itself computed above"),

        new("ch4.sde-step.a", Ch4, "Proposition 1 coefficient a_t on CondOT at t = 0.3", "2.33", () => Ot03.A),
        new("ch4.sde-step.b", Ch4, "Proposition 1 coefficient b_t on CondOT at t = 0.3", "3.33", () => Ot03.B),
        new("ch4.sde-step.bx.x1", Ch4, "walk-through step 2: b_t X, first coordinate (3.33 x 1.2)", "4.0", () => Ot03.B * X4[0]),
        new("ch4.sde-step.bx.x2", Ch4, "walk-through step 2: b_t X, second coordinate (the text adds its negative, 1.3 + 1.67)", "-1.67", () => Ot03.B * X4[1]),
        new("ch4.sde-step.score.x1", Ch4, "score from the velocity (2.1, 1.3) at X = (1.2, -0.5): first coordinate", "-0.82", () => Score4()[0],
            textChain: () => (2.1 - 4.0) / 2.33,
            roundingNote: "the text rounds b_t x_1 = 3.333 x 1.2 = 4.0 and a_t = 2.333 to 2.33: (2.1 - 4.0)/2.33 = -0.815; unrounded, (2.1 - 4)/2.3333 = -0.8143"),
        new("ch4.sde-step.score.x2", Ch4, "score, second coordinate", "1.27", () => Score4()[1]),
        new("ch4.sde-step.half-sigma2", Ch4, "walk-through step 3: the score's factor sigma^2/2 for sigma = 0.5", "0.125", () => (Drift4()[0] - U4[0]) / Score4()[0]), // the factor read off the library's extension drift u + (sigma^2/2) score,
        new("ch4.sde-step.drift.x1", Ch4, "drift u + (sigma^2/2) score with sigma = 0.5: first coordinate", "2.0", () => Drift4()[0]),
        new("ch4.sde-step.drift.x2", Ch4, "drift, second coordinate", "1.46", () => Drift4()[1]),
        new("ch4.sde-step.h-drift.x1", Ch4, "walk-through step 5: h drift, first coordinate", "0.04", () => 0.02 * Drift4()[0]),
        new("ch4.sde-step.h-drift.x2", Ch4, "walk-through step 5: h drift, second coordinate", "0.029", () => 0.02 * Drift4()[1]),
        new("ch4.sde-step.noise.x1", Ch4, "walk-through step 5: sigma sqrt(h) e, first coordinate", "0.021", () => 0.5 * Math.Sqrt(0.02) * Eps4[0]),
        new("ch4.sde-step.noise.x2", Ch4, "walk-through step 5: sigma sqrt(h) e, second coordinate", "-0.057", () => 0.5 * Math.Sqrt(0.02) * Eps4[1]),
        new("ch4.sde-step.update.x1", Ch4, "X + h drift + sigma sqrt(h) e with h = 0.02, e = (0.3, -0.8): first coordinate", "1.261", () => Step4()[0]),
        new("ch4.sde-step.update.x2", Ch4, "the update, second coordinate", "-0.528", () => Step4()[1],
            textChain: () => -0.5 + 0.029 - 0.057,
            roundingNote: "the text rounds h drift_2 = 0.02 x 1.459 = 0.0292 to 0.029 and sigma sqrt(h) e_2 = -0.05657 to -0.057, giving -0.528; unrounded the update is -0.52739"),

        new("ch5.ou-stationary-variance", Ch5, "stationary variance of dX = -theta X dt + sigma dW for theta = 1, sigma = 1 (text: sigma^2/(2 theta)), from the 1D Fokker-Planck solver's stationary state", "0.5",
            () => OuStationaryVariance(1.0, 1.0)),

        new("ch6.langevin-table.step1.x", Ch6, "Langevin table, step 1: the starting point X", "-2.000", () => LangevinPath(0)[0]),
        new("ch6.langevin-table.step1.score", Ch6, "step 1: score -(X - 3) at X = -2", "5.000", () => Score1D(N31, LangevinPath(0)[0])),
        new("ch6.langevin-table.step1.drift", Ch6, "step 1: drift (h/2) score", "0.025", () => 0.01 / 2 * Score1D(N31, LangevinPath(0)[0])),
        new("ch6.langevin-table.step1.noise", Ch6, "step 1: noise sqrt(h) e with e = 0.3", "0.030", () => Math.Sqrt(0.01) * 0.3),
        new("ch6.langevin-table.step2.noise", Ch6, "step 2: noise sqrt(h) e with e = -1.2", "-0.120", () => Math.Sqrt(0.01) * -1.2),
        new("ch6.langevin-table.step3.noise", Ch6, "step 3: noise sqrt(h) e with e = 0.8", "0.080", () => Math.Sqrt(0.01) * 0.8),
        new("ch6.langevin-table.step2.x", Ch6, "Langevin towards N(3, 1), h = 0.01, from X = -2 with e = 0.3: X after step 1", "-1.945", () => LangevinPath(1)[0]),
        new("ch6.langevin-table.step2.score", Ch6, "score -(X - 3) at X = -1.945", "4.945", () => Score1D(N31, LangevinPath(1)[0])),
        new("ch6.langevin-table.step2.drift", Ch6, "drift (h/2) score at step 2", "0.025", () => 0.01 / 2 * Score1D(N31, LangevinPath(1)[0])),
        new("ch6.langevin-table.step3.x", Ch6, "X after step 2 with e = -1.2", "-2.040", () => LangevinPath(2)[0]),
        new("ch6.langevin-table.step3.score", Ch6, "score at X after step 2", "5.040", () => Score1D(N31, LangevinPath(2)[0])),
        new("ch6.langevin-table.step3.drift", Ch6, "drift (h/2) score at step 3", "0.025", () => 0.01 / 2 * Score1D(N31, LangevinPath(2)[0])),

        new("ch7.dsm.alpha-z.x1", Ch7, "alpha z = 0.7 (4, 2): first coordinate", "2.8", () => GaussianPath.CondOt.Alpha(0.7) * 4.0),
        new("ch7.dsm.alpha-z.x2", Ch7, "alpha z: second coordinate", "1.4", () => GaussianPath.CondOt.Alpha(0.7) * 2.0),
        new("ch7.dsm.sigma-e.x1", Ch7, "sigma e = 0.3 (0.5, -1.2): first coordinate", "0.15", () => GaussianPath.CondOt.Sigma(0.7) * 0.5),
        new("ch7.dsm.sigma-e.x2", Ch7, "sigma e: second coordinate", "-0.36", () => GaussianPath.CondOt.Sigma(0.7) * -1.2),
        new("ch7.dsm.x.x1", Ch7, "noisy input alpha z + sigma e for z = (4, 2), alpha 0.7, sigma 0.3, e = (0.5, -1.2): first coordinate", "2.95", () => GaussianPath.CondOt.At(0.7).Mix([4.0, 2.0], [0.5, -1.2])[0]),
        new("ch7.dsm.x.x2", Ch7, "noisy input, second coordinate", "1.04", () => GaussianPath.CondOt.At(0.7).Mix([4.0, 2.0], [0.5, -1.2])[1]),
        new("ch7.dsm.target.x1", Ch7, "target score -e/sigma: first coordinate", "-1.67", () => GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])[0]),
        new("ch7.dsm.target.x2", Ch7, "target score, second coordinate", "4.0", () => GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])[1]),
        new("ch7.dsm.residual.x1", Ch7, "residual of the prediction (-1.5, 3.5) against the target: first coordinate", "0.17",
            () => -1.5 - GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])[0]),
        new("ch7.dsm.residual.x2", Ch7, "residual, second coordinate", "-0.5",
            () => 3.5 - GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])[1]),
        new("ch7.dsm.residual-squared.x1", Ch7, "the first residual squared", "0.029",
            () => Math.Pow(-1.5 - GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])[0], 2),
            textChain: () => 0.17 * 0.17,
            roundingNote: "the text squares the rounded residual 0.17 (0.0289); the residual is 1/6 and its square 0.02778"),
        new("ch7.dsm.loss", Ch7, "squared error of the prediction (-1.5, 3.5) against the target score", "0.279",
            () => SquaredError([-1.5, 3.5], GaussianPath.CondOt.At(0.7).ConditionalTarget(Quantity.Score, [4.0, 2.0], [0.5, -1.2])),
            textChain: () => Math.Round(0.17 * 0.17, 3) + 0.25,
            roundingNote: "the text rounds the first residual -1.5 + 1.667 = 0.1667 to 0.17 and its square to 0.029; unrounded the loss is 0.02778 + 0.25 = 0.27778"),

        new("ch8.ddpm.tz.x1", Ch8, "t z = 0.4 (3, -1): first coordinate", "1.2", () => GaussianPath.CondOt.Alpha(0.4) * 3.0),
        new("ch8.ddpm.tz.x2", Ch8, "t z: second coordinate", "-0.4", () => GaussianPath.CondOt.Alpha(0.4) * -1.0),
        new("ch8.ddpm.sigma-e.x1", Ch8, "(1 - t) e = 0.6 (0.8, -0.5): first coordinate", "0.48", () => GaussianPath.CondOt.Sigma(0.4) * 0.8),
        new("ch8.ddpm.sigma-e.x2", Ch8, "(1 - t) e: second coordinate", "-0.3", () => GaussianPath.CondOt.Sigma(0.4) * -0.5),
        new("ch8.ddpm.x.x1", Ch8, "x = t z + (1 - t) e for z = (3, -1), t = 0.4, e = (0.8, -0.5): first coordinate", "1.68", () => GaussianPath.CondOt.At(0.4).Mix([3.0, -1.0], [0.8, -0.5])[0]),
        new("ch8.ddpm.x.x2", Ch8, "x, second coordinate", "-0.7", () => GaussianPath.CondOt.At(0.4).Mix([3.0, -1.0], [0.8, -0.5])[1]),
        new("ch8.ddpm.residual.x1", Ch8, "residual of the noise prediction (0.6, -0.3) against e: first coordinate", "-0.2", () => 0.6 - GaussianPath.CondOt.At(0.4).ConditionalTarget(Quantity.Noise, [3.0, -1.0], [0.8, -0.5])[0]),
        new("ch8.ddpm.residual.x2", Ch8, "residual, second coordinate", "0.2", () => -0.3 - GaussianPath.CondOt.At(0.4).ConditionalTarget(Quantity.Noise, [3.0, -1.0], [0.8, -0.5])[1]),
        new("ch8.ddpm.loss", Ch8, "squared error of the noise prediction (0.6, -0.3) against e", "0.08",
            () => SquaredError([0.6, -0.3], GaussianPath.CondOt.At(0.4).ConditionalTarget(Quantity.Noise, [3.0, -1.0], [0.8, -0.5]))),

        new("ch9.guidance.unconditional", Ch9, "unconditional score at x = 1 of 0.5 N(-3, 1) + 0.5 N(3, 1)", "0.5", () => Modes.Score([1.0])[0],
            errorNote: "at x = 1 the posterior weight of the +3 mode is 1/(1 + e^-6) = 0.9975, so the score is 0.9975 x 2 + 0.0025 x (-4) = 1.985, almost the conditional score; the text's 'about 0.5' is not what the mixture gives"),
        new("ch9.guidance.conditional", Ch9, "conditional score of N(3, 1) at x = 1", "2", () => N31.Score([1.0])[0]),
        new("ch9.guidance.guided", Ch9, "guided score with w = 7 at x = 1", "11.0", () => Guide.ClassifierFree(Modes.Score([1.0]), N31.Score([1.0]), 7)[0],
            errorNote: "with the correct unconditional score 1.985, s = 1.985 + 7 (2 - 1.985) = 2.089; the text's 11.0 comes from its unconditional value 0.5, which is wrong (see ch9.guidance.unconditional). The amplification it describes happens where the two modes compete: at x = 0.2 the unconditional score is 1.41, the conditional 2.8 and the guided 11.1"),
    ];

    /// <summary>
    /// The variance of the stationary state reached by the 1D reference Fokker-Planck solver for dX = -theta X dt + sigma dW,
    /// started from a point-like density at 1 and run to t = 30 (many relaxation times).
    /// </summary>
    private static double OuStationaryVariance(double theta, double sigma)
    {
        var grid = new FokkerPlanck.Grid1D(-8, 8, 1600);
        var p0 = grid.Centres().Select(x => MathNet.Numerics.Distributions.Normal.PDF(1, 0.05, x)).ToArray();
        var sol = FokkerPlanck.FokkerPlanck1D.Solve(new FokkerPlanck.FokkerPlanck1DProblem((t, x) => -theta * x, t => sigma * sigma, [.. p0], grid, 0, 30) { Autonomous = true }, 3000);
        double mass = sol.Mass, mean = 0, second = 0;
        for (int i = 0; i < grid.Cells; i++) { double x = grid.Centre(i), w = sol.Density[i] * grid.Dx / mass; mean += w * x; second += w * x * x; }
        return second - mean * mean;
    }
}
