using System.Collections.Immutable;
using System.Diagnostics;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

/// <summary>
/// Running samplers: a <see cref="Sampler"/> carries an ensemble along a path over a <see cref="TimeGrid"/> with a score,
/// on the shared runner (N paths on contiguous memory in <see cref="Blocks"/> parallel blocks, every path with its own
/// xoshiro256** stream keyed by (seed, path index), no buffer allocated per step, the same bits on any thread count).
/// Also the forward simulation of a path, Langevin dynamics and exact draws to start from.
/// </summary>
public static partial class Samplers
{
    internal const int Blocks = 64;

    /// <summary>The exact score of Gaussian-mixture data along a path, as a <see cref="ScoreFunction"/>.</summary>
    public static ScoreFunction ExactScore(MarginalField field)
    {
        if (field is null) throw new ArgumentException("field must not be null.", nameof(field));
        ScoreFunction score = (t, x, s) => field.Score(t, x, s);
        ExactFields.AddOrUpdate(score, field);
        return score;
    }

    /// <summary>The field behind each exact score handed out, so that the runner can evaluate it a block at a time.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ScoreFunction, MarginalField> ExactFields = new();

    /// <summary><paramref name="count"/> exact draws of x_t = alpha_t z + sigma_t e with z from the data, stream (seed ^ 0xA5A5A5A5, i) for point i.</summary>
    public static Ensemble ExactMarginalSample(GaussianMixture data, GaussianPath path, double t, int count, ulong seed)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        return data.Along(path, t).Density.Draw(count, seed ^ 0xA5A5A5A5UL);
    }

    /// <summary><paramref name="count"/> exact draws from the data distribution itself, stream (seed ^ 0x5A5A5A5A5A5A, i) for point i.</summary>
    public static Ensemble ExactDataSample(GaussianMixture data, int count, ulong seed)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        return data.Draw(count, seed ^ 0x5A5A5A5A5A5AUL);
    }

    /// <summary>
    /// Runs <paramref name="sampler"/> with <paramref name="score"/> along <paramref name="path"/> over the uniform grid
    /// <paramref name="schedule"/>; see the <see cref="TimeGrid"/> overload.
    /// </summary>
    /// <param name="path">The path whose reverse-time processes the sampler discretises.</param>
    /// <param name="score">The score function s(t, x).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="initial">The ensemble at schedule.TStart.</param>
    /// <param name="schedule">The uniform time grid, from the noise end towards the data end.</param>
    /// <param name="seed">The seed of the per-path noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core. The result does not depend on it.</param>
    /// <param name="watch">The escape bound and progress report (<see cref="RunWatch.None"/> when null).</param>
    public static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, Schedule schedule, ulong seed = 0, int threads = 0, RunWatch? watch = null)
        => Run(path, score, sampler, initial, schedule, seed, threads, plant: null, watch: watch);

    /// <summary>
    /// Runs <paramref name="sampler"/> with <paramref name="score"/> along <paramref name="path"/> over
    /// <paramref name="grid"/>, starting from <paramref name="initial"/> (placed at grid.Start), and returns the final
    /// ensemble with the recorded trajectory.
    /// </summary>
    /// <param name="path">The path whose reverse-time processes the sampler discretises.</param>
    /// <param name="score">The score function s(t, x).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="initial">The ensemble at grid.Start.</param>
    /// <param name="grid">The time grid, from the noise end towards the data end.</param>
    /// <param name="seed">The seed of the per-path noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core. The result does not depend on it.</param>
    /// <param name="watch">The escape bound and progress report (<see cref="RunWatch.None"/> when null): a path that leaves the
    /// bound or becomes non-finite stops the run with a <see cref="SamplerDivergedException"/>.</param>
    /// <param name="recordEvery">0 records nothing; k &gt; 0 records the ensemble at grid points 0, k, 2k, ... and the last,
    /// from the run itself (the same noise).</param>
    public static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, TimeGrid grid, ulong seed = 0, int threads = 0, RunWatch? watch = null, int recordEvery = 0)
        => Run(path, score, sampler, initial, grid, seed, threads, watch, recordEvery, plant: null, correctorNoise: null);

    /// <summary>
    /// The uniform-schedule run with a deliberate slip: the per-step Euler-Maruyama table (cx, cs, cn per step, see
    /// <see cref="StepCoefficients"/>) passes through <paramref name="plant"/> before use. The negative controls of the
    /// sampler checks use it to show that each check fails for a sampler with a plausible bug.
    /// </summary>
    internal static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, Schedule schedule, ulong seed, int threads, Func<double[], double[]>? plant, Func<double, double>? correctorNoise = null, RunWatch? watch = null)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        Guard.OpenUnit(schedule.TStart, "schedule.TStart");
        Guard.OpenUnit(schedule.TEnd, "schedule.TEnd");
        if (schedule.Steps < 1) throw new ArgumentException($"schedule.Steps must be at least 1, got {schedule.Steps}.", nameof(schedule));
        if (Math.Sign(schedule.TEnd - schedule.TStart) != -path.NoisingDirection)
            throw new ArgumentException("schedule must run from the noise end towards the data end of the path.", nameof(schedule));
        return Run(path, score, sampler, initial, schedule.Grid, seed, threads, watch, 0, plant, correctorNoise);
    }

    private static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, TimeGrid grid, ulong seed, int threads, RunWatch? watch, int recordEvery, Func<double[], double[]>? plant, Func<double, double>? correctorNoise)
    {
        watch ??= RunWatch.None;
        if (!(watch.EscapeBound > 0)) throw new ArgumentException($"watch.EscapeBound must be positive, got {watch.EscapeBound}.", nameof(watch));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        if (sampler is null) throw new ArgumentException("sampler must not be null.", nameof(sampler));
        if (initial is null) throw new ArgumentException("initial must not be null.", nameof(initial));
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        if (threads < 0) throw new ArgumentException($"threads must be non-negative, got {threads}.", nameof(threads));
        if (recordEvery < 0) throw new ArgumentException($"recordEvery must be non-negative, got {recordEvery}.", nameof(recordEvery));
        var times = grid.TimesArray(path);
        if (Math.Sign(grid.End - grid.Start) != -path.NoisingDirection)
            throw new ArgumentException("grid must run from the noise end towards the data end of the path.", nameof(grid));
        var retimed = sampler.Retime(times, path);
        var stepSizes = ReferenceEquals(retimed, times) ? grid.StepSizes(times) : TimeGrid.Differences(retimed);
        var clock = Stopwatch.StartNew();
        var run = new SamplerRun(path, score, initial.ToArray(), initial.Count, initial.Dimension, retimed, stepSizes, seed, threads, watch, Recorded(times.Length - 1, recordEvery))
        {
            Field = ExactFields.TryGetValue(score, out var field) ? field : null,
            Plant = plant,
            CorrectorNoise = correctorNoise,
        };
        long evaluations = sampler.Run(run);
        run.ThrowIfEscaped();
        return new SampleResult(Ensemble.Wrap(run.N, run.D, run.X), evaluations, clock.Elapsed.TotalSeconds) { Trajectory = TrajectoryOf(run) };
    }

    /// <summary>Which of the grid points 0 .. steps to record: every k-th and the last, or none.</summary>
    private static bool[] Recorded(int steps, int every)
    {
        var record = new bool[steps + 1];
        if (every > 0)
            for (int k = 0; k <= steps; k++) record[k] = k % every == 0 || k == steps;
        return record;
    }

    private static Trajectory TrajectoryOf(SamplerRun run)
    {
        if (run.States.Length == 0) return Trajectory.None;
        var times = Enumerable.Range(0, run.Record.Length).Where(k => run.Record[k]).Select(k => run.Times[k]);
        return new Trajectory(times.ToImmutableArray(), run.States.Select(s => Ensemble.Wrap(run.N, run.D, s)).ToImmutableArray());
    }

    /// <summary>
    /// The common case in one call: <paramref name="count"/> exact draws of p at schedule.TStart (seed
    /// <paramref name="seed"/>), carried by <paramref name="sampler"/> with the data's exact score, or with
    /// <paramref name="score"/> when given (to test a model, or a deliberately wrong score).
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="schedule">The uniform time grid, from the noise end towards the data end.</param>
    /// <param name="count">The number of paths.</param>
    /// <param name="seed">The seed of the start draws and of the noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core.</param>
    /// <param name="score">A score to use instead of the exact one; null for the exact score.</param>
    /// <param name="watch">The escape bound and progress report; null for none beyond finiteness.</param>
    public static SampleResult RunFromExactMarginal(GaussianMixture data, GaussianPath path, Sampler sampler, Schedule schedule, int count, ulong seed = 0, int threads = 0, ScoreFunction? score = null, RunWatch? watch = null)
        => RunFromExactMarginal(data, path, sampler, schedule, count, seed, threads, score, plant: null, watch: watch);

    /// <summary>The same over any <paramref name="grid"/>, with a trajectory recorded every <paramref name="recordEvery"/> grid points (0: none).</summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="grid">The time grid, from the noise end towards the data end.</param>
    /// <param name="count">The number of paths.</param>
    /// <param name="seed">The seed of the start draws and of the noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core.</param>
    /// <param name="score">A score to use instead of the exact one; null for the exact score.</param>
    /// <param name="watch">The escape bound and progress report; null for none beyond finiteness.</param>
    /// <param name="recordEvery">0 records nothing; k &gt; 0 every k-th grid point and the last.</param>
    public static SampleResult RunFromExactMarginal(GaussianMixture data, GaussianPath path, Sampler sampler, TimeGrid grid, int count, ulong seed = 0, int threads = 0, ScoreFunction? score = null, RunWatch? watch = null, int recordEvery = 0)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        var initial = ExactMarginalSample(data, path, grid.Start, count, seed);
        return Run(path, score ?? ExactScore(new MarginalField(data, path)), sampler, initial, grid, seed, threads, watch, recordEvery);
    }

    /// <summary>The same with a planted slip in the step table (for negative controls; see the internal Run).</summary>
    internal static SampleResult RunFromExactMarginal(GaussianMixture data, GaussianPath path, Sampler sampler, Schedule schedule, int count, ulong seed, int threads, ScoreFunction? score, Func<double[], double[]>? plant, Func<double, double>? correctorNoise = null, RunWatch? watch = null)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        var initial = ExactMarginalSample(data, path, schedule.TStart, count, seed);
        return Run(path, score ?? ExactScore(new MarginalField(data, path)), sampler, initial, schedule, seed, threads, plant, correctorNoise, watch);
    }

    /// <summary>
    /// The per-step table (cx, cs, cn) of the affine update x_new = cx x + cs s(t, x) + cn xi of the samplers built on
    /// one (the reverse SDE, the extension trick and ancestral sampling; the forward SDE when <paramref name="forward"/>),
    /// three per step; used by the tests that compute the exact law of the discretisation for Gaussian data.
    /// </summary>
    internal static double[] StepCoefficients(GaussianPath path, Sampler sampler, Schedule schedule, bool forward = false)
    {
        var grid = schedule.Grid;
        var times = grid.TimesArray(path);
        var steps = grid.StepSizes(times);
        var unused = (ScoreFunction)((t, x, s) => s.Clear());
        return sampler switch
        {
            Sampler.ReverseSde when forward => Sde.Forward(path).EulerMaruyamaTable(times, steps),
            Sampler.ReverseSde => Sde.Forward(path).Reverse(unused).EulerMaruyamaTable(times, steps),
            Sampler.Extension e => Sde.Forward(path).Extension(unused, e.Sigma).EulerMaruyamaTable(times, steps),
            Sampler.Ancestral a => Sampler.Ancestral.Table(path, times, a.Variance),
            _ => throw new ArgumentException($"sampler {sampler} has no affine step table.", nameof(sampler)),
        };
    }

    /// <summary>
    /// Euler-Maruyama on the path's forward (noising) SDE, x += F x h + g sqrt(|h|) xi, over <paramref name="schedule"/>,
    /// which must run in the noising direction. Started from data it reproduces the path's marginals p_t.
    /// </summary>
    public static SampleResult Forward(GaussianPath path, Ensemble initial, Schedule schedule, ulong seed = 0, int threads = 0)
    {
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        return Forward(path, initial, schedule.Grid, seed, threads);
    }

    /// <summary>
    /// Euler-Maruyama on the <see cref="Sde.Forward"/> SDE of <paramref name="path"/> over <paramref name="grid"/>, which
    /// must run in the noising direction; a trajectory is recorded every <paramref name="recordEvery"/> grid points (0: none).
    /// </summary>
    /// <param name="path">The path.</param>
    /// <param name="initial">The ensemble at grid.Start (data, for the path's marginals).</param>
    /// <param name="grid">The time grid, in the noising direction.</param>
    /// <param name="seed">The seed of the per-path noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core.</param>
    /// <param name="recordEvery">0 records nothing; k &gt; 0 every k-th grid point and the last.</param>
    public static SampleResult Forward(GaussianPath path, Ensemble initial, TimeGrid grid, ulong seed = 0, int threads = 0, int recordEvery = 0)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (initial is null) throw new ArgumentException("initial must not be null.", nameof(initial));
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        if (threads < 0) throw new ArgumentException($"threads must be non-negative, got {threads}.", nameof(threads));
        if (recordEvery < 0) throw new ArgumentException($"recordEvery must be non-negative, got {recordEvery}.", nameof(recordEvery));
        if (Math.Sign(grid.End - grid.Start) != path.NoisingDirection)
            throw new ArgumentException("schedule must run in the noising direction of the path.", "schedule");
        var clock = Stopwatch.StartNew();
        var times = grid.TimesArray(path);
        var run = new SamplerRun(path, (t, y, s) => s.Clear(), initial.ToArray(), initial.Count, initial.Dimension, times, grid.StepSizes(times), seed, threads, RunWatch.None, Recorded(times.Length - 1, recordEvery));
        run.Affine(Sde.Forward(path).EulerMaruyamaTable(times, run.StepSizes));
        run.ThrowIfEscaped();
        return new SampleResult(Ensemble.Wrap(run.N, run.D, run.X), 0, clock.Elapsed.TotalSeconds) { Trajectory = TrajectoryOf(run) };
    }

    /// <summary>The probability-flow vector field F x - D g^2 s / 2 of a path and score: the drift of <see cref="Sde.ProbabilityFlow"/>.</summary>
    public static VectorField ProbabilityFlowField(GaussianPath path, ScoreFunction score)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        return Sde.Forward(path).ProbabilityFlow(score).DriftField;
    }

    /// <summary>
    /// The exact flow map of the data's probability-flow ODE (shared/seeds/003 'Probability Flow ODE'): each start at
    /// <paramref name="tStart"/> carried to <paramref name="tEnd"/> with the exact score by Dormand-Prince at
    /// rtol = atol = <paramref name="tolerance"/>, the points in parallel. The reference a deterministic sampler converges to.
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="starts">The starting points, each of the data's dimension.</param>
    /// <param name="tStart">The start time, inside (0, 1).</param>
    /// <param name="tEnd">The end time, inside (0, 1).</param>
    /// <param name="tolerance">The solver's relative and absolute tolerance, in [1e-13, 1e-3].</param>
    public static double[][] ExactFlowMap(GaussianMixture data, GaussianPath path, double[][] starts, double tStart, double tEnd, double tolerance = 1e-10)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        Guard.NotNull(starts, nameof(starts));
        if (!(tolerance >= 1e-13 && tolerance <= 1e-3)) throw new ArgumentException($"tolerance must lie in [1e-13, 1e-3], got {tolerance}.", nameof(tolerance));
        for (int i = 0; i < starts.Length; i++)
            if (starts[i] is null || starts[i].Length != data.Dimension) throw new ArgumentException($"starts[{i}] must have {data.Dimension} coordinates.", nameof(starts));
        var field = ProbabilityFlowField(path, ExactScore(new MarginalField(data, path)));
        var exact = new double[starts.Length][];
        Parallel.For(0, starts.Length, i =>
            exact[i] = [.. Solvers.Ode.Solve(new Solvers.OdeProblem(field, [.. starts[i]], tStart, tEnd), new Solvers.OdeAlgorithm.DormandPrince(tolerance, tolerance)).Final]);
        return exact;
    }

    /// <summary>
    /// The consistency function of the probability-flow ODE (Song, Dhariwal, Chen and Sutskever 2023; named in
    /// shared/seeds/002's tables): f(x, t) is the point at the data end <paramref name="tData"/> of the ODE trajectory through
    /// x at time t, here by solving the ODE with the exact score (<see cref="ExactFlowMap"/>). It is self-consistent,
    /// f(x_t, t) = f(x_s, s) for any two points of one trajectory, and f(x, tData) = x; a consistency model is a network
    /// trained to have these two properties.
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="points">Points at time <paramref name="t"/>, each of the data's dimension.</param>
    /// <param name="t">Their time, inside (0, 1).</param>
    /// <param name="tData">The time of the data end the function maps to, inside (0, 1).</param>
    /// <param name="tolerance">The ODE solver's tolerance, in [1e-13, 1e-3].</param>
    public static double[][] ConsistencyFunction(GaussianMixture data, GaussianPath path, double[][] points, double t, double tData, double tolerance = 1e-10)
        => t == tData ? [.. (points ?? throw new ArgumentException("points must not be null.", nameof(points))).Select(p => p.ToArray())]
                      : ExactFlowMap(data, path, points, t, tData, tolerance);

    /// <summary>
    /// Multistep consistency sampling (Song et al. 2023, Algorithm 1) with the exact consistency function: draw x from p at
    /// <paramref name="times"/>[0], map it to the data end with f, then for each further time tau re-noise it to tau and map
    /// it back. The re-noising is the path's exact transition from tData to tau,
    /// x_tau = (alpha_tau / alpha_tData) x + sqrt(sigma_tau^2 - (alpha_tau sigma_tData / alpha_tData)^2) z, so each round
    /// keeps the law p at tData exactly (Algorithm 1 adds sigma_tau z, the same when the data end is at sigma = 0).
    /// One time is one-step generation.
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="times">The noise times, the first the start, all noisier than tData, each inside (0, 1).</param>
    /// <param name="tData">The data end.</param>
    /// <param name="count">The number of samples.</param>
    /// <param name="seed">The random stream.</param>
    public static Ensemble ConsistencySample(GaussianMixture data, GaussianPath path, double[] times, double tData, int count, ulong seed = 0)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        Guard.NotNull(times, nameof(times));
        if (times.Length == 0) throw new ArgumentException("times must not be empty.", nameof(times));
        var end = path.At(Guard.OpenUnit(tData, nameof(tData)));
        foreach (double t in times)
            if (!(path.At(Guard.OpenUnit(t, nameof(times))).Sigma / path.At(t).Alpha > end.Sigma / end.Alpha))
                throw new ArgumentException($"times must be noisier than tData = {tData}, got {t}.", nameof(times));
        var x = ConsistencyFunction(data, path, ExactMarginalSample(data, path, times[0], count, seed).Rows(), times[0], tData);
        var state = new ulong[4];
        var z = new double[data.Dimension];
        for (int k = 1; k < times.Length; k++)
        {
            var tau = path.At(times[k]);
            double scale = tau.Alpha / end.Alpha, noise = Math.Sqrt(Math.Max(0, tau.Sigma * tau.Sigma - Math.Pow(scale * end.Sigma, 2)));
            var noised = new double[count][];
            for (int i = 0; i < count; i++)
            {
                Xoshiro.Seed(state, SplitMix64.Hash(seed, (ulong)k), (ulong)i);
                Xoshiro.Normals(state, z);
                noised[i] = x[i].Select((v, j) => scale * v + noise * z[j]).ToArray();
            }
            x = ConsistencyFunction(data, path, noised, times[k], tData);
        }
        return Ensemble.FromRows(x);
    }

    /// <summary>The per-path streams of a run with <paramref name="seed"/>.</summary>
    private static ulong[] Streams(int n, ulong seed)
    {
        var state = new ulong[4 * n];
        for (int i = 0; i < n; i++) Xoshiro.Seed(state.AsSpan(4 * i, 4), seed, (ulong)i);
        return state;
    }

    internal static (int Lo, int Hi) Range(int n, int block) => SamplerRun.Range(n, block);

    /// <summary>
    /// One unadjusted Langevin step with given noise, x + (h/2) score + sqrt(h) xi (shared/seeds/002, Chapter 6): the
    /// update the ensemble sampler applies, exposed for worked examples and hand checks.
    /// </summary>
    public static double[] LangevinStep(double[] x, double[] score, double stepSize, double[] xi)
    {
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(score, x!.Length, nameof(score));
        Guard.FiniteVector(xi, x.Length, nameof(xi));
        Guard.Positive(stepSize, nameof(stepSize));
        return x.Select((v, i) => v + stepSize / 2 * score[i] + Math.Sqrt(stepSize) * xi[i]).ToArray();
    }

    /// <summary>
    /// One step of the SDE extension trick with given noise in the path's own time (shared/seeds/002, Chapter 4):
    /// x + h (u - D sigma^2 s / 2) + sigma sqrt(|h|) xi, from a velocity u and score s at x.
    /// </summary>
    public static double[] ExtensionStep(GaussianPath path, double[] x, double[] velocity, double[] score, double sigma, double h, double[] xi)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        Guard.FiniteVector(x, x?.Length ?? 0, nameof(x));
        Guard.FiniteVector(velocity, x!.Length, nameof(velocity));
        Guard.FiniteVector(score, x.Length, nameof(score));
        Guard.FiniteVector(xi, x.Length, nameof(xi));
        Guard.NonNegative(sigma, nameof(sigma));
        Guard.Finite(h, nameof(h));
        int D = path.NoisingDirection;
        return x.Select((v, i) => v + h * (velocity[i] - D * sigma * sigma / 2 * score[i]) + sigma * Math.Sqrt(Math.Abs(h)) * xi[i]).ToArray();
    }

    /// <summary>
    /// Langevin dynamics towards a fixed target (shared/seeds/002, Chapter 6): x += (h/2) grad log p(x) + sqrt(h) xi for
    /// <paramref name="steps"/> steps. With <paramref name="logDensity"/> given, each move is a proposal accepted with the
    /// Metropolis-Hastings probability (MALA), which removes the step-size bias; the acceptance rate is reported.
    /// </summary>
    public static SampleResult Langevin(ScoreFunction score, Ensemble initial, double stepSize, int steps, ulong seed = 0, int threads = 0, Func<double[], double>? logDensity = null)
    {
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        if (initial is null) throw new ArgumentException("initial must not be null.", nameof(initial));
        Guard.Positive(stepSize, nameof(stepSize));
        if (steps < 0) throw new ArgumentException($"steps must be non-negative, got {steps}.", nameof(steps));
        if (threads < 0) throw new ArgumentException($"threads must be non-negative, got {threads}.", nameof(threads));
        var clock = Stopwatch.StartNew();
        int n = initial.Count, d = initial.Dimension;
        var x = initial.ToArray();
        var streams = Streams(n, seed);
        var opts = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        long[] accepted = new long[Blocks];
        double sq = Math.Sqrt(stepSize);
        Parallel.For(0, Blocks, opts, b =>
        {
            var (lo, hi) = Range(n, b);
            var s = new double[d]; var xi = new double[d]; var y = new double[d]; var sy = new double[d]; var cur = new double[d];
            for (int i = lo; i < hi; i++)
            {
                var xs = x.AsSpan(i * d, d);
                var rng = streams.AsSpan(4 * i, 4);
                xs.CopyTo(cur);
                score(0, cur, s);
                double logp = logDensity?.Invoke(cur) ?? 0;
                for (int k = 0; k < steps; k++)
                {
                    Xoshiro.Normals(rng, xi);
                    for (int j = 0; j < d; j++) y[j] = cur[j] + stepSize / 2 * s[j] + sq * xi[j];
                    score(0, y, sy);
                    if (logDensity is null)
                    {
                        y.CopyTo(cur, 0); sy.CopyTo(s, 0);
                        continue;
                    }
                    // log q(x | y) - log q(y | x) for q(b | a) = N(b; a + h s(a)/2, h I).
                    double logpy = logDensity(y), fwd = 0, back = 0;
                    for (int j = 0; j < d; j++)
                    {
                        double u = y[j] - cur[j] - stepSize / 2 * s[j]; fwd += u * u;
                        double v = cur[j] - y[j] - stepSize / 2 * sy[j]; back += v * v;
                    }
                    double logRatio = logpy - logp - (back - fwd) / (2 * stepSize);
                    double uAcc = Xoshiro.NextDouble(rng);
                    if (Math.Log(uAcc) < logRatio)
                    {
                        y.CopyTo(cur, 0); sy.CopyTo(s, 0); logp = logpy;
                        accepted[b]++;
                    }
                }
                cur.CopyTo(xs);
            }
        });
        double rate = logDensity is null ? 1 : (double)accepted.Sum() / Math.Max(1L, (long)n * steps);
        return new SampleResult(Ensemble.Wrap(n, d, x), (long)n * (steps + 1), clock.Elapsed.TotalSeconds, rate);
    }

}
