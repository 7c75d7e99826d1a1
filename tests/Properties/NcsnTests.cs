using ScoreSpec.Discrete;
using ScoreSpec.Properties.Precision;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>NCSN's noise levels: their values, the variance between close levels to full precision, and bad input.</summary>
public class NcsnTests
{
    [Fact]
    public void LevelsAreGeometricFromSigmaMaxToSigmaMin()
    {
        var ncsn = new NcsnSchedule(0.01, 1, 10); // NCSN's CIFAR-10 setting
        var levels = ncsn.Sigmas();
        Assert.Equal(10, levels.Length);
        Assert.Equal(1, levels[0]);
        Assert.Equal(0.01, levels[^1]);
        double q = Math.Pow(0.01, 1.0 / 9);
        for (int i = 1; i < 10; i++) Assert.Equal(q, levels[i] / levels[i - 1], 14);
        Assert.Equal(1.0, ncsn.TimeOf(1));
        Assert.Equal(0.0, ncsn.TimeOf(10));
        Assert.Equal(new Paths.VePath(0.01, 1), ncsn.Path());
    }

    [Fact]
    public void TheVarianceBetweenCloseLevelsKeepsItsDigits()
    {
        // With a million levels sigma_i^2 - sigma_{i+1}^2 is 1e-5 of sigma_i^2: the plain difference loses five digits,
        // the schedule's sigma_i^2 (1 - q^2) keeps them (96-digit reference).
        var ncsn = new NcsnSchedule(0.01, 50, 1_000_000);
        int i = 400_000;
        Hp logQ = Hp.Log((Hp)0.01 / 50) / (1_000_000 - 1);
        Hp sigma = (Hp)50 * Hp.Exp(logQ * (i - 1));
        Hp reference = sigma * sigma * (Hp.One - Hp.Exp(logQ * 2));
        Assert.True(Hp.RelativeError(ncsn.PerturbationVariance(i), reference) < 1e-13, $"{ncsn.PerturbationVariance(i):R}");
        double naive = ncsn.Sigma(i) * ncsn.Sigma(i) - ncsn.Sigma(i + 1) * ncsn.Sigma(i + 1);
        Assert.True(Hp.RelativeError(naive, reference) > 1e-13); // the negative control: the difference does lose digits
    }

    [Fact]
    public void BadInputNamesTheParameter()
    {
        Assert.Equal("SigmaMin", Assert.Throws<ArgumentException>(() => new NcsnSchedule(0, 1, 10)).ParamName);
        Assert.Equal("SigmaMax", Assert.Throws<ArgumentException>(() => new NcsnSchedule(0.1, 0.1, 10)).ParamName);
        Assert.Equal("Levels", Assert.Throws<ArgumentException>(() => new NcsnSchedule(0.1, 1, 1)).ParamName);
        var ncsn = new NcsnSchedule(0.1, 1, 10);
        Assert.Equal("i", Assert.Throws<ArgumentException>(() => ncsn.Sigma(0)).ParamName);
        Assert.Equal("i", Assert.Throws<ArgumentException>(() => ncsn.PerturbationVariance(10)).ParamName);
        Assert.Equal("SigmaMax", Assert.Throws<ArgumentException>(() => (ncsn with { SigmaMax = 0.05 }).Sigma(2)).ParamName);
        Assert.Equal("NcsnSchedule { SigmaMin = 0.1, SigmaMax = 1, Levels = 10 }", ncsn.ToString());
    }
}
