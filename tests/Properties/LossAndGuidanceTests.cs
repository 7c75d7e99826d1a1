using ScoreSpec.Densities;
using ScoreSpec.Guidance;
using ScoreSpec.Losses;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The training losses and guidance. Monte Carlo comparisons use common random numbers (same seed, same draws) and
/// assert on the mean of per-sample differences with z for false-failure probability 1e-6 (CLT).
/// </summary>
public class LossAndGuidanceTests(ITestOutputHelper output)
{
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.4, 0.6], [[-1.5, 0.5], [1.2, -0.3]], [0.5, 0.7]);
    private static readonly double Z = Bounds.TwoSidedZ(1e-6);

    private static double Sq(double[] a, double[] b) => a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum();

    public static TheoryData<string> Kinds => new(Identities.RandomInstances.Kinds);

    private static GaussianPath PathOf(string kind) => GaussianPath.All.First(p => p.Kind == kind);

    [Theory, MemberData(nameof(Kinds))]
    public void ScoreMatchingIsDenoisingScoreMatchingPlusAModelIndependentConstant(string kind)
    {
        // For models A and B, (SM_A - DSM_A) - (SM_B - DSM_B) has per-sample value 2 (s_B - s_A).(s* + e/sigma), whose
        // mean is zero because E[e | x] = -sigma s*(x). Three pairs of models.
        var path = PathOf(kind);
        Func<double, double[], double[]>[] models =
        [
            (t, x) => x.Select(v => -v).ToArray(),
            (t, x) => Data.Along(path, t).Score(x).Select(v => 1.3 * v).ToArray(),
            (t, x) => [Math.Sin(x[0]), x[0] * x[1] * 0.1],
        ];
        for (int a = 0; a < models.Length; a++)
            for (int b = a + 1; b < models.Length; b++)
            {
                var (ma, mb) = (models[a], models[b]);
                var diff = TrainingLosses.Estimate(Data, path, s =>
                {
                    double[] x = [.. s.X];
                    var exact = Data.Along(path, s.T).Score(x);
                    var target = s.Point.ConditionalTarget(Quantity.Score, [.. s.Z], [.. s.E]);
                    var sa = ma(s.T, x); var sb = mb(s.T, x);
                    return Sq(sa, exact) - Sq(sa, target) - Sq(sb, exact) + Sq(sb, target);
                }, 20000, 3);
                output.WriteLine($"{kind} models {a},{b}: difference of constants {diff.Mean:G4} +- {diff.StandardError:G3}");
                Assert.True(Math.Abs(diff.Mean) <= Z * diff.StandardError, $"{kind}: {diff.Mean} +- {diff.StandardError}");
            }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void TheExactPredictionsMinimiseTheirLosses(string kind)
    {
        var path = PathOf(kind);
        Func<double, double[], double[]> Perturb(Func<double, double[], double[]> f) => (t, x) => f(t, x).Select((v, i) => v + 0.2 * (i == 0 ? 1 : -1) * (1 + x[i] * x[i])).ToArray();
        Func<double, double[], double[]> score = (t, x) => Data.Along(path, t).Score(x);
        Func<double, double[], double[]> noise = (t, x) => Data.Along(path, t).Noise(x);
        Func<double, double[], double[]> velocity = (t, x) => Data.Along(path, t).Velocity(x);
        var cases = new (string Name, Func<LossSample, double[]> Target, Func<double, double[], double[]> Exact)[]
        {
            ("DSM", s => s.Point.ConditionalTarget(Quantity.Score, [.. s.Z], [.. s.E]), score),
            ("DDPM", s => [.. s.E], noise),
            ("CFM", s => s.Point.ConditionalTarget(Quantity.Velocity, [.. s.Z], [.. s.E]), velocity),
        };
        foreach (var (name, target, exact) in cases)
        {
            var perturbed = Perturb(exact);
            var gain = TrainingLosses.Estimate(Data, path, s => Sq(perturbed(s.T, [.. s.X]), target(s)) - Sq(exact(s.T, [.. s.X]), target(s)), 40000, 4);
            output.WriteLine($"{kind} {name}: perturbed - exact = {gain.Mean:G4} +- {gain.StandardError:G3}");
            Assert.True(gain.Mean > Z * gain.StandardError, $"{kind} {name}: the perturbation did not increase the loss ({gain.Mean} +- {gain.StandardError})");
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void TheLossesCoincideAfterReparameterisation(string kind)
    {
        // lambda(t) = sigma_t^2 turns DSM of s into the DDPM loss of e^ = -sigma s; CFM of the velocity equals the DDPM loss
        // weighted by (sigmadot - alphadot sigma/alpha)^2. Same draws, so equality to round-off (1e-10 relative).
        var path = PathOf(kind);
        Func<double, double[], double[]> noiseModel = (t, x) => [0.3 * x[0] - 0.1, Math.Tanh(x[1])];
        Func<double, double[], double[]> scoreModel = (t, x) => path.At(t).NoiseFromScore(x, noiseModel(t, x)).Select(v => v / Math.Pow(path.Sigma(t), 2)).ToArray();
        var asScore = (Func<double, double[], double[]>)((t, x) => path.At(t).Convert(Quantity.Noise, Quantity.Score, x, noiseModel(t, x)));
        var asVelocity = (Func<double, double[], double[]>)((t, x) => path.At(t).Convert(Quantity.Noise, Quantity.Velocity, x, noiseModel(t, x)));
        var ddpm = TrainingLosses.Ddpm(Data, path, noiseModel, samples: 5000, seed: 9);
        var dsm = TrainingLosses.DenoisingScoreMatching(Data, path, asScore, t => Math.Pow(path.Sigma(t), 2), samples: 5000, seed: 9);
        var cfm = TrainingLosses.FlowMatching(Data, path, asVelocity, samples: 5000, seed: 9);
        var weighted = TrainingLosses.Ddpm(Data, path, noiseModel, t => { var p = path.At(t); return Math.Pow(p.SigmaDot - p.AlphaDot * p.Sigma / p.Alpha, 2); }, samples: 5000, seed: 9);
        output.WriteLine($"{kind}: DDPM {ddpm.Mean:G10}, sigma^2-weighted DSM {dsm.Mean:G10}; CFM {cfm.Mean:G10}, weighted DDPM {weighted.Mean:G10}");
        Assert.Equal(ddpm.Mean, dsm.Mean, 1e-10 * ddpm.Mean);
        Assert.Equal(cfm.Mean, weighted.Mean, 1e-9 * cfm.Mean);
    }

    private static readonly LabeledMixture Labeled = new(GaussianMixture.Isotropic([0.3, 0.3, 0.4], [[-2.0, 0.0], [0.0, 1.5], [2.0, -0.5]], [0.6, 0.5, 0.7]), [0, 1, 1]);

    [Theory, MemberData(nameof(Kinds))]
    public void ClassifierGuidedScoreIsTheScoreOfPTimesClassifierToTheW(string kind)
    {
        var path = PathOf(kind);
        foreach (double w in new[] { 0.0, 1.0, 3.0 })
        {
            double t = 0.35;
            double[] x = [0.4, 0.2];
            var guided = Labeled.ClassifierGuidedScore(path, t, x, 1, w);
            double Log(double[] y) => Labeled.Mixture.Along(path, t).LogDensity(y) + w * Labeled.LogClassProbability(path, t, y, 1);
            var fd = FiniteDifference.Gradient(Log, x, 1e-4);
            for (int i = 0; i < 2; i++)
                Assert.True(Math.Abs(fd[i].Value - guided[i]) <= 10 * fd[i].ErrorBound + 1e-8, $"{kind} w={w}: {guided[i]} vs {fd[i].Value}");
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void GuidanceWithWeightOneIsTheConditionalScore(string kind)
    {
        var path = PathOf(kind);
        double t = 0.6;
        foreach (var x in new[] { new[] { 0.4, 0.2 }, new[] { -1.0, 1.0 } })
        {
            var conditional = Labeled.Conditional(1).Along(path, t).Score(x);
            var viaClassifier = Labeled.ClassifierGuidedScore(path, t, x, 1, 1);
            var unconditional = Labeled.Mixture.Along(path, t).Score(x);
            var cfg = Guide.ClassifierFree(unconditional, conditional, 1);
            var cfg3 = Guide.ClassifierFree(unconditional, conditional, 3);
            var cls3 = Labeled.ClassifierGuidedScore(path, t, x, 1, 3);
            for (int i = 0; i < 2; i++)
            {
                double scale = Math.Abs(conditional[i]) + 1;
                Assert.Equal(conditional[i], viaClassifier[i], 1e-12 * scale);
                Assert.Equal(conditional[i], cfg[i], 1e-12 * scale);
                Assert.Equal(cls3[i], cfg3[i], 1e-11 * scale); // CFG and classifier guidance agree for the exact classifier
            }
        }
    }
    [Theory]
    [InlineData(-8.0)]
    [InlineData(-3.0)]
    [InlineData(0.3)]
    [InlineData(5.0)]
    public void TheClassifierStaysExactWhereTheClassProbabilityUnderflows(double x)
    {
        // Two 1D components N(-1, 0.1^2), N(1, 0.1^2) with equal weights and labels 0, 1, carried along VE to t = 0.05:
        // both have variance v = alpha^2 0.01 + sigma^2 and means -+alpha, so log p_t(1 | x) = -softplus(z) with
        // z = -2 x alpha / v, and its gradient is -sigmoid(z) dz/dx. At x = -8, z = 1.2e4 and p_t(1 | x) = e^-12000: a
        // ratio of summed posterior weights underflows to 0/0, the log-domain form must not.
        var path = GaussianPath.Ve;
        double t = 0.05;
        var point = path.At(t);
        double alpha = point.Alpha, v = alpha * alpha * 0.01 + point.Sigma * point.Sigma;
        var labeled = new LabeledMixture(GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [1.0]], [0.1, 0.1]), [0, 1]);
        double z = -2 * x * alpha / v, dz = -2 * alpha / v;
        double softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        double sigmoid = z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
        double log = labeled.LogClassProbability(path, t, [x], 1);
        double gradient = labeled.ClassifierGradient(path, t, [x], 1)[0];
        output.WriteLine($"x={x}: z={z:G6} log p(1|x)={log:R} (exact {-softplus:R}), gradient {gradient:R} (exact {-sigmoid * dz:R})");
        Assert.Equal(-softplus, log, 1e-13 * (softplus + 1));
        Assert.Equal(-sigmoid * dz, gradient, 1e-12 * Math.Abs(dz));
        // With w = 1 the guided score is the score of component 1 alone.
        double conditional = -(x - alpha) / v;
        Assert.Equal(conditional, labeled.ClassifierGuidedScore(path, t, [x], 1, 1)[0], 1e-12 * (Math.Abs(conditional) + Math.Abs(dz)));
    }
    [Theory]
    [InlineData("condot")]
    [InlineData("vp")]
    [InlineData("polynomial")]
    public void FlowMatchingIsConditionalFlowMatchingPlusAModelIndependentConstant(string kind)
    {
        // (FM_A - CFM_A) - (FM_B - CFM_B) = -2 (u_A - u_B).(u* - u(x | z, e)) per sample, whose mean is zero exactly when
        // the marginal velocity u* is E[alphadot z + sigmadot e | x]. Negative control: with u* scaled by 1.2 the mean is
        // not zero, beyond z standard errors (false-failure probability 1e-6 per assertion, CLT, 20000 draws, seed 5).
        var path = PathOf(kind);
        double Mean(double scale)
        {
            var d = TrainingLosses.Estimate(Data, path, s =>
            {
                double[] x = [.. s.X];
                var exact = Data.Along(path, s.T).Velocity(x).Select(v => scale * v).ToArray();
                var target = s.Point.ConditionalTarget(Quantity.Velocity, [.. s.Z], [.. s.E]);
                var ua = x.Select(v => -v).ToArray();
                var ub = new[] { Math.Sin(x[0]), 0.3 * x[1] };
                return Sq(ua, exact) - Sq(ua, target) - Sq(ub, exact) + Sq(ub, target);
            }, 20000, 5);
            output.WriteLine($"{kind}, u* x {scale}: difference of constants {d.Mean:G4} +- {d.StandardError:G3}");
            return Math.Abs(d.Mean) / d.StandardError;
        }
        Assert.True(Mean(1) <= Z);
        Assert.True(Mean(1.2) > Z);
    }
}
