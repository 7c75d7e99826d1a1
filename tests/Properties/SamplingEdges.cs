using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using Xunit;
using static ScoreSpec.Properties.EdgesFoundByMutation;

namespace ScoreSpec.Properties;

/// <summary>
/// Edges of Sampling and Processes that the Stryker run of 2026-11-25 found the fast tier not reaching: every guard of
/// the sampler entry points with its message, the escape bound computed by hand, a diverging run's report, the progress
/// report, the uniform schedule's ends, and the ensemble builders.
/// </summary>
public class SamplingEdges
{
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [2.0]], [0.5, 1.5]);
    private static readonly ScoreFunction Score = Samplers.ExactScore(new MarginalField(Data, GaussianPath.Vp));

    [Fact]
    public void EntryPointsRefuseBadArgumentsNamingThem()
    {
        var vp = GaussianPath.Vp;
        var start = Samplers.ExactMarginalSample(Data, vp, 0.9, 4, 1);
        var grid = new TimeGrid.Uniform(0.9, 0.1, 3);
        var schedule = new Schedule(0.9, 0.1, 3);
        var sampler = new Sampler.ReverseSde();
        Rejects("path", "must not be null", () => Samplers.Run(null!, Score, sampler, start, grid));
        Rejects("score", "must not be null", () => Samplers.Run(vp, null!, sampler, start, grid));
        Rejects("sampler", "must not be null", () => Samplers.Run(vp, Score, null!, start, grid));
        Rejects("initial", "must not be null", () => Samplers.Run(vp, Score, sampler, null!, grid));
        Rejects("grid", "must not be null", () => Samplers.Run(vp, Score, sampler, start, (TimeGrid)null!));
        Rejects("threads", "non-negative", () => Samplers.Run(vp, Score, sampler, start, grid, threads: -1));
        Rejects("recordEvery", "non-negative", () => Samplers.Run(vp, Score, sampler, start, grid, recordEvery: -2));
        Rejects("watch", "EscapeBound must be positive", () => Samplers.Run(vp, Score, sampler, start, grid, watch: new RunWatch(0)));
        Rejects("grid", "from the noise end towards the data end", () => Samplers.Run(vp, Score, sampler, start, new TimeGrid.Uniform(0.1, 0.9, 3)));
        Rejects("schedule", "from the noise end towards the data end", () => Samplers.Run(vp, Score, sampler, start, new Schedule(0.1, 0.9, 3)));
        Rejects("schedule.TStart", "strictly inside (0, 1)", () => Samplers.Run(vp, Score, sampler, start, new Schedule(1.0, 0.1, 3)));
        Rejects("schedule.TEnd", "strictly inside (0, 1)", () => Samplers.Run(vp, Score, sampler, start, new Schedule(0.9, 0.0, 3)));
        Rejects("schedule", "Steps must be at least 1", () => Samplers.Run(vp, Score, sampler, start, new Schedule(0.9, 0.1, 0)));
        Rejects("schedule", "must not be null", () => Samplers.Run(vp, Score, sampler, start, (Schedule)null!));
        Rejects("data", "must not be null", () => Samplers.RunFromExactMarginal(null!, vp, sampler, grid, 4));
        Rejects("grid", "must not be null", () => Samplers.RunFromExactMarginal(Data, vp, sampler, (TimeGrid)null!, 4));
        Rejects("data", "must not be null", () => Samplers.RunFromExactMarginal(null!, vp, sampler, schedule, 4));
        Rejects("schedule", "must not be null", () => Samplers.RunFromExactMarginal(Data, vp, sampler, (Schedule)null!, 4));
        Rejects("count", "at least 1", () => Samplers.RunFromExactMarginal(Data, vp, sampler, grid, 0));
        Rejects("data", "must not be null", () => Samplers.ExactMarginalSample(null!, vp, 0.5, 3, 1));
        Rejects("data", "must not be null", () => Samplers.ExactDataSample(null!, 3, 1));
        Rejects("field", "must not be null", () => Samplers.ExactScore(null!));
        Rejects("path", "must not be null", () => Samplers.ProbabilityFlowField(null!, Score));
        Rejects("score", "must not be null", () => Samplers.ProbabilityFlowField(vp, null!));
        var forward = new TimeGrid.Uniform(0.1, 0.9, 3);
        Rejects("path", "must not be null", () => Samplers.Forward(null!, start, forward));
        Rejects("initial", "must not be null", () => Samplers.Forward(vp, null!, forward));
        Rejects("grid", "must not be null", () => Samplers.Forward(vp, start, (TimeGrid)null!));
        Rejects("schedule", "must not be null", () => Samplers.Forward(vp, start, (Schedule)null!));
        Rejects("threads", "non-negative", () => Samplers.Forward(vp, start, forward, threads: -1));
        Rejects("schedule", "noising direction", () => Samplers.Forward(vp, start, grid));
        Rejects("score", "must not be null", () => Samplers.Langevin(null!, start, 0.1, 3));
        Rejects("initial", "must not be null", () => Samplers.Langevin(Score, null!, 0.1, 3));
        Rejects("stepSize", "positive", () => Samplers.Langevin(Score, start, 0, 3));
        Rejects("steps", "non-negative", () => Samplers.Langevin(Score, start, 0.1, -1));
        Rejects("threads", "non-negative", () => Samplers.Langevin(Score, start, 0.1, 3, threads: -1));
        Rejects("Snr", "positive", () => Samplers.Run(vp, Score, new Sampler.PredictorCorrector(Snr: 0), start, grid));
        Rejects("pc", "CorrectorSteps must be non-negative", () => Samplers.Run(vp, Score, new Sampler.PredictorCorrector(CorrectorSteps: -1), start, grid));
        Rejects("eta", "non-negative", () => Samplers.Run(vp, Score, new Sampler.Ddim(-1), start, grid));
        Rejects("sigma", "finite and non-negative", () => Samplers.Run(vp, Score, new Sampler.Extension(_ => double.NaN), start, grid));
        Rejects("name", "sampler must be one of", () => SamplerRegistry.Get("eulerr"));
        Rejects("name", "kind must be one of", () => PathRegistry.Get("linear"));
    }

    [Fact]
    public void TheEscapeBoundIsTheScaleOfTheProblemTimesTenThousand()
    {
        // Data scale max over components of |mu|_inf + 10 sqrt(max variance): max(1 + 5, 2 + 15) = 17. VP at t = 0.9 and
        // 0.1: sigma and alpha at both ends, computed here from the path's closed forms.
        var vp = GaussianPath.Vp;
        double noise = Math.Max(vp.Sigma(0.9), vp.Sigma(0.1)), alpha = Math.Max(vp.Alpha(0.9), vp.Alpha(0.1));
        double expected = 1e4 * (Math.Max(alpha, 1) * 17 + 10 * noise);
        Assert.Equal(expected, RunWatch.ScaleBound(Data, vp, new Schedule(0.9, 0.1, 5)), 9);
        Assert.Equal(expected, RunWatch.ScaleBound(Data, vp, new TimeGrid.Uniform(0.9, 0.1, 5)), 9);
        // VE's alpha = 1 and its sigma reaches sigma_max = 50 at t = 1.
        var ve = GaussianPath.Ve;
        Assert.Equal(1e4 * (17 + 10 * ve.Sigma(0.9)), RunWatch.ScaleBound(Data, ve, new TimeGrid.Uniform(0.9, 0.1, 5)), 6);
        Rejects("data", "must not be null", () => RunWatch.ScaleBound(null!, vp, new Schedule(0.9, 0.1, 5)));
        Rejects("path", "must not be null", () => RunWatch.ScaleBound(Data, null!, new Schedule(0.9, 0.1, 5)));
        Rejects("schedule", "must not be null", () => RunWatch.ScaleBound(Data, vp, (Schedule)null!));
        Rejects("grid", "must not be null", () => RunWatch.ScaleBound(Data, vp, (TimeGrid)null!));
    }

    [Fact]
    public void ADivergingRunStopsAtTheFirstEscapingStepWhateverTheThreads()
    {
        // VP with beta_max = 1e4 over 5 Euler-Maruyama steps: 1 + F h = 1 + 0.5 beta h ~ 1000 a step, so |x| passes 1e3 in
        // the second step at the latest; the report names the earliest step over all blocks, on 1 and 2 threads alike.
        var steep = new VpPath(0.1, 1e4);
        var start = Samplers.ExactMarginalSample(Data, steep, 0.9, 200, 3);
        var score = Samplers.ExactScore(new MarginalField(Data, steep));
        var schedule = new Schedule(0.9, 0.1, 5);
        var one = Assert.Throws<SamplerDivergedException>(() => Samplers.Run(steep, score, new Sampler.ReverseSde(), start, schedule, 1, threads: 1, watch: new RunWatch(1e3)));
        var two = Assert.Throws<SamplerDivergedException>(() => Samplers.Run(steep, score, new Sampler.ReverseSde(), start, schedule, 1, threads: 2, watch: new RunWatch(1e3)));
        Assert.Equal(one.Step, two.Step);
        Assert.Equal(one.Value, two.Value);
        Assert.InRange(one.Step, 0, 1);
        Assert.Equal(schedule.Time(one.Step + 1), one.Time);
        Assert.Equal(5, one.Steps);
        Assert.True(Math.Abs(one.Value) > 1e3);
        Assert.Contains($"step {one.Step + 1} of 5", one.Message);
        Assert.Contains("use more steps", one.Message);
    }

    private sealed class Counter : IProgress<double>
    {
        public readonly List<double> Reports = [];
        public void Report(double value) { lock (Reports) Reports.Add(value); }
    }

    public static TheoryData<string> SamplerNames => new(SamplerRegistry.Names);

    [Theory, MemberData(nameof(SamplerNames))]
    public void ProgressIsReportedUpToOne(string name)
    {
        var counter = new Counter();
        var entry = SamplerRegistry.Get(name);
        // flow_match_euler runs on condot only (noise end t = 0), annealed_langevin on ve only.
        var path = new GaussianPath[] { GaussianPath.Vp, GaussianPath.CondOt, GaussianPath.Ve }.First(p => entry.DefinedOn(p) is null);
        var schedule = path.NoisingDirection > 0 ? new Schedule(0.9, 0.1, 50) : new Schedule(0.1, 0.9, 50);
        var start = Samplers.ExactMarginalSample(Data, path, schedule.TStart, 300, 2);
        Samplers.Run(path, Samplers.ExactScore(new MarginalField(Data, path)), entry.Default, start, schedule, 1, watch: new RunWatch(Progress: counter));
        Assert.InRange(counter.Reports.Count, 50, 200); // about a hundred reports a run
        Assert.Equal(1.0, counter.Reports.Max());
        Assert.True(counter.Reports.All(r => r > 0 && r <= 1));
    }

    [Fact]
    public void TheUniformScheduleAndEnsembleBuilders()
    {
        Assert.Equal(new Schedule(0.999, 0.001, 10), Schedule.For(GaussianPath.Vp, 10));
        Assert.Equal(new Schedule(0.01, 0.99, 10), Schedule.For(GaussianPath.CondOt, 10, 0.01));
        Rejects("path", "must not be null", () => Schedule.For(null!, 10));
        Rejects("steps", "at least 1", () => Schedule.For(GaussianPath.Vp, 0));
        Rejects("epsilon", "(0, 0.5)", () => Schedule.For(GaussianPath.Vp, 10, 0.5));
        Rejects("epsilon", "(0, 0.5)", () => Schedule.For(GaussianPath.Vp, 10, 0));
        var s = new Schedule(0.9, 0.1, 4);
        Assert.Equal(-0.2, s.H, 15);
        Assert.Equal(0.1, s.Time(4));
        Assert.Equal(0.9 + 2 * s.H, s.Time(2));
        Rejects("rows", "must not be empty", () => Ensemble.FromRows([]));
        Rejects("rows", "must not be empty", () => Ensemble.FromRows(null!));
        Rejects("rows", "rows[1] has 1 entries, rows[0] has 2", () => Ensemble.FromRows([[1.0, 2.0], [3.0]]));
        Assert.Equal([[1.0, 2.0], [3.0, 4.0]], Ensemble.FromRows([[1.0, 2.0], [3.0, 4.0]]).Rows());
        Assert.Equal("Ensemble { Count = 1, Dimension = 9, First = [0, 0, 0, 0, 0, 0, 0, 0, ...] }", new Ensemble(1, 9, new double[9]).ToString());
    }
}
