using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// <summary>
    /// The exact field behind <see cref="Score"/> when the score is <see cref="Samplers.ExactScore"/>'s: the affine step
    /// then evaluates it a block of paths at a time in SIMD registers (<see cref="Densities.MarginalField.ScoreBlock"/>).
    /// </summary>
    public Densities.MarginalField? Field { get; init; }
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
        if (Plant is not null) table = Plant(table);
        if (Field is not null) return AffineBlocks(table, Field);
        var streams = Streams();
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

    /// <summary>
    /// <see cref="Affine"/> with the exact score of <paramref name="field"/>, a block of W paths at a time
    /// (W = <see cref="Densities.MarginalField.BlockWidth"/>): the block is turned coordinate-major, its score evaluated in
    /// SIMD registers, its normals drawn by Box-Muller in registers from uniforms of each path's own stream (pair p of path
    /// i gives coordinates 2p and 2p + 1, so the noise of a path depends on its seed and index only), the step applied
    /// across the block, and the block turned back. The blocks of a run are fixed by N alone, so the bits do not depend on
    /// the thread count. Nothing is allocated per step.
    /// </summary>
    private long AffineBlocks(double[] table, Densities.MarginalField field)
        => Numerics.VectorMath.Wide ? AffineBlocks<Numerics.Lanes512>(table, field) : AffineBlocks<Numerics.VectorLanes>(table, field);

    private long AffineBlocks<T>(double[] table, Densities.MarginalField field) where T : struct, Numerics.ILanes<T>
    {
        var streams = Streams();
        int W = field.BlockWidth, pairs = (D + 1) / 2, d = D, lanes = T.Count;
        bool noisy = false;
        for (int step = 0; step < Steps; step++) noisy |= table[3 * step + 2] != 0;
        var bound = T.Of(Watcher.Bound);
        // Work is counted in path-steps: each chunk of a block carries its paths through every step before the next.
        Watcher = new Watcher(Watch, (long)N * Steps);
        Parallel.For(0, Samplers.Blocks, Options, b =>
        {
            var (lo, hi) = Range(N, b);
            if (lo == hi) return;
            var xT = new double[d * W];
            var sT = new double[d * W];
            var u = new double[2 * pairs * W];
            var scratch = new double[field.BlockScratchLength];
            ref double x0 = ref MemoryMarshal.GetArrayDataReference(X);
            ref double t0 = ref MemoryMarshal.GetArrayDataReference(xT);
            ref double s0r = ref MemoryMarshal.GetArrayDataReference(sT);
            ref double u0 = ref MemoryMarshal.GetArrayDataReference(u);
            // Chunk-major: W paths are turned coordinate-major once, carried through every step in registers and L1, and
            // turned back; paths are independent, so the order changes no bit.
            for (int start = lo; start < hi; start += W)
            {
                int m = Math.Min(W, hi - start);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < d; j++) Unsafe.Add(ref t0, j * W + i) = Unsafe.Add(ref x0, (start + i) * d + j);
                if (m < W) for (int j = 0; j < d; j++) xT.AsSpan(j * W + m, W - m).Clear();
                // An escape earlier in the block makes later steps of this chunk pointless: the run stops at the earliest.
                int steps = Math.Min(Steps, Watcher.EscapeStep(b));
                for (int step = 0; step < steps; step++)
                {
                    double t = Times[step];
                    var cx = T.Of(table[3 * step]);
                    var cs = T.Of(table[3 * step + 1]);
                    var cn = T.Of(table[3 * step + 2]);
                    field.ScoreBlock<T>(t, xT, sT, scratch);
                    if (noisy)
                    {
                        // Two uniforms a pair from each path's own xoshiro256** stream (as Xoshiro.Normals draws them):
                        // u1 in (0, 1) for the radius, u2 in [0, 1) for the angle.
                        for (int i = 0; i < m; i++)
                        {
                            var stream = Streams(streams, start + i);
                            for (int p = 0; p < pairs; p++)
                            {
                                var (u1, u2) = Numerics.Xoshiro.BoxMullerUniforms(stream);
                                Unsafe.Add(ref u0, p * W + i) = u1;
                                Unsafe.Add(ref u0, (pairs + p) * W + i) = u2;
                            }
                        }
                        if (m < W)
                            for (int p = 0; p < pairs; p++) { u.AsSpan(p * W + m, W - m).Fill(1); u.AsSpan((pairs + p) * W + m, W - m).Clear(); }
                        Numerics.VectorMath.BoxMuller<T>(u.AsSpan(0, pairs * W), u.AsSpan(pairs * W, pairs * W));
                        for (int j = 0; j < d; j++)
                        {
                            int z = (j & 1) == 0 ? j / 2 * W : (pairs + j / 2) * W;
                            for (int p = 0; p < W; p += lanes)
                                T.Store(T.Fma(cn, T.Load(ref u0, z + p), T.Fma(cs, T.Load(ref s0r, j * W + p), cx * T.Load(ref t0, j * W + p))), ref t0, j * W + p);
                        }
                    }
                    else
                        for (int q = 0; q < d * W; q += lanes)
                            T.Store(T.Fma(cs, T.Load(ref s0r, q), cx * T.Load(ref t0, q)), ref t0, q);
                    // The escape watch on whole registers (unused lanes stay near the origin); path by path only when a lane fails.
                    bool escaped = false;
                    for (int q = 0; q < d * W && !escaped; q += lanes) escaped = !T.All(T.LessOrEqual(T.Abs(T.Load(ref t0, q)), bound));
                    if (escaped)
                    {
                        var path = new double[d];
                        for (int i = 0; i < m; i++)
                        {
                            for (int j = 0; j < d; j++) path[j] = Unsafe.Add(ref t0, j * W + i);
                            if (Watcher.Escaped(path, b, step)) break;
                        }
                        break;
                    }
                    int slot = slots[step + 1];
                    if (slot >= 0)
                    {
                        var state = States[slot];
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < d; j++) state[(start + i) * d + j] = Unsafe.Add(ref t0, j * W + i);
                    }
                }
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < d; j++) Unsafe.Add(ref x0, (start + i) * d + j) = Unsafe.Add(ref t0, j * W + i);
                Watcher.Done((long)m * Steps);
            }
        });
        return (long)N * Steps;
    }

    /// <summary>The stream of path i.</summary>
    public static Span<ulong> Streams(ulong[] streams, int i) => streams.AsSpan(4 * i, 4);

    /// <summary>Throws for the earliest escape, at the grid time the escaping step reached.</summary>
    public void ThrowIfEscaped() => Watcher.ThrowIfEscaped(Times);
}
