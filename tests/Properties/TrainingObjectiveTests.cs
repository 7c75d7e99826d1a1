using ScoreSpec.Densities;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>Min-SNR weighting against values worked by hand.</summary>
public class MinSnrWeightTests
{
    [Fact]
    public void WeightsAreMinSnrOverTheCleanErrorFactor()
    {
        var vp = Paths.GaussianPath.Vp;
        foreach (double t in new[] { 0.05, 0.2, 0.6 })
        {
            var p = vp.At(t);
            double snr = p.Alpha * p.Alpha / (p.Sigma * p.Sigma), m = Math.Min(snr, 5);
            Assert.Equal(m, Losses.TrainingLosses.MinSnrWeight(vp, 5, Paths.Quantity.Denoiser)(t), 12);
            Assert.Equal(m / snr, Losses.TrainingLosses.MinSnrWeight(vp, 5, Paths.Quantity.Noise)(t), 12);
            Assert.Equal(m / (snr + 1), Losses.TrainingLosses.MinSnrWeight(vp, 5, Paths.Quantity.VPrediction)(t), 12);
        }
        // condot at t = 0.5: alpha = sigma = 1/2, so the v-prediction factor (alpha^2 + sigma^2)^2 / sigma^2 is (1/4) / (1/4) = 1.
        Assert.Equal(1.0, Paths.GaussianPath.CondOt.At(0.5).CleanErrorFactor(Paths.Quantity.VPrediction), 14);
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => Losses.TrainingLosses.MinSnrWeight(vp, 0, Paths.Quantity.Noise)).ParamName);
    }
}

/// <summary>Implicit and sliced score matching on cases worked by hand.</summary>
public class ImplicitScoreMatchingTests
{
    private static readonly GaussianMixture StandardData = GaussianMixture.Isotropic([1.0], [[0.0]], [1.0]);

    [Fact]
    public void ImplicitObjectiveOfALinearModelIsItsClosedForm()
    {
        // Standard normal data on vp stays N(0, 1) at every t, so for s(x) = -2x the objective E[4 x^2 - 4] is 0, while
        // explicit score matching gives E|-2x + x|^2 = 1 and the Fisher information is 1: 1 - 1 = 0.
        var vp = Paths.GaussianPath.Vp;
        var ism = Losses.TrainingLosses.ImplicitScoreMatching(StandardData, vp, (t, x) => [-2 * x[0]], (t, x) => -2, samples: 20000, seed: 4);
        // False-failure probability 1e-7 (two-sided z = 5.33, CLT on 20000 draws).
        Assert.True(Math.Abs(ism.Mean) <= 5.33 * ism.StandardError, $"{ism.Mean} +- {ism.StandardError}");
        // With s(x) = -x/2 the objective is E[x^2 / 4 - 1] = -3/4.
        var half = Losses.TrainingLosses.ImplicitScoreMatching(StandardData, vp, (t, x) => [-x[0] / 2], (t, x) => -0.5, samples: 20000, seed: 4);
        Assert.True(Math.Abs(half.Mean + 0.75) <= 5.33 * half.StandardError, $"{half.Mean} +- {half.StandardError}");
    }

    [Fact]
    public void SlicedWithRademacherProbesIsImplicitDrawForDrawInOneDimension()
    {
        // In 1D a Rademacher probe is +-1, so (v s)^2 = s^2 and v J v = J: the two estimates agree to rounding.
        var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.0], [2.0]], [0.5, 0.8]);
        var path = Paths.GaussianPath.CondOt;
        var ism = Losses.TrainingLosses.ImplicitScoreMatching(data, path, (t, x) => [-1.3 * x[0] + 0.2], (t, x) => -1.3, samples: 500, seed: 9);
        var ssm = Losses.TrainingLosses.SlicedScoreMatching(data, path, (t, x) => [-1.3 * x[0] + 0.2], (t, x, v) => [-1.3 * v[0]], samples: 500, seed: 9);
        Assert.Equal(ism.Mean, ssm.Mean, 12);
        Assert.Equal("probes", Assert.Throws<ArgumentException>(() => Losses.TrainingLosses.SlicedScoreMatching(data, path, (t, x) => x, (t, x, v) => v, Likelihood.DivergenceMethod.Exact)).ParamName);
        Assert.Equal("divergence", Assert.Throws<ArgumentException>(() => Losses.TrainingLosses.ImplicitScoreMatching(data, path, (t, x) => x, null!)).ParamName);
    }
}
