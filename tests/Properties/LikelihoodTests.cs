using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Likelihood;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>The probability-flow likelihood against exact log densities; Hutchinson's estimator; the prior mismatch.</summary>
public class LikelihoodTests(ITestOutputHelper output)
{
    private static readonly GaussianMixture Data = GaussianMixture.Create([0.4, 0.6], [[-1.5, 0.5], [1.0, -0.5]],
        [new double[,] { { 0.5, 0.3 }, { 0.3, 0.6 } }, new double[,] { { 0.4, -0.2 }, { -0.2, 0.3 } }]);

    [Theory]
    [InlineData("vp")]
    [InlineData("subvp")]
    [InlineData("ve")]
    [InlineData("cosine")]
    [InlineData("condot")]
    public void ExactPriorAndDivergenceGiveTheExactLogDensity(string kind)
    {
        var path = GaussianPath.All.First(p => p.Kind == kind);
        foreach (var x in new[] { new[] { -1.0, 0.2 }, new[] { 0.5, -0.3 }, new[] { 3.0, 3.0 } })
        {
            var r = ProbabilityFlowLikelihood.LogLikelihood(Data, path, x, new LikelihoodOptions(Rtol: 1e-10, Atol: 1e-10));
            output.WriteLine($"{kind} x=({x[0]}, {x[1]}): {r.LogDensity:R} vs {r.ReferenceLogDensity:R}, diff {r.LogDensity - r.ReferenceLogDensity:E2}, nfe {r.Evaluations}");
            // Dormand-Prince at tolerance 1e-10 on a state of size O(1-10) over unit time: the accumulated error of the
            // integral and of the end point stays within 1e3 x tolerance.
            Assert.True(Math.Abs(r.LogDensity - r.ReferenceLogDensity) <= 1e-7, $"{kind}: {r.LogDensity} vs {r.ReferenceLogDensity}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HutchinsonIsUnbiased(bool gaussianProbes)
    {
        // At a fixed (t, x), the mean of u^T J u over 20000 independent probes estimates div v; it must lie within
        // z standard errors of the exact divergence d F - D g^2 tr(H)/2, z for false-failure probability 1e-6 (CLT).
        var path = GaussianPath.Vp;
        double t = 0.3;
        double[] x = [0.4, -0.7];
        var field = new MarginalField(Data, path);
        var drift = Samplers.ProbabilityFlowField(path, Samplers.ExactScore(field));
        double exact = 2 * path.LogAlphaDot(t) - path.DiffusionSquared(t) / 2 * ScoreSpec.FokkerPlanck.FokkerPlanckOperator.Trace(Data.Along(path, t).Hessian(x));
        var state = new ulong[4];
        Xoshiro.Seed(state, 5, 0);
        int n = 20000;
        double sum = 0, sq = 0;
        for (int k = 0; k < n; k++)
        {
            var u = new double[2];
            if (gaussianProbes) Xoshiro.Normals(state, u);
            else for (int i = 0; i < 2; i++) u[i] = (Xoshiro.Next(state) & 1) == 0 ? 1 : -1;
            double est = ProbabilityFlowLikelihood.Hutchinson(drift, t, x, [u]);
            sum += est; sq += est * est;
        }
        double mean = sum / n, se = Math.Sqrt((sq / n - mean * mean) / (n - 1));
        output.WriteLine($"{(gaussianProbes ? "Gaussian" : "Rademacher")} probes: mean {mean:G8} +- {se:G3}, exact {exact:G8}");
        Assert.True(Math.Abs(mean - exact) <= Bounds.TwoSidedZ(1e-6) * se + 1e-6 * Math.Abs(exact)); // 1e-6: the central-difference J u
        Assert.True(se > 0, "the probes should vary: J is not diagonal here");
    }

    [Fact]
    public void TheNoiseEndPointAndTheStandardPriorAreWhatTheyClaim()
    {
        // The end point is where the probability-flow ODE carries x, solved here separately (the samplers' field, not the
        // likelihood's augmented system), and the standard prior is N(0, sigma(t1)^2 I) at the noise end t1 = 1 - epsilon,
        // written out with MathNet's normal log density: a prior taken at the wrong time or with the wrong scale fails.
        foreach (var path in new GaussianPath[] { GaussianPath.Vp, GaussianPath.Ve })
        {
            double[] x = [0.5, 0.5];
            var options = new LikelihoodOptions(Epsilon: 1e-3, Rtol: 1e-10, Atol: 1e-10);
            var exact = ProbabilityFlowLikelihood.LogLikelihood(Data, path, x, options);
            var standard = ProbabilityFlowLikelihood.LogLikelihood(Data, path, x, options with { Prior = PriorKind.Standard });
            var field = Samplers.ProbabilityFlowField(path, Samplers.ExactScore(new MarginalField(Data, path)));
            var end = Solvers.Ode.Solve(new Solvers.OdeProblem(field, [.. x], 1e-3, 0.999), new Solvers.OdeAlgorithm.DormandPrince(1e-11, 1e-11)).Final;
            for (int i = 0; i < 2; i++)
                Assert.True(Math.Abs(end[i] - exact.NoiseEndPoint[i]) <= 1e-6 * (1 + Math.Abs(end[i])), $"{path.Kind}: end point {exact.NoiseEndPoint[i]} against {end[i]}");
            double sigma = path.Sigma(0.999);
            double prior = standard.NoiseEndPoint.Sum(y => MathNet.Numerics.Distributions.Normal.PDFLn(0, sigma, y));
            Assert.Equal(prior, standard.PriorLogDensity, 1e-12 * Math.Abs(prior));
            Assert.Equal(Data.Along(path, 0.999).LogDensity(exact.NoiseEndPoint.ToArray()), exact.PriorLogDensity, 1e-12 * Math.Abs(exact.PriorLogDensity));
            // The standard prior's error in the log-likelihood, measured against the exact log density at the start: for
            // vp the marginal at t = 0.999 is close to N(0, 1), for ve with sigma_max = 50 it is N(0, 2500) up to the data.
            double error = standard.LogDensity - standard.ReferenceLogDensity;
            output.WriteLine($"{path.Kind}: standard-prior error {error:G4}, end point ({end[0]:G6}, {end[1]:G6})");
            Assert.True(Math.Abs(error) < 0.05, $"{path.Kind}: the standard prior's error {error} is not small at the noise end");
        }
    }

    [Fact]
    public void LikelihoodCliAnswersTheContract()
    {
        string request = """{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "points": [[0.3], [2.0]], "divergence": "hutchinson", "probes": 2 }""";
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(["likelihood", "-"], new StringReader(request), stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        foreach (var f in new[] { "log_density", "reference_log_density", "nfe" })
            Assert.Equal(2, doc.RootElement.GetProperty(f).GetArrayLength());
        // In 1D Hutchinson with Rademacher probes is exact (u^2 = 1), so the estimate matches the reference closely.
        Assert.Equal(doc.RootElement.GetProperty("reference_log_density")[1].GetDouble(), doc.RootElement.GetProperty("log_density")[1].GetDouble(), 1e-5);
        var bad = new StringWriter();
        Assert.Equal(2, Cli.Cli.Run(["likelihood", "-"], new StringReader(request.Replace("\"hutchinson\"", "\"magic\"")), new StringWriter(), bad));
        Assert.StartsWith("scorespec: divergence: ", bad.ToString());
    }
}
