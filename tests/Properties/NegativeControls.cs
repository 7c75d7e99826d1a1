using ScoreSpec.Densities;
using ScoreSpec.Identities;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// Negative controls of the catalog's sampler identities: each check, fed a sampler with a planted slip, must fail on
/// the instances where the correct sampler passes. A check that a slip cannot fail asserts nothing about that slip.
/// </summary>
public class NegativeControls(ITestOutputHelper output)
{
    private static readonly int[] Seeds = [1, 2, 3];

    public static TheoryData<string> AllSlips => new() { "noise g|h|", "score term sign", "score term doubled", "score term halved", "no noise", "coefficients one step late" };

    [Theory, MemberData(nameof(AllSlips))]
    public void SamplerDiscreteLawCatchesSlips(string slip)
    {
        foreach (int seed in Seeds)
        {
            var clean = Catalog.SamplerDiscreteLaw(seed);
            var planted = Catalog.SamplerDiscreteLaw(seed, MarginalEquality.SlipNamed(slip));
            output.WriteLine($"seed {seed}: clean {clean.Residual:F5} / {clean.Tolerance:F5}; '{slip}' {planted.Residual:F5} ({planted.Detail})");
            Assert.True(clean.Passed, clean.Detail);
            Assert.False(planted.Passed, $"slip '{slip}' passed: {planted.Detail}");
        }
    }

    [Theory]
    [InlineData("reverse", "noise g|h|")]
    [InlineData("reverse", "score term sign")]
    [InlineData("reverse", "score term halved")]
    [InlineData("extension", "noise g|h|")]
    [InlineData("extension", "score term doubled")]
    public void SamplerMarginalChecksCatchSlips(string which, string slip)
    {
        foreach (int seed in Seeds)
        {
            var clean = Catalog.SamplerCheck(seed, which);
            var planted = Catalog.SamplerCheck(seed, which, MarginalEquality.SlipNamed(slip));
            output.WriteLine($"seed {seed}: clean {clean.Detail}; planted {planted.Detail}");
            Assert.True(clean.Passed, clean.Detail);
            Assert.False(planted.Passed, $"slip '{slip}' passed: {planted.Detail}");
        }
    }

    public static TheoryData<string> Registered => new(Sampling.SamplerRegistry.Names);

    [Theory, MemberData(nameof(Registered))]
    public void TheRegistryCheckCatchesEverySamplerWithAScaledScore(string name)
    {
        // Every registered sampler uses the score; with a factor of 2 dropped or added (score x 0.5, x 2) the data-end law is wrong and sampler.registry
        // must fail for that sampler alone, on an instance where the exact score passes.
        var clean = Catalog.RegistryCheck(1, name);
        output.WriteLine($"{name}: clean {clean.Detail}");
        Assert.True(clean.Passed, clean.Detail);
        foreach (double c in new[] { 0.5, 2.0 })
        {
            var planted = Catalog.RegistryCheck(1, name, new Catalog.Slip($"score x {c}", Score: f => (t, x, s) => { f(t, x, s); for (int i = 0; i < s.Length; i++) s[i] *= c; }));
            output.WriteLine($"{name}: score x {c}: {planted.Detail} against {planted.Tolerance:F5}");
            Assert.False(planted.Passed, planted.Detail);
        }
    }

    [Fact]
    public void MalaCatchesAWrongScoreAndAWrongTarget()
    {
        // A wrong score leaves MALA's target exact (Metropolis-Hastings corrects any proposal) but raises the rejection
        // rate's order from 3/2 to 1/2; a wrong log density (p^2) changes the target and fails the wrong-start part.
        var wrongScore = new Catalog.Slip("score x 1.3", Score: f => (t, x, s) => { f(t, x, s); s[0] *= 1.3; });
        var wrongTarget = new Catalog.Slip("log density x 2", LogDensity: f => x => 2 * f(x));
        foreach (int seed in Seeds)
        {
            var clean = Catalog.MalaCheck(seed);
            var score = Catalog.MalaCheck(seed, wrongScore);
            var target = Catalog.MalaCheck(seed, wrongTarget);
            output.WriteLine($"seed {seed}: clean {clean.Detail}; wrong score {score.Detail}; wrong target {target.Detail}");
            Assert.True(clean.Passed, clean.Detail);
            Assert.False(score.Passed, score.Detail);
            Assert.False(target.Passed, target.Detail);
        }
    }

