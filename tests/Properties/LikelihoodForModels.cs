using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Likelihood;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The likelihood for any model: a score function on a path, or a velocity field with its prior. Checked against the
/// mixture likelihood (exact divergence from the field's Laplacian) and against a linear flow whose density is known in
/// closed form; and the field's Laplacian against the trace of the mixture's Hessian (MixtureMarginal, an independent
/// computation through the Cholesky factors).
/// </summary>
public class LikelihoodForModels
{
    [Theory]
    [InlineData("vp")]
    [InlineData("condot")]
    [InlineData("cosine")]
    public void AScoreModelWithTheExactScoreGivesTheMixturesLikelihood(string kind)
    {
        var rng = new Random(kind.Length);
        var data = RandomInstances.Mixture(rng, 2);
        var path = RandomInstances.Path(rng, kind);
        var field = new MarginalField(data, path);
        var x = data.Sample(rng);
        var options = new LikelihoodOptions(Rtol: 1e-10, Atol: 1e-10);
        var exact = ProbabilityFlowLikelihood.LogLikelihood(data, path, x, options);
        double t1 = path.DataEnd == DataEnd.Zero ? 1 - options.Epsilon : options.Epsilon;
        var model = ProbabilityFlowLikelihood.LogLikelihood(path, Samplers.ExactScore(field), x, end => field.LogDensity(t1, end), options);
        // Both integrate the same ODE to 1e-10; the model's divergence is a central-difference trace (error ~1e-10 relative).
        Assert.Equal(exact.LogDensity, model.LogDensity, 1e-6);
        Assert.Equal(exact.ReferenceLogDensity, exact.LogDensity, 1e-5);
        Assert.True(double.IsNaN(model.ReferenceLogDensity));
        // The standard prior differs from the exact one at the noise end by the data's remaining signal: a visible gap.
        var standard = ProbabilityFlowLikelihood.LogLikelihood(path, Samplers.ExactScore(field), x, null, options);
        Assert.Equal(Gaussian.Isotropic([0.0, 0.0], path.Sigma(t1)).LogDensity(standard.NoiseEndPoint.ToArray()), standard.PriorLogDensity, 12);
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(-1.3)]
    public void ALinearFlowHasItsClosedFormDensity(double b)
    {
        // dx/dt = b x from t = 0 to 1 carries N(0, e^(-2b) I) to N(0, I): log p_0(x) = log N(x; 0, e^(-2b) I).
        double[] x = [0.4, -1.1, 0.25];
        double expected = Gaussian.Isotropic([0.0, 0.0, 0.0], Math.Exp(-b)).LogDensity(x);
        Func<double[], double> prior = y => Gaussian.Isotropic([0.0, 0.0, 0.0], 1).LogDensity(y);
        Solvers.VectorField v = (t, y, dy) => { for (int i = 0; i < y.Length; i++) dy[i] = b * y[i]; };
        var options = new LikelihoodOptions(Rtol: 1e-11, Atol: 1e-11);
        Assert.Equal(expected, ProbabilityFlowLikelihood.LogLikelihood(v, x, 0, 1, prior, options).LogDensity, 1e-8);
        Assert.Equal(expected, ProbabilityFlowLikelihood.LogLikelihood(v, x, 0, 1, prior, options, (t, y) => 3 * b).LogDensity, 1e-9);
        var hutchinson = ProbabilityFlowLikelihood.LogLikelihood(v, x, 0, 1, prior, options with { Divergence = DivergenceMethod.HutchinsonRademacher });
        Assert.Equal(expected, hutchinson.LogDensity, 1e-8); // Rademacher probes are exact for a multiple of the identity
        Assert.Equal("velocity", Assert.Throws<ArgumentException>(() => ProbabilityFlowLikelihood.LogLikelihood(null!, x, 0, 1, prior)).ParamName);
        Assert.Equal("prior", Assert.Throws<ArgumentException>(() => ProbabilityFlowLikelihood.LogLikelihood(v, x, 0, 1, null!)).ParamName);
        Assert.Equal("t1", Assert.Throws<ArgumentException>(() => ProbabilityFlowLikelihood.LogLikelihood(v, x, 0, double.NaN, prior)).ParamName);
        Assert.Equal("score", Assert.Throws<ArgumentException>(() => ProbabilityFlowLikelihood.LogLikelihood(GaussianPath.Vp, null!, x)).ParamName);
    }

    [Fact]
    public void TheFieldsLaplacianIsTheTraceOfTheHessian()
    {
        var rng = new Random(17);
        foreach (int d in new[] { 1, 2, 4 })
            foreach (var kind in RandomInstances.Kinds)
            {
                var data = RandomInstances.Mixture(rng, d);
                var path = RandomInstances.Path(rng, kind);
                var field = new MarginalField(data, path);
                foreach (double t in new[] { 0.1, 0.5, 0.9 })
                {
                    var mt = data.Along(path, t);
                    var x = mt.Sample(rng);
                    var h = mt.Hessian(x);
                    double trace = Enumerable.Range(0, d).Sum(i => h[i, i]);
                    double scale = Enumerable.Range(0, d).Sum(i => Math.Abs(h[i, i])) + 1;
                    Assert.True(Math.Abs(field.LaplacianLogDensity(t, x) - trace) <= 1e-11 * scale, $"d={d} {path} t={t}: field {field.LaplacianLogDensity(t, x):R}, Hessian trace {trace:R}");
                }
            }
    }
}
