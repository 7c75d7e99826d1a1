using ScoreSpec.Densities;
using ScoreSpec.Paths;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties.Precision;

/// <summary>
/// The exact marginal of a 1D Gaussian mixture (log density, score, denoiser, noise prediction) against 96-digit
/// references built from the definitions: p_t = sum_k pi_k N(alpha mu_k, alpha^2 s_k^2 + sigma^2), the score as
/// sum_k r_k (alpha mu_k - x)/v_k, the denoiser as sum_k r_k (mu_k + alpha s_k^2 (x - alpha mu_k)/v_k), the noise as
/// sum_k r_k sigma (x - alpha mu_k)/v_k. A score or noise vanishes where the components balance, so relative error is not
/// the right measure there; errors are taken against the scale of the terms summed (sum_k r_k (|alpha mu_k| + |x|)/v_k
/// for the score, and likewise), which is what any evaluation from rounded inputs can achieve. The log density is
/// held to an absolute error of 1e-14 max(1, |log p|).
/// </summary>
public class MixturePrecision(ITestOutputHelper output)
{
    private const double Tolerance = 1e-14;

    [Theory]
    [InlineData("vp:0.1:20")]
    [InlineData("vp:0.1:50")]
    [InlineData("subvp:0.1:20")]
    [InlineData("ve:0.01:10000")]
    [InlineData("cosine:0.008")]
    [InlineData("condot")]
    public void MarginalQuantitiesAreWithin1e14OfTheReference(string spec)
    {
        var path = PathPrecision.Parse(spec);
        double[] w = [0.3, 0.7], mu = [-2.0, 1.5], sd = [0.5, 1.2];
        var data = GaussianMixture.Isotropic(w, [[mu[0]], [mu[1]]], sd);
        double worstLog = 0, worstScore = 0, worstDenoiser = 0, worstNoise = 0;
        foreach (double t in PathPrecision.Times)
        {
            var m = data.Along(path, t);
            var (alpha, sigma) = ReferencePaths.AlphaSigma(path, t);
            foreach (double xd in new[] { -3.7, -0.4, 0.0, 0.25, 1.9, 6.0 })
            {
                Hp x = xd;
                var logTerms = new Hp[2];
                var v = new Hp[2];
                for (int k = 0; k < 2; k++)
                {
                    v[k] = alpha * alpha * sd[k] * sd[k] + sigma * sigma;
                    var dev = x - alpha * mu[k];
                    logTerms[k] = Hp.Log(w[k]) - Hp.Log(Hp.Pi * v[k] * 2) / 2 - dev * dev / (v[k] * 2);
                }
                var top = logTerms[0] > logTerms[1] ? logTerms[0] : logTerms[1];
                var e0 = Hp.Exp(logTerms[0] - top);
                var e1 = Hp.Exp(logTerms[1] - top);
                var logP = top + Hp.Log(e0 + e1);
                Hp[] r = [e0 / (e0 + e1), e1 / (e0 + e1)];
                Hp score = Hp.Zero, denoiser = Hp.Zero, noise = Hp.Zero, scoreScale = Hp.Zero, denoiserScale = Hp.Zero, noiseScale = Hp.Zero;
                for (int k = 0; k < 2; k++)
                {
                    var dev = x - alpha * mu[k];
                    var scale = ((Hp)xd).Abs() + (alpha * mu[k]).Abs();
                    score += r[k] * -dev / v[k];
                    scoreScale += r[k] * scale / v[k];
                    denoiser += r[k] * ((Hp)mu[k] + alpha * sd[k] * sd[k] * dev / v[k]);
                    denoiserScale += r[k] * (((Hp)mu[k]).Abs() + alpha * sd[k] * sd[k] * scale / v[k]);
                    noise += r[k] * sigma * dev / v[k];
                    noiseScale += r[k] * sigma * scale / v[k];
                }
                double Err(double lib, Hp reference, Hp scale) => ((Hp)lib - reference).Abs().ToDouble() / scale.ToDouble();
                worstLog = Math.Max(worstLog, ((Hp)m.LogDensity([xd]) - logP).Abs().ToDouble() / Math.Max(1, Math.Abs(logP.ToDouble())));
                worstScore = Math.Max(worstScore, Err(m.Score([xd])[0], score, scoreScale));
                worstDenoiser = Math.Max(worstDenoiser, Err(m.Denoiser([xd])[0], denoiser, denoiserScale));
                worstNoise = Math.Max(worstNoise, Err(m.Evaluate(Quantity.Noise, [xd])[0], noise, noiseScale));
            }
        }
        output.WriteLine($"{path}: log density {worstLog:E2}, score {worstScore:E2}, denoiser {worstDenoiser:E2}, noise {worstNoise:E2}");
        Assert.True(worstLog <= Tolerance, $"log density {worstLog:E3}");
        Assert.True(worstScore <= Tolerance, $"score {worstScore:E3}");
        Assert.True(worstDenoiser <= Tolerance, $"denoiser {worstDenoiser:E3}");
        Assert.True(worstNoise <= Tolerance, $"noise {worstNoise:E3}");
    }
}
