using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Processes;

namespace ScoreSpec.Sampling;

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
        if (schedule is null) throw new ArgumentException("schedule must not be null.", nameof(schedule));
        return ScaleBound(data, path, schedule.Grid);
    }

    /// <summary>The same bound for a run over <paramref name="grid"/>, from its two ends.</summary>
    public static double ScaleBound(GaussianMixture data, GaussianPath path, TimeGrid grid)
    {
        if (data is null) throw new ArgumentException("data must not be null.", nameof(data));
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (grid is null) throw new ArgumentException("grid must not be null.", nameof(grid));
        double dataScale = data.Components.Max(c => c.Mean.Max(Math.Abs) + 10 * Math.Sqrt(c.Variances.Max()));
        double noise = Math.Max(path.Sigma(grid.Start), path.Sigma(grid.End));
        double alpha = Math.Max(Math.Abs(path.Alpha(grid.Start)), Math.Abs(path.Alpha(grid.End)));
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
    /// <summary>The number of steps of the grid.</summary>
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

    /// <summary>The earliest step at which a path of <paramref name="block"/> escaped so far (int.MaxValue for none).</summary>
    public int EscapeStep(int block) => escapeStep[block];

    public void Done(long units)
    {
        if (watch.Progress is null) return;
        long before = Interlocked.Add(ref done, units) - units;
        if (before / stride != (before + units) / stride) watch.Progress.Report(Math.Min(1, (double)(before + units) / totalUnits));
    }

    /// <summary>Throws for the earliest escape over all blocks (the same whatever the thread count).</summary>
    public void ThrowIfEscaped(double[] times)
    {
        int best = -1;
        for (int b = 0; b < escapeStep.Length; b++)
            if (escapeStep[b] != int.MaxValue && (best < 0 || escapeStep[b] < escapeStep[best])) best = b;
        if (best < 0) return;
        int step = escapeStep[best];
        int steps = times.Length - 1;
        throw new SamplerDivergedException(step, times[Math.Min(step + 1, steps)], steps, escapeValue[best], watch.EscapeBound);
    }
}

