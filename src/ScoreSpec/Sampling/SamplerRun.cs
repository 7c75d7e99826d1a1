using ScoreSpec.Numerics;
using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

/// <summary>
/// The shared ensemble runner under every sampler: N paths on contiguous memory, split into
/// <see cref="Samplers.Blocks"/> fixed blocks that run in parallel, every path with its own xoshiro256** stream keyed by
/// (seed, path index), the escape watch, and the recording of the ensemble at chosen grid points. A sampler states its
/// algorithm as a step over the grid; the runner owns everything else, so that the same seed gives the same bits on any
/// thread count and no buffer is allocated per step.
/// </summary>
internal sealed class SamplerRun
{
    public SamplerRun(GaussianPath path, ScoreFunction score, double[] x, int n, int d, double[] times, double[] steps, ulong seed, int threads, RunWatch watch, bool[] record)
    {
        Path = path; Score = score; X = x; N = n; D = d; Times = times; StepSizes = steps; Seed = seed;
        Options = new ParallelOptions { MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads };
        Record = record;
        Watch = watch;
        slots = new int[record.Length];
        int count = 0;
        for (int k = 0; k < record.Length; k++) slots[k] = record[k] ? count++ : -1;
        States = Enumerable.Range(0, count).Select(_ => new double[n * d]).ToArray();
        if (record[0]) x.CopyTo(States[0], 0);
        Watcher = new Watcher(watch, (long)Samplers.Blocks * Steps);
    }

    /// <summary>The path the sampler runs along.</summary>
    public GaussianPath Path { get; }
    /// <summary>The score s(t, x).</summary>
    public ScoreFunction Score { get; }
    /// <summary>The ensemble, row-major, updated in place.</summary>
    public double[] X { get; }
    /// <summary>Paths.</summary>
    public int N { get; }
    /// <summary>Dimension.</summary>
    public int D { get; }
    /// <summary>The grid t_0 .. t_N.</summary>
    public double[] Times { get; }
    /// <summary>The signed steps h_k.</summary>
    public double[] StepSizes { get; }
    /// <summary>The number of steps.</summary>
    public int Steps => StepSizes.Length;
    /// <summary>The seed of the per-path streams.</summary>
    public ulong Seed { get; }
    /// <summary>The degree of parallelism.</summary>
    public ParallelOptions Options { get; }
    /// <summary>The caller's escape bound and progress report.</summary>
    public RunWatch Watch { get; }
    /// <summary>The escape watch of this run (a sampler that counts its work differently may replace it).</summary>
    public Watcher Watcher { get; set; }
    /// <summary>Which grid points (0 .. Steps) to record.</summary>
    public bool[] Record { get; }
    /// <summary>The recorded states, in grid order.</summary>
    public double[][] States { get; }
    /// <summary>A slip planted in the Euler-Maruyama step table (negative controls only).</summary>
    public Func<double[], double[]>? Plant { get; init; }
    /// <summary>A slip planted in the corrector's noise scale (negative controls only).</summary>
    public Func<double, double>? CorrectorNoise { get; init; }

    private readonly int[] slots;

    /// <summary>Copies path i's state at grid point k into the recording, when k is recorded.</summary>
    public void Keep(int k, int i)
    {
        int slot = slots[k];
        if (slot >= 0) X.AsSpan(i * D, D).CopyTo(States[slot].AsSpan(i * D, D));
    }

    /// <summary>Records the whole ensemble at grid point k, when k is recorded (for synchronised samplers).</summary>
    public void KeepAll(int k)
    {
        int slot = slots[k];
        if (slot >= 0) X.CopyTo(States[slot], 0);
    }

    /// <summary>The per-path noise streams, 4 words each.</summary>
    public ulong[] Streams()
    {
        var state = new ulong[4 * N];
        for (int i = 0; i < N; i++) Xoshiro.Seed(state.AsSpan(4 * i, 4), Seed, (ulong)i);
        return state;
    }

    /// <summary>The rows of block b.</summary>
    public static (int Lo, int Hi) Range(int n, int block) => ((int)((long)n * block / Samplers.Blocks), (int)((long)n * (block + 1) / Samplers.Blocks));

    /// <summary>
    /// Runs the affine step x = cx x + cs s(t_k, x) + cn xi of every grid step for every path, with (cx, cs, cn) from
    /// <paramref name="table"/> (three per step) and xi from the path's stream. Paths are independent: each block carries
    /// its paths through every step, step-major inside the block so that its states stay in cache.
    /// </summary>
    /// <returns>Score evaluations.</returns>
    public long Affine(double[] table)
    {
        var streams = Streams();
        if (Plant is not null) table = Plant(table);
        var scratch = Enumerable.Range(0, Samplers.Blocks).Select(_ => new double[2 * D]).ToArray();
        Parallel.For(0, Samplers.Blocks, Options, b =>
        {
            var (lo, hi) = Range(N, b);
            var s = scratch[b].AsSpan(0, D);
            var xi = scratch[b].AsSpan(D, D);
            for (int step = 0; step < Steps; step++)
            {
                double t = Times[step], cx = table[3 * step], cs = table[3 * step + 1], cn = table[3 * step + 2];
                for (int i = lo; i < hi; i++)
                {
                    var xs = X.AsSpan(i * D, D);
                    Score(t, xs, s);
                    Xoshiro.Normals(Streams(streams, i), xi);
                    for (int j = 0; j < D; j++) xs[j] = cx * xs[j] + cs * s[j] + cn * xi[j];
                    if (Watcher.Escaped(xs, b, step)) return;
                    Keep(step + 1, i);
                }
                Watcher.Done(1);
            }
        });
        return (long)N * Steps;
    }

    /// <summary>The stream of path i.</summary>
    public static Span<ulong> Streams(ulong[] streams, int i) => streams.AsSpan(4 * i, 4);

    /// <summary>Throws for the earliest escape, at the grid time the escaping step reached.</summary>
    public void ThrowIfEscaped() => Watcher.ThrowIfEscaped(Times);
}
