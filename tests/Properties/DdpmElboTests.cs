using ScoreSpec.Densities;
using ScoreSpec.Discrete;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// DdpmElbo's terms against values worked by hand, its errors and its determinism. The terms against the bound's
/// definition, the weighting and the gap are catalog identities (ddpm.elbo, ddpm.elbo-weighting, ddpm.elbo-gap).
/// </summary>
public class DdpmElboTests
{
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.4, 0.6], [[-1.0], [1.0]], [0.5, 0.4]);

    [Fact]
    public void PriorTermMatchesAHandComputedKl()
    {
        // Two steps of beta = 1/2: abar_T = 1/4, so KL(N(x0/2, 3/4) || N(0, 1)) at x0 = 2 is (1/2)(3/4 + 1 - 1 - log(3/4)).
        var schedule = new DdpmSchedule([0.5, 0.5]);
        Assert.Equal(0.5 * (0.75 + 1 - 1 - Math.Log(0.75)), DdpmElbo.PriorTerm(schedule, [2.0]), 14);
        // At x0 = (1, -1) each coordinate gives (1/2)(1/4 + 3/4 - 1 - log(3/4)): the mean term cancels the variance term.
        Assert.Equal(-Math.Log(0.75), DdpmElbo.PriorTerm(schedule, [1.0, -1.0]), 14);
    }

    [Fact]
    public void DecoderTermIsTheGaussianNegativeLogLikelihood()
    {
        // beta_1 = 0.19, so sqrt(1 - beta_1) = 0.9; a model predicting no noise has mean x_1 / 0.9 = 1 at x_1 = 0.9, and
        // -log N(1.5; 1, 0.19) = (1/2)(0.25 / 0.19 + log(2 pi 0.19)).
        var model = new DdpmReverseModel(new DdpmSchedule([0.19, 0.5]), (_, x) => new double[x.Length], DdpmReverseVariance.Beta);
        Assert.Equal(0.5 * (0.25 / 0.19 + Math.Log(2 * Math.PI * 0.19)), DdpmElbo.DecoderTerm(model, [1.5], [0.9]), 13);
        // The clipped posterior variance at t = 1 is beta~_2 = beta_2 (1 - abar_1) / (1 - abar_2) = 0.5 x 0.19 / (1 - 0.81 x 0.5).
        var small = model with { Variance = DdpmReverseVariance.Posterior };
        double v = 0.5 * 0.19 / (1 - 0.81 * 0.5);
        Assert.Equal(v, small.VarianceAt(1), 15);
        Assert.Equal(0.5 * (0.25 / v + Math.Log(2 * Math.PI * v)), DdpmElbo.DecoderTerm(small, [1.5], [0.9]), 13);
    }

    [Fact]
    public void TransitionTermOfTheOracleIsTheVarianceMismatchAlone()
    {
        // The oracle predicts the noise that made x_t, so its mean is the posterior mean and only the variance term is left:
        // zero for the posterior variance, (1/2)(r - 1 - log r) with r = beta~_t / beta_t for beta_t.
        var schedule = DdpmSchedule.Linear(1e-3, 0.2, 8);
        double x0 = 0.7, e = -1.3;
        int t = 5;
        double xt = Math.Sqrt(schedule.AlphaBars[t - 1]) * x0 + Math.Sqrt(schedule.OneMinusAlphaBars[t - 1]) * e;
        var oracle = new DdpmReverseModel(schedule, (_, _) => [e], DdpmReverseVariance.Posterior);
        Assert.Equal(0, DdpmElbo.TransitionTerm(oracle, t, [x0], [xt]), 12);
        double r = schedule.PosteriorVariance(t - 1) / schedule.Betas[t - 1];
        Assert.Equal(0.5 * (r - 1 - Math.Log(r)), DdpmElbo.TransitionTerm(oracle with { Variance = DdpmReverseVariance.Beta }, t, [x0], [xt]), 12);
    }

    [Fact]
    public void EstimateIsDeterministicPerSeedAndAddsUp()
    {
        var model = DdpmReverseModel.Exact(Data, DdpmSchedule.Linear(1e-3, 0.3, 12), DdpmReverseVariance.Beta);
        var a = DdpmElbo.Estimate(Data, model, 200, 5);
        Assert.Equal(a, DdpmElbo.Estimate(Data, model, 200, 5));
        Assert.NotEqual(a.Total, DdpmElbo.Estimate(Data, model, 200, 6).Total);
        Assert.Equal(11, a.Transitions.Length);
        Assert.Equal(a.Total, a.Prior + a.Transitions.Sum() + a.Decoder, 10);
        Assert.True(a.StandardError > 0);
        Assert.Contains("Total = ", a.ToString());
        Assert.Equal("DdpmReverseModel { Steps = 12, Variance = Beta }", model.ToString());
    }

    [Fact]
    public void BadInputNamesTheParameter()
    {
        var schedule = DdpmSchedule.Linear(1e-3, 0.3, 12);
        var model = DdpmReverseModel.Exact(Data, schedule, DdpmReverseVariance.Beta);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => DdpmElbo.TransitionTerm(model, 1, [0.0], [0.0])).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => DdpmElbo.TransitionTerm(model, 13, [0.0], [0.0])).ParamName);
        Assert.Equal("xt", Assert.Throws<ArgumentException>(() => DdpmElbo.TransitionTerm(model, 2, [0.0], [0.0, 1.0])).ParamName);
        Assert.Equal("x0", Assert.Throws<ArgumentException>(() => DdpmElbo.PriorTerm(schedule, [double.NaN])).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => DdpmElbo.Estimate(Data, model, 1)).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => DdpmElbo.Marginal(Data, schedule, 0)).ParamName);
        Assert.Equal("NoisePrediction", Assert.Throws<ArgumentException>(() => new DdpmReverseModel(schedule, null!, DdpmReverseVariance.Beta)).ParamName);
        var wrongLength = model with { NoisePrediction = (_, _) => [0.0, 0.0] };
        Assert.Throws<InvalidOperationException>(() => wrongLength.Mean(3, [0.5]));
        var notFinite = model with { NoisePrediction = (_, _) => [double.NaN] };
        Assert.Throws<InvalidOperationException>(() => notFinite.Mean(3, [0.5]));
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => Data.Mixed(1, -1)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => Data.Mixed(0, 0)).ParamName);
    }

    [Fact]
    public void MixedIsTheLawOfTheScaledSum()
    {
        // alpha z + sigma e for z ~ N(m, s^2): N(alpha m, alpha^2 s^2 + sigma^2), one component at a time.
        var mixed = Data.Mixed(0.6, 0.8);
        Assert.Equal(0.6 * -1.0, mixed.Components[0].Mean[0], 15);
        Assert.Equal(0.36 * 0.25 + 0.64, mixed.Components[0].Covariance[0][0], 15);
        Assert.Equal(0.36 * 0.16 + 0.64, mixed.Components[1].Covariance[0][0], 15);
        Assert.Equal(Data.Weights.ToArray(), mixed.Weights.ToArray());
    }
}
