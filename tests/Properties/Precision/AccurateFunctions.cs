using ScoreSpec.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties.Precision;

/// <summary>expm1 and log1p against 96-digit references over the arguments the paths use (|x| from 1e-300 to 50).</summary>
public class AccurateFunctions(ITestOutputHelper output)
{
    private static IEnumerable<double> Arguments()
    {
        for (int k = -200; k <= 16; k++)
        {
            double m = Math.Pow(10, k / 8.0);
            if (m < 1e-24) continue; // below 1e-24 both return x itself, exactly right to 1e-48
            yield return m; yield return -m; yield return m * 1.2345; yield return -m * 0.987;
        }
    }

    [Fact]
    public void ExpM1IsWithinFourUlpsEverywhere()
    {
        double worst = 0, at = 0;
        foreach (double x in Arguments())
        {
            if (x > 40) continue;
            double err = Hp.RelativeError(Accurate.ExpM1(x), Hp.Exp(x) - Hp.One);
            if (err > worst) (worst, at) = (err, x);
        }
        output.WriteLine($"expm1: worst relative error {worst:E2} at x = {at:R}");
        Assert.True(worst <= 4 * Math.Pow(2, -53), $"expm1 {worst:E3} at {at}");
    }

    [Fact]
    public void Log1PIsWithinFourUlpsEverywhere()
    {
        double worst = 0, at = 0;
        foreach (double x in Arguments().Where(x => x > -1))
        {
            double err = Hp.RelativeError(Accurate.Log1P(x), Hp.Log(Hp.One + x));
            if (err > worst) (worst, at) = (err, x);
        }
        output.WriteLine($"log1p: worst relative error {worst:E2} at x = {at:R}");
        Assert.True(worst <= 4 * Math.Pow(2, -53), $"log1p {worst:E3} at {at}");
    }

    [Fact]
    public void PhiFunctionsAreAccurateOnBothSidesOfTheSeriesSwitch()
    {
        // phi_k(x) = (e^x - sum_{j<k} x^j / j!) / x^k in 96 digits, for k = 0..6 and |x| from 1e-10 to 40 (the series
        // below |x| = 2, the recursion above). The naive recursion loses k log10(1/|x|) digits; the negative control
        // shows it does at x = -1e-4, k = 3 (about 1e-8 relative).
        double worst = 0, at = 0; int worstK = 0;
        for (int k = 0; k <= 6; k++)
            foreach (double x in Arguments().Where(x => Math.Abs(x) >= 1e-10 && Math.Abs(x) <= 40))
            {
                Hp partial = Hp.Zero, power = Hp.One, factorial = Hp.One;
                for (int j = 0; j < k; j++)
                {
                    partial += power / factorial;
                    power *= x;
                    factorial *= j + 1;
                }
                Hp reference = (Hp.Exp(x) - partial) / power;
                double err = Hp.RelativeError(Accurate.Phi(k, x), reference);
                if (err > worst) (worst, at, worstK) = (err, x, k);
            }
        output.WriteLine($"phi_k, k = 0..6: worst relative error {worst:E2} at k = {worstK}, x = {at:R}");
        Assert.True(worst <= 8 * Math.Pow(2, -53), $"phi_{worstK}({at}) {worst:E3}");
        double naive = ((Accurate.ExpM1(-1e-4) / -1e-4 - 1) / -1e-4 - 0.5) / -1e-4;
        Assert.True(Hp.RelativeError(naive, Hp.Of(Accurate.Phi(3, -1e-4))) > 1e-9);
    }

    [Fact]
    public void TheRuntimeLibrariesAreNotAccurateWhichIsWhyAccurateExists()
    {
        // If a later .NET or MathNet fixes these, this fails and Numerics/Accurate.cs can defer to them.
        Assert.True(Hp.RelativeError(double.ExpM1(-1e-10), Hp.Exp(-(Hp)1e-10) - Hp.One) > 1e-8);
        Assert.True(Hp.RelativeError(MathNet.Numerics.SpecialFunctions.Expm1(-0.05), Hp.Exp(-(Hp)0.05) - Hp.One) > 1e-9);
    }
}
