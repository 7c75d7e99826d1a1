using ScoreSpec.Examples;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>The slips in the sources' code listings, re-enacted: the listing's value is off, the corrected one is not.</summary>
public class ErrataTests(ITestOutputHelper output)
{
    [Fact]
    public void TheLikelihoodListingOf003IsWrongByItsTwoSlipsAndRightWithoutThem()
    {
        var e = CodeErrata.Likelihood003();
        output.WriteLine($"listing {e.ListingValue:F6}, corrected {e.CorrectValue:F6}, exact {e.ExactValue:F6}; " + string.Join("; ", e.Parts.Select(p => $"{p.Fix}: {p.Value:F6}")));
        // The corrected value differs from the exact one only by the prior's mismatch: the listing assumes N(0, 1) where the
        // exact p_1 of this VP path is N(alpha_1, alpha_1^2/4 + sigma_1^2) with alpha_1 = e^-5.025 = 0.0066, a difference of
        // order alpha_1 |x_T| below 0.01 (the ODE itself is solved to 1e-11).
        Assert.True(Math.Abs(e.CorrectValue - e.ExactValue) < 0.01, $"corrected {e.CorrectValue} vs exact {e.ExactValue}");
        // The missing normalisation alone costs (1/2) log(2 pi) = 0.919; the sign slip costs twice the divergence integral.
        Assert.True(Math.Abs(e.ListingValue - e.ExactValue) > 0.4, $"the listing's {e.ListingValue} should be far from {e.ExactValue}");
        Assert.Equal(-0.5 * Math.Log(2 * Math.PI), e.Parts[0].Value - e.ListingValue, 1e-12);
        foreach (var (fix, value) in e.Parts)
            Assert.True(Math.Abs(value - e.ExactValue) > 0.2, $"{fix} alone should not be enough: {value} vs {e.ExactValue}");
    }
}
