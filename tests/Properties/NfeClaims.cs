using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// shared/seeds/004 says ODE solvers need 20 to 50 score evaluations where the reverse SDE needs 500 to 1000. Measured
/// here without sampling error: on N(0.7, 0.3^2) data the end law of every sampler is Gaussian and known exactly
/// (<see cref="GaussianEndLaw"/>), so each sampler's error is the exact 2-Wasserstein distance between its end law and the
/// data's law at t_end, on the Karras grids of docs/samplers-measured.md. The claim holds in this form: Euler-Maruyama on
/// the reverse SDE needs more than 20 times the evaluations of a third-order ODE solver (DPM-Solver-3 at 48) to match it,
/// but fewer than 20 times those of a second-order one (DPM-Solver++(2M) at 50); on vp more than 4 times, on condot fewer.
/// On ve the comparison is not representative for Gaussian data: Euler-Maruyama's first-order error cancels there
/// (docs/samplers.md).
/// </summary>
public class NfeClaims(ITestOutputHelper output)
{
    private static double W2(GaussianPath path, string sampler, int evaluations)
    {
        const double mean = 0.7, variance = 0.09;
        var ends = Schedule.For(path, 1, 1e-3);
        var (m, v) = GaussianEndLaw.Marginal(mean, variance, path, ends.TEnd);
        var entry = SamplerRegistry.All.Single(e => e.Name == sampler);
        int steps = (int)(evaluations / entry.EvaluationsPerStep);
        var law = GaussianEndLaw.Of(mean, variance, path, entry.Default, new TimeGrid.Karras(ends.TStart, ends.TEnd, steps));
        return Math.Sqrt((law.Mean - m) * (law.Mean - m) + Math.Pow(Math.Sqrt(law.Variance) - Math.Sqrt(v), 2));
    }

    /// <remarks>
    /// Measured (exact W2): vp, DPM-Solver++(2M) at 50 evaluations 2.3e-3 and DPM-Solver-3 at 48 1.1e-4, against
    /// Euler-Maruyama 4.1e-3 at 200 and 8.1e-4 at 1000; condot 5.7e-3 and 5.0e-4 against 2.9e-3 and 5.5e-4. Euler-Maruyama's
    /// error falls like 1 / N, so it matches the second-order solver at about 350 (vp) and 95 (condot) evaluations, and the
    /// third-order one at about 7000 (vp) and 1100 (condot): the seed's 500 to 1000 against 20 to 50 is the third-order
    /// comparison on condot, and understates it on vp.
    /// </remarks>
    [Theory]
    [InlineData("vp", false)]
    [InlineData("condot", true)]
    public void TheReverseSdeNeedsTwentyfoldTheEvaluationsOfAThirdOrderOdeSolver(string kind, bool sdeAt200BeatsSecondOrder)
    {
        var path = PathRegistry.Get(kind).Default;
        double second = W2(path, "dpmpp_2m", 50), third = W2(path, "dpm_solver_3", 48);
        double em200 = W2(path, "euler_maruyama", 200), em1000 = W2(path, "euler_maruyama", 1000);
        output.WriteLine($"{kind}: W2 dpmpp_2m@50 {second:G3}, dpm_solver_3@48 {third:G3}; euler_maruyama@200 {em200:G3}, @1000 {em1000:G3}");
        Assert.True(em1000 > third, $"20 times the evaluations match the third-order ODE solver: {em1000:G3} <= {third:G3}");
        Assert.True(em1000 < second, $"20 times the evaluations do not match the second-order ODE solver: {em1000:G3} >= {second:G3}");
        Assert.Equal(sdeAt200BeatsSecondOrder, em200 < second);
    }
}
