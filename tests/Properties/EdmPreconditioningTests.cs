using ScoreSpec.Densities;
using ScoreSpec.Losses;
using ScoreSpec.Paths;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>EDM's preconditioned denoiser: a network that outputs the ideal F reproduces the exact denoiser; bad input is refused by name.</summary>
public class EdmPreconditioningTests
{
    [Fact]
    public void TheIdealNetworkGivesTheExactDenoiser()
    {
        // Data: a 2D two-component mixture, carried along VP; at time t the scaled state x / alpha has noise level
        // sigma = sigma_t / alpha_t, and the exact denoiser is E[z | x]. A network that returns
        // F* = (D* - c_skip x) / c_out from its preconditioned input must give D* back through Denoiser.
        var data = GaussianMixture.Isotropic([0.4, 0.6], [[-1.0, 0.5], [1.2, -0.3]], [0.5, 0.7]);
        var edm = new EdmPreconditioning(0.8);
        foreach (double t in new[] { 0.05, 0.4, 0.9 })
        {
            var p = GaussianPath.Vp.At(t);
            double sigma = p.Sigma / p.Alpha;
            double[] xh = [0.3, -1.1];
            var exact = data.Along(GaussianPath.Vp, t).Denoiser(xh.Select(v => p.Alpha * v).ToArray());
            double[] Network(double[] input, double cNoise)
            {
                Assert.Equal(Math.Log(sigma) / 4, cNoise, 15);
                var x = input.Select(v => v / edm.CIn(sigma)).ToArray();
                return x.Select((v, i) => (exact[i] - edm.CSkip(sigma) * v) / edm.COut(sigma)).ToArray();
            }
            var d = edm.Denoiser(Network, xh, sigma);
            for (int i = 0; i < 2; i++) Assert.Equal(exact[i], d[i], 1e-12 * (1 + Math.Abs(exact[i])));
            var zero = edm.Denoiser((input, _) => new double[input.Length], xh, sigma);
            for (int i = 0; i < 2; i++) Assert.Equal(edm.CSkip(sigma) * xh[i], zero[i], 1e-15);
            Assert.Equal(1 / (edm.COut(sigma) * edm.COut(sigma)), edm.LossWeight(sigma), 1e-12 * edm.LossWeight(sigma));
        }
    }

    [Fact]
    public void BadInputIsRefusedByName()
    {
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => new EdmPreconditioning().CSkip(0)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => new EdmPreconditioning().CNoise(-1)).ParamName);
        Assert.Equal("sigmaData", Assert.Throws<ArgumentException>(() => new EdmPreconditioning(0).CIn(1)).ParamName);
        Assert.Equal("network", Assert.Throws<ArgumentException>(() => new EdmPreconditioning().Denoiser((x, _) => [1.0], [1.0, 2.0], 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => new EdmPreconditioning().Target([1.0], [1.0, 2.0], 1)).ParamName);
    }
}
