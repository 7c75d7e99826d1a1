using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>Langevin dynamics converges to its target; Metropolis adjustment removes the step-size bias; seeds fix the bits.</summary>
public class LangevinAndDeterminism(ITestOutputHelper output)
{
    private const int N = 20000;
    private static readonly GaussianMixture Target = GaussianMixture.Isotropic([0.4, 0.6], [[-1.0], [1.2]], [0.7, 0.8]);

    private static double Cdf(double x) => Target.Weights[0] * Normal.CDF(-1.0, 0.7, x) + Target.Weights[1] * Normal.CDF(1.2, 0.8, x);

    private static Ensemble Broad(ulong seed)
    {
        var rng = new Random((int)seed);
        return Ensemble.FromRows(Enumerable.Range(0, N).Select(_ => new[] { Normal.Sample(rng, 0, 3) }).ToArray());
    }

    private static ScoreFunction Score => (t, x, s) => s[0] = Target.Score([x[0]])[0];

    [Fact]
    public void UnadjustedLangevinConvergesToTheMixture()
    {
        // h = 0.005 for 4000 steps (time 20, many relaxation times of this overlapping mixture). ULA's stationary law is
        // biased by O(h): for a Gaussian target of variance v it has variance v / (1 - h / (4 v)), a relative error below
        // 0.3 % here, i.e. a KS bias below 1e-3, which is the budget added to the 1e-6 critical value.
        var result = Samplers.Langevin(Score, Broad(1), 0.005, 4000, seed: 1);
        double ks = SampleTests.KolmogorovSmirnov(result.Final.Column(0), Cdf);
        output.WriteLine($"ULA h=0.005: KS {ks:F5}");
        Assert.True(ks <= SampleTests.KolmogorovCritical(1e-6, N) + 1e-3);
    }

    [Fact]
    public void MetropolisAdjustedLangevinHasNoStepSizeBias()
    {
        // With a large step h = 0.8 unadjusted Langevin is visibly biased; MALA at the same step is exact.
        var ula = Samplers.Langevin(Score, Broad(2), 0.8, 400, seed: 2);
        var mala = Samplers.Langevin(Score, Broad(2), 0.8, 400, seed: 2, logDensity: x => Target.LogDensity(x));
        double ksUla = SampleTests.KolmogorovSmirnov(ula.Final.Column(0), Cdf), ksMala = SampleTests.KolmogorovSmirnov(mala.Final.Column(0), Cdf);
        double crit = SampleTests.KolmogorovCritical(1e-6, N);
        output.WriteLine($"h=0.8: ULA KS {ksUla:F5}, MALA KS {ksMala:F5} (acceptance {mala.AcceptanceRate:F3}), critical {crit:F5}");
        Assert.True(ksMala <= crit, $"MALA KS {ksMala}");
        Assert.True(ksUla > crit, $"ULA at h = 0.8 should be biased, KS {ksUla}");
    }

    public static TheoryData<string> Samplers_ => new() { "reverse", "pf-rk4", "pf-dopri", "extension", "pc", "pc-003", "ancestral", "mala" };

    [Theory, MemberData(nameof(Samplers_))]
    public void SameSeedGivesTheSameBitsOnOneAndTwoThreads(string which)
    {
        var data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
        var path = GaussianPath.Vp;
        var schedule = Schedule.For(path, 50);
        var initial = Samplers.ExactMarginalSample(data, path, schedule.TStart, 3000, 5);
        var score = Samplers.ExactScore(new MarginalField(data, path));
        Ensemble Run(int threads) => which switch
        {
            "mala" => Samplers.Langevin((t, x, s) => data.Score(x.ToArray()).CopyTo(s), initial, 0.1, 20, 5, threads, x => data.LogDensity(x)).Final,
            _ => Samplers.Run(path, score, which switch
            {
                "reverse" => new Sampler.ReverseSde(),
                "pf-rk4" => new Sampler.ProbabilityFlow(OdeMethod.Rk4),
                "pf-dopri" => new Sampler.ProbabilityFlow(OdeMethod.DormandPrince),
                "extension" => new Sampler.Extension(t => 0.7),
                "pc" => new Sampler.PredictorCorrector(),
                "pc-003" => new Sampler.PredictorCorrector(0.16, 1, PcVariant.Seed003),
                _ => new Sampler.Ancestral(),
            }, initial, schedule, 5, threads).Final,
        };
        var one = Run(1);
        var two = Run(2);
        Assert.True(one.Span.SequenceEqual(two.Span), "1 and 2 threads differ");
        // Exact draws are keyed by point index: the first 100 of 1000 draws are the 100 draws of a smaller request, which is
        // what makes them independent of how the points are split into parallel blocks.
        var small = Samplers.ExactMarginalSample(data, path, 0.3, 100, 9).Values;
        var large = Samplers.ExactMarginalSample(data, path, 0.3, 1000, 9).Values;
        Assert.True(small.AsSpan().SequenceEqual(large.AsSpan(0, small.Length)), "draws depend on the request size");
    }
}
