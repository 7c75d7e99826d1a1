#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 5. The reverse SDE and the probability-flow ODE.
//
// Anderson's theorem: run backwards, a diffusion is again a diffusion, with drift f - g^2 score. Dropping half of the
// score term and all the noise gives an ODE, dx/dt = f - g^2 score / 2, whose solutions have the same marginals. Both
// carry the noise distribution to the data; the ODE is deterministic and can take large steps with a good solver
// (shared/seeds/003, "Probability Flow ODE"; shared/seeds/004, "Reversing the SDE", "Two solvers"; shared/seeds/001).
// Run: dotnet run docs/chapters/05-reverse-sde-pf-ode.cs
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;

Console.WriteLine("Chapter 5: reverse SDE and probability-flow ODE\n");
var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);
foreach (var path in GaussianPath.All)
{
    var field = new MarginalField(data, path);
    foreach (var (name, sampler, steps) in new (string, Sampler, int)[] { ("reverse SDE", new Sampler.ReverseSde(), 500), ("PF-ODE RK4", new Sampler.ProbabilityFlow(OdeMethod.Rk4), 100), ("PF-ODE Dormand-Prince", new Sampler.ProbabilityFlow(OdeMethod.DormandPrince), 1) })
    {
        var schedule = Schedule.For(path, steps);
        var result = Samplers.RunFromExactMarginal(data, path, sampler, schedule, 10000, 2, score: Samplers.ExactScore(field));
        var m = data.Along(path, schedule.TEnd).Density;
        double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), x => Cdf(m, x));
        Console.WriteLine($"{path.Kind,-7} {name,-22}: KS distance to the exact p at t = {schedule.TEnd}: {ks:F4} (p-value {SampleTests.KolmogorovPValue(ks, 10000):F3}), {result.Evaluations / 10000.0:F0} score evaluations per path");
    }
}

// Encoding. The ODE runs both ways: carried from the data end to the noise end, exact data become an exact sample of the
// noise-end marginal (a latent code), and carried back they return to where they started; this is what makes exact
// likelihoods and latent editing possible (shared/seeds/003, "Probability Flow ODE"). The catalog's
// pf-ode.encode-decode checks the same on random instances, and NegativeControls shows that a wrong model (variances
// doubled, means moved by 0.5) breaks the encoded law while the round trip still holds.
Console.WriteLine("\nEncoding and decoding by the probability-flow ODE (Dormand-Prince at 1e-10, 2000 points):");
foreach (var path in GaussianPath.All)
{
    var ends = Schedule.For(path, 1);
    var x0 = Samplers.ExactMarginalSample(data, path, ends.TEnd, 2000, 3).Rows();
    var codes = Samplers.ExactFlowMap(data, path, x0, ends.TEnd, ends.TStart);
    var back = Samplers.ExactFlowMap(data, path, codes, ends.TStart, ends.TEnd);
    double ks = SampleTests.KolmogorovSmirnov(codes.Select(c => c[0]).ToArray(), x => Cdf(data.Along(path, ends.TStart).Density, x));
    double roundTrip = x0.Select((x, i) => Math.Abs(back[i][0] - x[0])).Max();
    Console.WriteLine($"{path.Kind,-7}: codes against the exact p at t = {ends.TStart}: KS {ks:F4} (p-value {SampleTests.KolmogorovPValue(ks, 2000):F3}); largest round-trip error {roundTrip:E1}");
    if (SampleTests.KolmogorovPValue(ks, 2000) < 1e-6 || roundTrip > 1e-6) throw new Exception($"encoding on {path.Kind} does not hold");
}

// The consistency function (Song et al. 2023; consistency models appear in shared/seeds/002's tables): f(x, t) is where the
// probability-flow trajectory through x at t ends at the data end. With the exact score it is the ODE's flow map, so one
// evaluation turns noise into data, and re-noising by the path's exact transition and mapping back (multistep consistency
// sampling) keeps the law exact at every number of steps. A consistency model is a network trained to imitate f.
// Progressive distillation trains a student to do two of its teacher's steps in one, halving the steps each round. Its
// fixed point is the same map f, so with the exact score there is nothing left to distil.
{
    var cmData = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.5]);
    var cmPath = GaussianPath.Vp;
    var cmEnds = Schedule.For(cmPath, 1);
    double tMid = cmEnds.TEnd + 0.4 * (cmEnds.TStart - cmEnds.TEnd);
    var cmCdf = cmData.Along(cmPath, cmEnds.TEnd).Density.Cdf;
    var oneStep = Samplers.ConsistencySample(cmData, cmPath, [cmEnds.TStart], cmEnds.TEnd, 4000, 7);
    var twoStep = Samplers.ConsistencySample(cmData, cmPath, [cmEnds.TStart, tMid], cmEnds.TEnd, 4000, 7);
    Console.WriteLine($"\nConsistency sampling with the exact consistency function, 4000 samples on vp: KS one step {SampleTests.KolmogorovSmirnov(oneStep.Column(0), cmCdf):F4}, " +
        $"two steps {SampleTests.KolmogorovSmirnov(twoStep.Column(0), cmCdf):F4} (critical value at 1e-6: {SampleTests.KolmogorovCritical(1e-6, 4000):F4})");
}

static double Cdf(GaussianMixture m, double x) => m.Components.Select((c, k) => m.Weights[k] * MathNet.Numerics.Distributions.Normal.CDF(c.Mean[0], Math.Sqrt(c.Covariance[0][0]), x)).Sum();

foreach (var name in new[] { "trajectories", "convergence" })
    foreach (var file in ScoreSpec.Plots.Figures.Draw(name, "docs/figures")) Console.WriteLine($"figure: {file}");
