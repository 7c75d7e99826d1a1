using System.Diagnostics;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

/// <summary>How a diffusion sampler moves an ensemble from the noise end of a path to its data end.</summary>
public abstract record Sampler
{
    /// <summary>
    /// Euler-Maruyama on Anderson's reverse SDE, in the path's own time: x += (F x - D g^2 s) h + g sqrt(|h|) xi with D the
    /// noising direction (shared/seeds/003, "Anderson's Theorem" and "Sampling with Learned Score"; shared/seeds/004, "Reversing
    /// the SDE").
    /// </summary>
    public sealed record ReverseSde : Sampler;

    /// <summary>
    /// The probability-flow ODE dx/dt = F x - D g^2 s / 2 (shared/seeds/003, "Probability Flow ODE") solved by
    /// <paramref name="Method"/>: Euler, Heun or RK4 on the schedule's grid, or adaptive Dormand-Prince with
    /// <paramref name="Rtol"/> and <paramref name="Atol"/>.
    /// </summary>
    public sealed record ProbabilityFlow(OdeMethod Method = OdeMethod.Rk4, double Rtol = 1e-6, double Atol = 1e-6) : Sampler;

    /// <summary>
    /// The SDE extension trick (shared/seeds/002, Chapter 4, Theorem 17): dX = [u + sigma(t)^2 s / 2] dt + sigma(t) dW
    /// towards the data, which in the path's own time reads x += (u - D sigma^2 s / 2) h + sigma sqrt(|h|) xi with
    /// u = F x - D g^2 s / 2. Any sigma(t) &gt;= 0 gives the same marginals; sigma = g gives the reverse SDE, sigma = 0 the ODE.
    /// </summary>
    public sealed record Extension(Func<double, double> Sigma) : Sampler;

    /// <summary>
    /// Predictor-corrector with a Langevin corrector, in one of two published forms (<see cref="PcVariant"/>):
    /// <see cref="PcVariant.ScoreSde"/> (Song et al. 2021's code, score_sde's LangevinCorrector, the default): at each grid
    /// time, <paramref name="CorrectorSteps"/> Langevin steps x += eps s + sqrt(2 eps) xi with eps = 2 a (snr |xi| / |s|)^2
    /// (norms averaged over the ensemble; a = (alpha_t / alpha_next)^2 for VP-type paths, 1 otherwise), then one reverse-SDE
    /// Euler-Maruyama predictor step. <see cref="PcVariant.Seed003"/> (the listing in shared/seeds/003, "Predictor-Corrector"):
    /// the predictor step first, then the corrector at the new time with eps = snr (|z| / |s|)^2, the norms taken over the
    /// whole ensemble as one tensor, without the factor 2 a. docs/samplers.md measures what the difference does.
    /// </summary>
    public sealed record PredictorCorrector(double Snr = 0.16, int CorrectorSteps = 1, PcVariant Variant = PcVariant.ScoreSde) : Sampler;

    /// <summary>
    /// Ancestral sampling: for vp and cosine the DDPM reverse step x = (x + beta s)/sqrt(1 - beta) + sqrt(beta) xi with
    /// 1 - beta = (alpha_t / alpha_next)^2; for ve the NCSN step x += (sigma_t^2 - sigma_next^2) s plus noise of variance
    /// sigma_next^2 (sigma_t^2 - sigma_next^2) / sigma_t^2 (score_sde's AncestralSamplingPredictor).
    /// </summary>
    public sealed record Ancestral : Sampler;
}

/// <summary>The two forms of the predictor-corrector sampler (see <see cref="Sampler.PredictorCorrector"/>).</summary>
public enum PcVariant
{
    /// <summary>score_sde's code: corrector then predictor at each time, eps = 2 a (snr mean|xi| / mean|s|)^2.</summary>
    ScoreSde,
    /// <summary>shared/seeds/003's listing: predictor then corrector at the new time, eps = snr (|z| / |s|)^2 over the whole ensemble.</summary>
    Seed003,
}

