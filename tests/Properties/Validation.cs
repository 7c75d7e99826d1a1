using ScoreSpec.Densities;
using ScoreSpec.Paths;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>Bad input throws an ArgumentException naming the parameter; nothing returns NaN silently.</summary>
public class Validation
{
    private static void Throws(string param, Action action)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(param, ex.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void TimeOutsideTheOpenUnitIntervalIsRejected(double t)
    {
        foreach (var path in GaussianPath.All)
        {
            Throws("t", () => path.Alpha(t));
            Throws("t", () => path.Sigma(t));
            Throws("t", () => path.A(t));
            Throws("t", () => path.ForwardSde.Diffusion(t));
            Throws("t", () => path.At(t));
            Throws("t", () => Gaussian.Standard(2).Along(path, t));
        }
    }

    [Fact]
    public void CovarianceMustBeSymmetricPositiveDefiniteAndMatchTheMean()
    {
        Throws("covariance", () => new Gaussian([0.0, 0.0], new double[,] { { 1, 2 }, { 2, 1 } }));
        Throws("covariance", () => new Gaussian([0.0, 0.0], new double[,] { { 1, 0.5 }, { 0.4, 1 } }));
        Throws("covariance", () => new Gaussian([0.0, 0.0], new double[,] { { 1 } }));
        Throws("covariance", () => new Gaussian([0.0], new double[,] { { double.NaN } }));
        Throws("covariance", () => new Gaussian([0.0], new double[,] { { 0.0 } }));
        Throws("mean", () => new Gaussian([double.NaN], new double[,] { { 1 } }));
        Throws("std", () => Gaussian.Isotropic([0.0], -1));
    }

    [Fact]
    public void WeightsMustBePositiveAndSumToOne()
    {
        var g = Gaussian.Standard(1);
        Throws("weights", () => new GaussianMixture([0.5, 0.4], [g, g]));
        Throws("weights", () => new GaussianMixture([1.2, -0.2], [g, g]));
        Throws("weights", () => new GaussianMixture([double.NaN, 0.5], [g, g]));
        Throws("components", () => new GaussianMixture([0.5, 0.5], [g]));
        Throws("components", () => new GaussianMixture([0.5, 0.5], [g, Gaussian.Standard(2)]));
        _ = new GaussianMixture([0.5, 0.5 + 5e-10], [g, g]); // within 1e-9: accepted, as the contract says
    }

    [Fact]
    public void PointsMustMatchTheDimensionAndBeFinite()
    {
        var m = GaussianMixture.Isotropic([1.0], [[0.0, 0.0]], [1.0]).Along(GaussianPath.Vp, 0.5);
        Throws("x", () => m.Score([1.0]));
        Throws("x", () => m.LogDensity([1.0, double.NaN]));
        Throws("x", () => m.Denoiser([1.0, double.PositiveInfinity]));
        Throws("x", () => m.Velocity([1.0, 2.0, 3.0]));
        Throws("value", () => m.Point.Convert(Quantity.Score, Quantity.Noise, [1.0, 2.0], [1.0]));
    }

    [Fact]
    public void PathParametersAreChecked()
    {
        Throws("betaMax", () => new VpPath(1.0, 0.5));
        Throws("betaMin", () => new VpPath(-0.1, 20));
        Throws("sigmaMax", () => new VePath(1.0, 0.5));
        Throws("sigmaMin", () => new VePath(0.0, 50));
        Throws("s", () => new CosinePath(double.NaN));
    }
}

public class MixtureCdfTests
{
    [Fact]
    public void TheCdfIsTheIntegralOfTheDensity()
    {
        // d/dx Cdf = p by five-point differences (error bound from the stencil), and the limits are 0 and 1.
        var m = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);
        foreach (double x in new[] { -2.0, -0.3, 0.0, 1.7 })
        {
            var d = ScoreSpec.Numerics.FiniteDifference.Derivative(m.Cdf, x, 1e-3);
            Assert.True(Math.Abs(d.Value - Math.Exp(m.LogDensity([x]))) <= 10 * d.ErrorBound + 1e-12);
        }
        Assert.Equal(0, m.Cdf(-40), 1e-15);
        Assert.Equal(1, m.Cdf(40), 1e-15);
        Assert.Throws<InvalidOperationException>(() => GaussianMixture.Isotropic([1.0], [[0.0, 0.0]], [1.0]).Cdf(0));
    }
}

public class FastFieldValidation
{
    [Fact]
    public void SpanEntryPointsRejectTimesOutsideTheOpenInterval()
    {
        var field = new MarginalField(GaussianMixture.Isotropic([1.0], [[0.0]], [1.0]), GaussianPath.Vp);
        var s = new double[1];
        var ex = Assert.Throws<ArgumentException>(() => field.Score(1.0, new double[] { 0.5 }.AsSpan(), s.AsSpan()));
        Assert.Equal("t", ex.ParamName);
    }
}