    /// <summary>
    /// pf-ode.encode-decode fails when the ODE runs on a wrong model's exact score: every component's variance twice
    /// the data's, or every mean moved by 0.5 (the round trip still holds, the encoded law does not).
    /// </summary>
    [Fact]
    public void EncodeDecodeCatchesAWrongModel()
    {
        static GaussianMixture Changed(GaussianMixture d, double scale, double shift) =>
            new([.. d.Weights], d.Components.Select(c => Gaussian.Diagonal([c.Mean[0] + shift], [scale * c.Covariance[0][0]])).ToArray());
        foreach (int seed in Seeds)
        {
            var clean = Catalog.EncodeDecode(seed);
            Assert.True(clean.Passed, clean.Detail);
            foreach (var (name, model) in new (string, Func<GaussianMixture, GaussianMixture>)[] { ("variances x 2", d => Changed(d, 2, 0)), ("means + 0.5", d => Changed(d, 1, 0.5)) })
            {
                var planted = Catalog.EncodeDecode(seed, model);
                output.WriteLine($"seed {seed}, {name}: {planted.Residual:G3} against {planted.Tolerance:G3} ({planted.Detail})");
                Assert.False(planted.Passed, planted.Detail);
            }
        }
    }

    [Fact]
    public void HutchinsonCatchesMisScaledProbes()
    {
        // Probes scaled by sqrt(2) (variance 2) double the estimate; probes scaled by 0.9 shrink it by 19 %.
        foreach (int seed in Seeds)
        {
            var clean = Catalog.HutchinsonCheck(seed);
            Assert.True(clean.Passed, clean.Detail);
            foreach (double c in new[] { Math.Sqrt(2), 0.9 })
            {
                var planted = Catalog.HutchinsonCheck(seed, probes => probes.Select(u => u.Select(v => c * v).ToArray()).ToArray());
                output.WriteLine($"seed {seed}, probes x {c:G3}: {planted.Residual:G3} against {planted.Tolerance:G3} ({planted.Detail})");
                Assert.False(planted.Passed, planted.Detail);
            }
        }
    }

    [Fact]
    public void ClassifierFreeGuidanceCatchesSwappedWeights()
    {
        foreach (int seed in Seeds)
        {
            Assert.True(Catalog.ClassifierFreeGuidance(seed, Guidance.Guide.ClassifierFree).Passed);
            var swapped = Catalog.ClassifierFreeGuidance(seed, (u, c, w) => Guidance.Guide.ClassifierFree(c, u, w));
            var noWeight = Catalog.ClassifierFreeGuidance(seed, (u, c, w) => Guidance.Guide.ClassifierFree(u, c, w - 1));
            output.WriteLine($"seed {seed}: swapped {swapped.Residual:G3} / {swapped.Tolerance:G3}; w - 1 {noWeight.Residual:G3} / {noWeight.Tolerance:G3}");
            Assert.False(swapped.Passed);
            Assert.False(noWeight.Passed);
        }
    }

    [Fact]
    public void LangevinStationarityCatchesAWrongDrift()
    {
        // Drift g^2 score (the 1/2 dropped) has stationary law p^2 / Z; drift (g^2/2) score of a shifted target, another law.
        foreach (int seed in Seeds)
        {
            Assert.True(Catalog.LangevinStationary(seed, null).Passed);
            var doubled = Catalog.LangevinStationary(seed, (p, g2) => FokkerPlanck.FokkerPlanckOperator.LangevinDrift(p, 2 * g2));
            output.WriteLine($"seed {seed}: drift g^2 score: {doubled.Detail}");
            Assert.False(doubled.Passed);
        }
    }
}