/// <summary>ODE methods for the probability-flow sampler.</summary>
public enum OdeMethod
{
    /// <summary>Explicit Euler on the schedule's grid.</summary>
    Euler,
    /// <summary>Heun on the schedule's grid.</summary>
    Heun,
    /// <summary>Classical RK4 on the schedule's grid.</summary>
    Rk4,
    /// <summary>Adaptive Dormand-Prince 5(4), per path, ignoring the grid.</summary>
    DormandPrince,
}

/// <summary>
/// Watching a sampler run: a bound on |x| that every coordinate of every path must respect after every step, and an
/// optional progress report. A non-finite coordinate always stops the run (the default bound is +infinity), so no NaN or
/// infinity reaches the final ensemble; a finite bound also stops an ensemble that grows far beyond the data's scale,
/// the sign of a step too coarse for the path (for instance VP with beta_max = 1e6 over 20 steps).
/// </summary>
/// <param name="EscapeBound">The largest |x_j| allowed after a step; positive (+infinity: only non-finite values stop the run).</param>
/// <param name="Progress">Receives the fraction of the work done, from worker threads, about a hundred times per run; null for none.</param>
public sealed record RunWatch(double EscapeBound = double.PositiveInfinity, IProgress<double>? Progress = null)
{
    /// <summary>No bound beyond finiteness, no progress report.</summary>
    public static RunWatch None { get; } = new();

    /// <summary>
    /// The bound the CLI uses: 1e4 times the scale of the problem, max(|mu_k|_inf + 10 sqrt(max Sigma_k,ii)) over the data's
    /// components plus 10 max(sigma_t) at the two ends of the schedule; four orders of magnitude above anything the exact
    /// process reaches with appreciable probability.
    /// </summary>
    public static double ScaleBound(GaussianMixture data, GaussianPath path, Schedule schedule)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        double dataScale = data.Components.Max(c => c.Mean.Max(Math.Abs) + 10 * Math.Sqrt(c.Variances.Max()));
        double noise = Math.Max(path.Sigma(schedule.TStart), path.Sigma(schedule.TEnd));
        double alpha = Math.Max(Math.Abs(path.Alpha(schedule.TStart)), Math.Abs(path.Alpha(schedule.TEnd)));
        return 1e4 * (Math.Max(alpha, 1) * dataScale + 10 * noise);
    }
}

/// <summary>
/// A sampler's ensemble left the allowed range (<see cref="RunWatch.EscapeBound"/>) or became non-finite: the run stopped
/// at <see cref="Step"/> (0-based, the step whose update produced the value) and <see cref="Time"/> (the time reached by that step).
/// </summary>
public sealed class SamplerDivergedException(int step, double time, int steps, double value, double bound)
    : ArithmeticException($"the ensemble left the allowed range at step {step + 1} of {steps} (t = {time:G6}): |x| reached {value:G3}, beyond {bound:G3}; use more steps")
{
    /// <summary>The step (0-based) whose update produced the escaping value.</summary>
    public int Step { get; } = step;
    /// <summary>The time the escaping step reached.</summary>
    public double Time { get; } = time;
    /// <summary>The number of steps of the schedule.</summary>
    public int Steps { get; } = steps;
    /// <summary>The escaping value (possibly NaN or infinite).</summary>
    public double Value { get; } = value;
}

/// <summary>Per-run bookkeeping of <see cref="RunWatch"/>: the earliest escape over blocks, and progress.</summary>
internal sealed class Watcher(RunWatch watch, long totalUnits)
{
    private readonly int[] escapeStep = Enumerable.Repeat(int.MaxValue, Samplers.Blocks).ToArray();
    private readonly double[] escapeValue = new double[Samplers.Blocks];
    private long done;
    private readonly long stride = Math.Max(1, totalUnits / 100);
    public double Bound => watch.EscapeBound;

