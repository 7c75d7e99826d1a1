using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// Marginal equality in 2D (the contract's two-component mixture), by moments and energy distance. Each sampler run
/// makes 6 assertions (2 means, 3 covariance entries, 1 energy distance) with a joint false-failure probability of 1e-6
/// (Bonferroni, CLT): means within z sqrt(Sigma_jj / n) of the exact mean, covariance entries within z standard errors
/// (estimated from the sample's fourth moments), and the linear-time energy distance to an exact data sample within
/// z of its standard error. Discretisation bias is added explicitly: for the stochastic samplers, twice the exact
/// relative mean and variance errors of the discretised law for Gaussian data with each coordinate's variance
/// (DiscretisedGaussianLaw.Moments, a recursion written apart from the samplers), plus 1e-3 of the scale, capped at 2 %
/// of the scale (a slip in a sampler cannot widen its own tolerance past that); for RK4 1e-3 of the scale.
/// </summary>
public class MarginalEquality2D(ITestOutputHelper output)
{
    private const int N = 20000;
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in Identities.RandomInstances.Kinds)
            foreach (var sampler in new[] { "reverse", "pf-rk4", "extension" })
                data.Add(kind, sampler);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void MomentsAndEnergyDistanceMatchTheData(string kind, string which)
    {
        var path = GaussianPath.All.First(p => p.Kind == kind);
        Sampler sampler = which switch
        {
            "reverse" => new Sampler.ReverseSde(),
            "pf-rk4" => new Sampler.ProbabilityFlow(OdeMethod.Rk4),
            _ => new Sampler.Extension(t => 0.8 * Math.Sqrt(path.DiffusionSquared(t))),
        };
        var schedule = Schedule.For(path, which == "pf-rk4" ? 200 : 1000);
        var result = Samplers.RunFromExactMarginal(Data, path, sampler, schedule, N, 41).Final.Rows();

        // The exact law at the end of the schedule: p_t of the data at TEnd (near the data end).
        var target = Data.Along(path, schedule.TEnd).Density;
        double a = path.Alpha(schedule.TEnd), s2 = Math.Pow(path.Sigma(schedule.TEnd), 2);
        double[] exactMean = [0, 0];
        double[,] exactCov = { { a * a * (4 + 0.49) + s2, 0 }, { 0, a * a * 0.49 + s2 } };

        double z = Bounds.TwoSidedZ(1e-6, 6);
        var (mean, cov) = SampleTests.Moments(result);
        double relBias = 1e-3;
        if (sampler is not Sampler.ProbabilityFlow)
            foreach (double v in new[] { 4.49, 0.49 })
            {
                var m = DiscretisedGaussianLaw.Moments(path, sampler, schedule, 0, v);
                relBias = Math.Min(Math.Max(relBias, 2 * Math.Abs(m.Variance / m.TargetVariance - 1) + 1e-3), 0.02);
            }
        var failures = new List<string>();
        for (int j = 0; j < 2; j++)
        {
            double se = Math.Sqrt(exactCov[j, j] / N), tol = z * se + relBias * Math.Sqrt(exactCov[j, j]);
            if (Math.Abs(mean[j] - exactMean[j]) > tol) failures.Add($"mean[{j}] = {mean[j]:G5}, tolerance {tol:G3}");
        }
        for (int i = 0; i < 2; i++)
            for (int j = 0; j <= i; j++)
            {
                var prod = result.Select(r => (r[i] - mean[i]) * (r[j] - mean[j])).ToArray();
                double pm = prod.Average(), se = Math.Sqrt(prod.Select(v => (v - pm) * (v - pm)).Sum() / (N - 1) / N);
                double tol = z * se + relBias * Math.Sqrt(exactCov[i, i] * exactCov[j, j]);
                if (Math.Abs(cov[i, j] - exactCov[i, j]) > tol) failures.Add($"cov[{i},{j}] = {cov[i, j]:G5} vs {exactCov[i, j]:G5}, tolerance {tol:G3}");
            }
        var reference = Samplers.ExactMarginalSample(Data, path, schedule.TEnd, N, 977).Rows();
        var (energy, energySe) = SampleTests.EnergyDistanceLinear(result, reference);
        double energyTol = z * energySe + relBias * Math.Sqrt(exactCov[0, 0]);
        if (energy > energyTol) failures.Add($"energy distance {energy:G3} > {energyTol:G3}");
        output.WriteLine($"{kind} {which}: mean ({mean[0]:F4}, {mean[1]:F4}), cov ({cov[0, 0]:F4}, {cov[1, 0]:F4}, {cov[1, 1]:F4}) vs ({exactCov[0, 0]:F4}, 0, {exactCov[1, 1]:F4}), energy {energy:G3} +- {energySe:G3}, bias budget {relBias:G3}");
        Assert.True(failures.Count == 0, $"{kind} {which} (seed 41): " + string.Join("; ", failures));
    }

    [Fact]
    public void TheMomentCheckDetectsAWrongScore()
    {
        var path = GaussianPath.Vp;
        var schedule = Schedule.For(path, 1000);
        var field = new MarginalField(Data, path);
        var rows = Samplers.RunFromExactMarginal(Data, path, new Sampler.ReverseSde(), schedule, N, 43, score: (t, x, s) => { field.Score(t, x, s); s[1] *= 1.1; }).Final.Rows();
        var (_, cov) = SampleTests.Moments(rows);
        output.WriteLine($"score 10 % too large in x2: var[x2] = {cov[1, 1]:G4} against 0.49");
        Assert.True(Math.Abs(cov[1, 1] - 0.49) > Bounds.TwoSidedZ(1e-6, 6) * 0.49 * Math.Sqrt(2.0 / N) + 0.01 * 0.49);
    }
}
