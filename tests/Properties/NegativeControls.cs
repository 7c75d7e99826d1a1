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
}