    /// <summary>True (and recorded) when a coordinate of <paramref name="x"/> is non-finite or beyond the bound.</summary>
    public bool Escaped(ReadOnlySpan<double> x, int block, int step)
    {
        double bound = watch.EscapeBound;
        for (int j = 0; j < x.Length; j++)
            if (!(Math.Abs(x[j]) <= bound))
            {
                if (step < escapeStep[block]) { escapeStep[block] = step; escapeValue[block] = x[j]; }
                return true;
            }
        return false;
    }

    public void Done(long units)
    {
        if (watch.Progress is null) return;
        long before = Interlocked.Add(ref done, units) - units;
        if (before / stride != (before + units) / stride) watch.Progress.Report(Math.Min(1, (double)(before + units) / totalUnits));
    }

    /// <summary>Throws for the earliest escape over all blocks (the same whatever the thread count).</summary>
    public void ThrowIfEscaped(Schedule schedule)
    {
        int best = -1;
        for (int b = 0; b < escapeStep.Length; b++)
            if (escapeStep[b] != int.MaxValue && (best < 0 || escapeStep[b] < escapeStep[best])) best = b;
        if (best < 0) return;
        int step = escapeStep[best];
        throw new SamplerDivergedException(step, schedule.Time(Math.Min(step + 1, schedule.Steps)), schedule.Steps, escapeValue[best], watch.EscapeBound);
    }
}

/// <summary>
/// Diffusion samplers and Langevin dynamics on ensembles: N paths on contiguous memory, split into a fixed number of
/// blocks that run in parallel, every path with its own xoshiro256** stream keyed by (seed, path index). No buffer is
/// allocated per step, and the same seed gives the same bits whatever the thread count.
/// </summary>
public static class Samplers
{
    internal const int Blocks = 64;

    /// <summary>The exact score of Gaussian-mixture data along a path, as a <see cref="ScoreFunction"/>.</summary>
    public static ScoreFunction ExactScore(MarginalField field)
    {
        if (field is null) throw new ArgumentException("field must not be null.", nameof(field));
        return (t, x, s) => field.Score(t, x, s);
    }

    /// <summary><paramref name="count"/> exact draws of x_t = alpha_t z + sigma_t e with z from the data, stream (seed, i, 1) for point i.</summary>
    public static Ensemble ExactMarginalSample(GaussianMixture data, GaussianPath path, double t, int count, ulong seed)
    {
        var marginal = data.Along(path, t).Density;
        return Draw(marginal, count, seed ^ 0xA5A5A5A5UL);
    }

    /// <summary>Draws from a mixture, point i from the stream keyed (key, i), in parallel blocks: the same bits on any thread count.</summary>
    private static Ensemble Draw(GaussianMixture mixture, int count, ulong key)
    {
        if (count < 1) throw new ArgumentException($"count must be at least 1, got {count}.", nameof(count));
        int d = mixture.Dimension;
        var v = new double[count * d];
        Parallel.For(0, Blocks, b =>
        {
            var (lo, hi) = Range(count, b);
            var rng = new StreamRandom();
            for (int i = lo; i < hi; i++)
            {
                rng.Reset(key, (ulong)i);
                mixture.SampleInto(rng, v.AsSpan(i * d, d));
            }
        });
        return new Ensemble(count, d, v);
    }

