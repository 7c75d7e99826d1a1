using ScoreSpec.Likelihood;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>The With methods (F# has no <c>with</c> for C# records) change what they name and keep the rest; Match visits exactly the case at hand.</summary>
public class CopiesAndMatches
{
    [Fact]
    public void WithChangesWhatItNamesAndKeepsTheRest()
    {
        TimeGrid grid = new TimeGrid.Karras(0.99, 0.01, 20, 5);
        Assert.Equal(new TimeGrid.Karras(0.99, 0.2, 20, 5), grid.With(end: 0.2));
        Assert.Equal(new TimeGrid.Karras(0.5, 0.01, 7, 5), grid.With(start: 0.5, steps: 7));
        Assert.Equal(new TimeGrid.Uniform(0.9, 0.1, 3), new TimeGrid.Uniform(0.9, 0.1, 10).WithSteps(3));
        Assert.Equal(new TimeGrid.UniformLogSnr(0.9, 0.3, 10), new TimeGrid.UniformLogSnr(0.9, 0.1, 10).With(end: 0.3));
        var points = new TimeGrid.Explicit([0.9, 0.5, 0.1]);
        Assert.Same(points, points.With());
        Assert.Equal("end", Assert.Throws<ArgumentException>(() => points.With(end: 0.2)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => points.WithSteps(4)).ParamName);
        Assert.Equal("Steps", Assert.Throws<ArgumentException>(() => grid.With(steps: 0).Times(GaussianPath.Vp)).ParamName);

        var options = new LikelihoodOptions();
        Assert.Equal(options with { Rtol = 1e-10, Seed = 4 }, options.With(rtol: 1e-10, seed: 4));
        Assert.Equal(options with { Epsilon = 1e-3, Prior = PriorKind.Standard, Divergence = DivergenceMethod.HutchinsonRademacher, Probes = 3, Atol = 1e-4 },
            options.With(epsilon: 1e-3, prior: PriorKind.Standard, divergence: DivergenceMethod.HutchinsonRademacher, probes: 3, atol: 1e-4));
        Assert.Equal(new Sampler.PredictorCorrector(0.16, 2, PcVariant.Seed003), new Sampler.PredictorCorrector().With(correctorSteps: 2, variant: PcVariant.Seed003));
        Assert.Equal(new Sampler.PredictorCorrector(0.3), new Sampler.PredictorCorrector().With(snr: 0.3));
        Assert.Equal(new Sampler.ProbabilityFlow(OdeMethod.DormandPrince, 1e-9, 1e-7), new Sampler.ProbabilityFlow().With(method: OdeMethod.DormandPrince, rtol: 1e-9, atol: 1e-7));
        Assert.Equal(new OdeAlgorithm.DormandPrince(1e-8, 1e-3, 50), new OdeAlgorithm.DormandPrince().With(atol: 1e-3, maxSteps: 50));
        Assert.Equal(new OdeAlgorithm.DormandPrince(1e-4), new OdeAlgorithm.DormandPrince().With(rtol: 1e-4));
        Assert.Equal(new VpPath(0.1, 30), GaussianPath.Vp.With(betaMax: 30));
        Assert.Equal(new VpPath(0.2, 20), GaussianPath.Vp.With(betaMin: 0.2));
        Assert.Equal(new VePath(0.01, 80), GaussianPath.Ve.With(sigmaMax: 80));
        Assert.Equal(new VePath(0.02, 50), GaussianPath.Ve.With(sigmaMin: 0.02));
        Assert.Equal("betaMax", Assert.Throws<ArgumentException>(() => GaussianPath.Vp.With(betaMax: -1)).ParamName);
    }

    [Fact]
    public void MatchVisitsTheCaseAtHand()
    {
        static string Name(TimeGrid g) => g.Match(_ => "uniform", _ => "karras", _ => "logsnr", _ => "explicit");
        Assert.Equal("uniform", Name(new TimeGrid.Uniform(0.9, 0.1, 2)));
        Assert.Equal("karras", Name(new TimeGrid.Karras(0.9, 0.1, 2)));
        Assert.Equal("logsnr", Name(new TimeGrid.UniformLogSnr(0.9, 0.1, 2)));
        Assert.Equal("explicit", Name(new TimeGrid.Explicit([0.9, 0.1])));
        static string Of(Sde p) => p.Match(_ => "forward", _ => "ou", _ => "bm", _ => "langevin", _ => "reverse", _ => "flow", _ => "extension");
        ScoreFunction score = (t, x, s) => { for (int i = 0; i < x.Length; i++) s[i] = -x[i]; };
        var forward = Sde.Forward(GaussianPath.Vp);
        Assert.Equal("forward", Of(forward));
        Assert.Equal("ou", Of(new Sde.OrnsteinUhlenbeck(1, 1)));
        Assert.Equal("bm", Of(new Sde.BrownianMotion()));
        Assert.Equal("langevin", Of(new Sde.Langevin(score, 1)));
        Assert.Equal("reverse", Of(forward.Reverse(score)));
        Assert.Equal("flow", Of(forward.ProbabilityFlow(score)));
        Assert.Equal("extension", Of(forward.Extension(score, _ => 0.5)));
        Assert.Equal("brownianMotion", Assert.Throws<ArgumentException>(() => forward.Match<int>(_ => 0, _ => 0, null!, _ => 0, _ => 0, _ => 0, _ => 0)).ParamName);
    }
}