    /// <summary>
    /// Runs <paramref name="sampler"/> with <paramref name="score"/> along <paramref name="path"/> over
    /// <paramref name="schedule"/>, starting from <paramref name="initial"/> (placed at schedule.TStart).
    /// <paramref name="threads"/> = 0 uses every core.
    /// </summary>
    /// <param name="path">The path whose reverse-time processes the sampler discretises.</param>
    /// <param name="score">The score function s(t, x).</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="initial">The ensemble at schedule.TStart.</param>
    /// <param name="schedule">The time grid, from the noise end towards the data end.</param>
    /// <param name="seed">The seed of the per-path noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core. The result does not depend on it.</param>
    /// <param name="watch">The escape bound and progress report (<see cref="RunWatch.None"/> when null): a path that leaves the
    /// bound or becomes non-finite stops the run with a <see cref="SamplerDivergedException"/>.</param>
    public static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, Schedule schedule, ulong seed = 0, int threads = 0, RunWatch? watch = null)
        => Run(path, score, sampler, initial, schedule, seed, threads, plant: null, watch: watch);

    /// <summary>
    /// <see cref="Run(GaussianPath, ScoreFunction, Sampler, Ensemble, Schedule, ulong, int, RunWatch?)"/> with a deliberate slip: the
    /// per-step coefficient table (cx, cs, cn per step, see <see cref="StepCoefficients"/>) passes through
    /// <paramref name="plant"/> before use. The negative controls of the sampler checks use it to show that each check
    /// fails for a sampler with a plausible bug.
    /// </summary>
    internal static SampleResult Run(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble initial, Schedule schedule, ulong seed, int threads, Func<double[], double[]>? plant, Func<double, double>? correctorNoise = null, RunWatch? watch = null)
    {
        watch ??= RunWatch.None;
        if (!(watch.EscapeBound > 0)) throw new ArgumentException($"watch.EscapeBound must be positive, got {watch.EscapeBound}.", nameof(watch));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        if (sampler is null) throw new ArgumentException("sampler must not be null.", nameof(sampler));
        if (initial is null) throw new ArgumentException("initial must not be null.", nameof(initial));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        Guard.OpenUnit(schedule.TStart, "schedule.TStart");
        Guard.OpenUnit(schedule.TEnd, "schedule.TEnd");
        if (schedule.Steps < 1) throw new ArgumentException($"schedule.Steps must be at least 1, got {schedule.Steps}.", nameof(schedule));
        if (threads < 0) throw new ArgumentException($"threads must be non-negative, got {threads}.", nameof(threads));
        if (Math.Sign(schedule.TEnd - schedule.TStart) != -path.NoisingDirection)
            throw new ArgumentException("schedule must run from the noise end towards the data end of the path.", nameof(schedule));

        var clock = Stopwatch.StartNew();
        var x = (double[])initial.Values.Clone();
        int n = initial.Count, d = initial.Dimension;
        var opts = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        long evaluations;
        var watcher = new Watcher(watch, sampler is Sampler.ProbabilityFlow { Method: OdeMethod.DormandPrince } ? n : (long)Blocks * schedule.Steps);
        switch (sampler)
        {
            case Sampler.ProbabilityFlow { Method: OdeMethod.DormandPrince } pf:
                evaluations = ProbabilityFlowAdaptive(path, score, pf, x, n, d, schedule, opts, watcher);
                break;
            case Sampler.ProbabilityFlow pf:
                evaluations = ProbabilityFlowFixed(path, score, pf.Method, x, n, d, schedule, opts, watcher);
                break;
            case Sampler.PredictorCorrector pc:
                evaluations = PredictorCorrector(path, score, pc, x, n, d, schedule, seed, opts, plant, correctorNoise, watcher);
                break;
            case Sampler.ReverseSde or Sampler.Extension or Sampler.Ancestral:
                evaluations = StochasticStep(path, score, sampler, x, n, d, schedule, seed, opts, plant: plant, watcher: watcher);
                break;
            default:
                throw new ArgumentException($"sampler {sampler} is not known.", nameof(sampler));
        }
        watcher.ThrowIfEscaped(schedule);
        return new SampleResult(new Ensemble(n, d, x), evaluations, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The common case in one call: <paramref name="count"/> exact draws of p at schedule.TStart (seed
    /// <paramref name="seed"/>), carried by <paramref name="sampler"/> with the data's exact score, or with
    /// <paramref name="score"/> when given (to test a model, or a deliberately wrong score).
    /// </summary>
    /// <param name="data">The data distribution.</param>
    /// <param name="path">The path.</param>
    /// <param name="sampler">The sampler.</param>
    /// <param name="schedule">The time grid, from the noise end towards the data end.</param>
    /// <param name="count">The number of paths.</param>
    /// <param name="seed">The seed of the start draws and of the noise streams.</param>
    /// <param name="threads">Worker threads; 0 for every core.</param>
    /// <param name="score">A score to use instead of the exact one; null for the exact score.</param>
    /// <param name="watch">The escape bound and progress report; null for none beyond finiteness.</param>
    public static SampleResult RunFromExactMarginal(GaussianMixture data, GaussianPath path, Sampler sampler, Schedule schedule, int count, ulong seed = 0, int threads = 0, ScoreFunction? score = null, RunWatch? watch = null)
        => RunFromExactMarginal(data, path, sampler, schedule, count, seed, threads, score, plant: null, watch: watch);

    /// <summary>The same with a planted slip in the step coefficients (for negative controls; see the internal Run).</summary>
    internal static SampleResult RunFromExactMarginal(GaussianMixture data, GaussianPath path, Sampler sampler, Schedule schedule, int count, ulong seed, int threads, ScoreFunction? score, Func<double[], double[]>? plant, Func<double, double>? correctorNoise = null, RunWatch? watch = null)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        var initial = ExactMarginalSample(data, path, schedule.TStart, count, seed);
        return Run(path, score ?? ExactScore(new MarginalField(data, path)), sampler, initial, schedule, seed, threads, plant, correctorNoise, watch);
    }

    internal static (int Lo, int Hi) Range(int n, int block) => ((int)((long)n * block / Blocks), (int)((long)n * (block + 1) / Blocks));

    private static ulong[] Streams(int n, ulong seed)
    {
        var state = new ulong[4 * n];
        for (int i = 0; i < n; i++) Xoshiro.Seed(state.AsSpan(4 * i, 4), seed, (ulong)i);
        return state;
    }

    private static long StochasticStep(GaussianPath path, ScoreFunction score, Sampler sampler, double[] x, int n, int d, Schedule schedule, ulong seed, ParallelOptions opts, bool forward = false, Func<double[], double[]>? plant = null, Watcher? watcher = null)
    {
        var streams = Streams(n, seed);
        var scratch = Enumerable.Range(0, Blocks).Select(_ => new double[2 * d]).ToArray();
        int steps = schedule.Steps;
        var coef = StepCoefficients(path, sampler, schedule, forward);
        if (plant is not null) coef = plant(coef);
        // Paths are independent: each block carries its paths through every step, with no synchronisation per step.
        Parallel.For(0, Blocks, opts, b =>
        {
            var (lo, hi) = Range(n, b);
            var buf = scratch[b];
            var s = buf.AsSpan(0, d);
            var xi = buf.AsSpan(d, d);
            // Step-major inside the block: the block's states stay in cache and the field's per-time coefficients are reused.
            for (int step = 0; step < steps; step++)
            {
                double t = schedule.Time(step), cx = coef[3 * step], cs = coef[3 * step + 1], cn = coef[3 * step + 2];
                bool escaped = false;
                for (int i = lo; i < hi; i++)
                {
                    var xs = x.AsSpan(i * d, d);
                    score(t, xs, s);
                    Xoshiro.Normals(streams.AsSpan(4 * i, 4), xi);
                    for (int j = 0; j < d; j++) xs[j] = cx * xs[j] + cs * s[j] + cn * xi[j];
                    if (watcher is not null && watcher.Escaped(xs, b, step)) { escaped = true; break; }
                }
                if (escaped) return;
                watcher?.Done(1);
            }
        });
        return (long)n * schedule.Steps;
    }

    /// <summary>
    /// The per-step coefficients (cx, cs, cn) of the affine update x_new = cx x + cs s(t, x) + cn xi of the
    /// Euler-Maruyama-type samplers, three per step; used by the samplers and by the tests that compute the exact
    /// discretisation bias for Gaussian data, whose score is affine.
    /// </summary>
    internal static double[] StepCoefficients(GaussianPath path, Sampler sampler, Schedule schedule, bool forward = false)
    {
        int D = path.NoisingDirection, steps = schedule.Steps;
        double h = schedule.H, sqrtH = Math.Sqrt(Math.Abs(h));
        if (sampler is Sampler.Ancestral && path is not (VpPath or CosinePath or VePath))
            throw new ArgumentException($"sampler: ancestral sampling is defined for vp, cosine and ve paths, not {path.Kind}.", nameof(sampler));
        var coef = new double[3 * steps];
        for (int step = 0; step < steps; step++)
        {
            double t = schedule.Time(step), tNext = schedule.Time(step + 1);
            double F = path.LogAlphaDot(t), g2 = path.DiffusionSquared(t);
            double cx, cs, cn;
            switch (sampler)
            {
                case Sampler.ReverseSde when forward:
                    cx = 1 + F * h; cs = 0; cn = Math.Sqrt(g2) * sqrtH;
                    break;
                case Sampler.ReverseSde:
                    cx = 1 + F * h; cs = -D * g2 * h; cn = Math.Sqrt(g2) * sqrtH;
                    break;
                case Sampler.Extension ext:
                {
                    double sigma = ext.Sigma(t);
                    if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentException($"sampler: Sigma({t}) must be finite and non-negative, got {sigma}.", nameof(sampler));
                    cx = 1 + F * h; cs = -D * (g2 + sigma * sigma) / 2 * h; cn = sigma * sqrtH;
                    break;
                }
                default: // ancestral
                    if (path is VePath)
                    {
                        double s2 = Math.Pow(path.Sigma(t), 2), n2 = Math.Pow(path.Sigma(tNext), 2);
                        cx = 1; cs = s2 - n2; cn = Math.Sqrt(n2 * (s2 - n2) / s2);
                    }
                    else
                    {
                        double ratio = path.Alpha(t) / path.Alpha(tNext), beta = 1 - ratio * ratio;
                        cx = 1 / Math.Sqrt(1 - beta); cs = beta / Math.Sqrt(1 - beta); cn = Math.Sqrt(beta);
                    }
                    break;
            }
            coef[3 * step] = cx; coef[3 * step + 1] = cs; coef[3 * step + 2] = cn;
        }
        return coef;
    }

    /// <summary><paramref name="count"/> exact draws from the data distribution itself, stream (seed, i, 2) for point i.</summary>
    public static Ensemble ExactDataSample(GaussianMixture data, int count, ulong seed)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        return Draw(data, count, seed ^ 0x5A5A5A5A5A5AUL);
    }

    private static long PredictorCorrector(GaussianPath path, ScoreFunction score, Sampler.PredictorCorrector pc, double[] x, int n, int d, Schedule schedule, ulong seed, ParallelOptions opts, Func<double[], double[]>? plant, Func<double, double>? correctorNoise, Watcher watcher)
    {
        Guard.Positive(pc.Snr, "Snr");
        if (pc.CorrectorSteps < 0) throw new ArgumentException($"CorrectorSteps must be non-negative, got {pc.CorrectorSteps}.", nameof(pc));
        var streams = Streams(n, seed);
        var scores = new double[n * d];
        var noises = new double[n * d];
        var scoreNorm = new double[n];
        var noiseNorm = new double[n];
        var scratch = Enumerable.Range(0, Blocks).Select(_ => new double[2 * d]).ToArray();
        bool vpType = path is VpPath or SubVpPath or CosinePath;
        long evaluations = 0;
        bool seed003 = pc.Variant == PcVariant.Seed003;
        void Correct(double tc, double a)
        {
            Parallel.For(0, Blocks, opts, b =>
            {
                var (lo, hi) = Range(n, b);
                for (int i = lo; i < hi; i++)
                {
                    var s = scores.AsSpan(i * d, d);
                    var xi = noises.AsSpan(i * d, d);
                    score(tc, x.AsSpan(i * d, d), s);
                    Xoshiro.Normals(streams.AsSpan(4 * i, 4), xi);
                    double ss = 0, nn = 0;
                    for (int j = 0; j < d; j++) { ss += s[j] * s[j]; nn += xi[j] * xi[j]; }
                    // score_sde averages the per-path norms; the 003 listing takes the norm of the whole tensor, so it
                    // needs the squared norms summed.
                    scoreNorm[i] = seed003 ? ss : Math.Sqrt(ss); noiseNorm[i] = seed003 ? nn : Math.Sqrt(nn);
                }
            });
            double sumS = 0, sumN = 0;
            for (int i = 0; i < n; i++) { sumS += scoreNorm[i]; sumN += noiseNorm[i]; } // fixed order
            double eps;
            if (seed003) eps = sumS > 0 ? pc.Snr * sumN / sumS : 0;
            else
            {
                double ratio = sumS > 0 ? pc.Snr * sumN / sumS : 0;
                eps = 2 * a * ratio * ratio;
            }
            double sq = correctorNoise?.Invoke(eps) ?? Math.Sqrt(2 * eps);
            Parallel.For(0, Blocks, opts, b =>
            {
                var (lo, hi) = Range(n, b);
                for (int k = lo * d; k < hi * d; k++) x[k] += eps * scores[k] + sq * noises[k];
            });
            evaluations += n;
        }
        // The predictor is the reverse-SDE Euler-Maruyama step: its coefficients are the ones that sampler uses.
        var predictor = StepCoefficients(path, new Sampler.ReverseSde(), schedule);
        if (plant is not null) predictor = plant(predictor);
        for (int step = 0; step < schedule.Steps; step++)
        {
            double t = schedule.Time(step), tNext = schedule.Time(step + 1);
            double a = vpType ? Math.Pow(path.Alpha(t) / path.Alpha(tNext), 2) : 1;
            if (!seed003)
                for (int c = 0; c < pc.CorrectorSteps; c++) Correct(t, a);
            double cx = predictor[3 * step], cs = predictor[3 * step + 1], cn = predictor[3 * step + 2];
            Parallel.For(0, Blocks, opts, b =>
            {
                var (lo, hi) = Range(n, b);
                var s = scratch[b].AsSpan(0, d);
                var xi = scratch[b].AsSpan(d, d);
                for (int i = lo; i < hi; i++)
                {
                    var xs = x.AsSpan(i * d, d);
                    score(t, xs, s);
                    Xoshiro.Normals(streams.AsSpan(4 * i, 4), xi);
                    for (int j = 0; j < d; j++) xs[j] = cx * xs[j] + cs * s[j] + cn * xi[j];
                    if (watcher.Escaped(xs, b, step)) break;
                }
                watcher.Done(1);
            });
            evaluations += n;
            watcher.ThrowIfEscaped(schedule); // the steps are synchronised here, so stop at once
            if (seed003)
                for (int c = 0; c < pc.CorrectorSteps; c++) Correct(tNext, 1);
        }
        return evaluations;
    }

    /// <summary>
    /// Euler-Maruyama on the path's forward (noising) SDE, x += F x h + g sqrt(|h|) xi, over <paramref name="schedule"/>,
    /// which must run in the noising direction. Started from data it reproduces the path's marginals p_t.
    /// </summary>
    public static SampleResult Forward(GaussianPath path, Ensemble initial, Schedule schedule, ulong seed = 0, int threads = 0)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (initial is null) throw new ArgumentException("initial must not be null.", nameof(initial));
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        if (Math.Sign(schedule.TEnd - schedule.TStart) != path.NoisingDirection)
            throw new ArgumentException("schedule must run in the noising direction of the path.", nameof(schedule));
        var clock = Stopwatch.StartNew();
        int n = initial.Count, d = initial.Dimension;
        var x = (double[])initial.Values.Clone();
        var opts = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        StochasticStep(path, (t, y, s) => s.Clear(), new Sampler.ReverseSde(), x, n, d, schedule, seed, opts, forward: true);
        return new SampleResult(new Ensemble(n, d, x), 0, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The probability-flow vector field F x - D g^2 s / 2 of a path and score.</summary>
    public static VectorField ProbabilityFlowField(GaussianPath path, ScoreFunction score)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (score is null) throw new ArgumentException("score must not be null.", nameof(score));
        int D = path.NoisingDirection;
        return (t, x, dxdt) =>
        {
            score(t, x, dxdt);
            double F = path.LogAlphaDot(t), c = D * path.DiffusionSquared(t) / 2;
            for (int i = 0; i < x.Length; i++) dxdt[i] = F * x[i] - c * dxdt[i];
        };
    }

    private static long ProbabilityFlowFixed(GaussianPath path, ScoreFunction score, OdeMethod method, double[] x, int n, int d, Schedule schedule, ParallelOptions opts, Watcher watcher)
    {
        var field = ProbabilityFlowField(path, score);
        OdeAlgorithm algorithm = method switch
        {
            OdeMethod.Euler => new OdeAlgorithm.Euler(schedule.Steps),
            OdeMethod.Heun => new OdeAlgorithm.Heun(schedule.Steps),
            _ => new OdeAlgorithm.Rk4(schedule.Steps),
        };
        var steppers = Enumerable.Range(0, Blocks).Select(_ => new OdeStepper(d)).ToArray();
        long[] nfe = new long[Blocks];
        Parallel.For(0, Blocks, opts, b =>
        {
            var (lo, hi) = Range(n, b);
            for (int step = 0; step < schedule.Steps; step++)
            {
                for (int i = lo; i < hi; i++)
                {
                    nfe[b] += steppers[b].Step(algorithm, field, schedule.Time(step), schedule.H, x.AsSpan(i * d, d));
                    if (watcher.Escaped(x.AsSpan(i * d, d), b, step)) return;
                }
                watcher.Done(1);
            }
        });
        return nfe.Sum();
    }

    private static long ProbabilityFlowAdaptive(GaussianPath path, ScoreFunction score, Sampler.ProbabilityFlow pf, double[] x, int n, int d, Schedule schedule, ParallelOptions opts, Watcher watcher)
    {
        var field = ProbabilityFlowField(path, score);
        long[] nfe = new long[Blocks];
        Parallel.For(0, Blocks, opts, b =>
        {
            var (lo, hi) = Range(n, b);
            var stepper = new OdeStepper(d);
            for (int i = lo; i < hi; i++)
            {
                nfe[b] += stepper.Adaptive(field, schedule.TStart, schedule.TEnd, x.AsSpan(i * d, d), pf.Rtol, pf.Atol, 1_000_000).Nfe;
                // An adaptive run has no step grid: an escape is reported at the last step of the schedule.
                if (watcher.Escaped(x.AsSpan(i * d, d), b, schedule.Steps - 1)) return;
                watcher.Done(1);
            }
        });
        return nfe.Sum();
    }

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
        var x = (double[])initial.Values.Clone();
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
        return new SampleResult(new Ensemble(n, d, x), (long)n * (steps + 1), clock.Elapsed.TotalSeconds, rate);
    }

    /// <summary>A System.Random over one xoshiro stream, reset per point, so exact draws are keyed by point index.</summary>
    private sealed class StreamRandom : Random
    {
        private readonly ulong[] state = new ulong[4];
        public void Reset(ulong seed, ulong index) => Xoshiro.Seed(state, seed, index);
        protected override double Sample() => Xoshiro.NextDouble(state);
        public override double NextDouble() => Xoshiro.NextDouble(state);
        public override int Next() => (int)(Xoshiro.Next(state) >> 33);
        public override int Next(int maxValue) => (int)(Xoshiro.NextDouble(state) * maxValue);
    }
}
