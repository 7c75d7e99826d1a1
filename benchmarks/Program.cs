using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;

BenchmarkSwitcher.FromAssembly(typeof(EnsembleBenchmarks).Assembly).Run(args);

/// <summary>
/// Ensemble throughput on the contract's 2D two-component mixture along the VP path: N = 10000 paths, 100 steps.
/// Divide N x steps by the mean time for path-steps per second (benchmarks/README.md).
/// </summary>
[MemoryDiagnoser]
public class EnsembleBenchmarks
{
    public const int N = 10000, Steps = 100;
    private GaussianMixture data = null!;
    private GaussianPath path = null!;
    private ScoreFunction score = null!;
    private Ensemble initial = null!;
    private Schedule schedule = null!;

    [Params(1, 2)] public int Threads;

    [GlobalSetup]
    public void Setup()
    {
        data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
        path = GaussianPath.Vp;
        score = Samplers.ExactScore(new MarginalField(data, path));
        schedule = Schedule.For(path, Steps);
        initial = Samplers.ExactMarginalSample(data, path, schedule.TStart, N, 1);
    }

    [Benchmark] public Ensemble EulerMaruyama() => Samplers.Run(path, score, new Sampler.ReverseSde(), initial, schedule, 1, Threads).Final;
    [Benchmark] public Ensemble ProbabilityFlowEuler() => Samplers.Run(path, score, new Sampler.ProbabilityFlow(OdeMethod.Euler), initial, schedule, 1, Threads).Final;
    [Benchmark] public Ensemble ProbabilityFlowRk4() => Samplers.Run(path, score, new Sampler.ProbabilityFlow(OdeMethod.Rk4), initial, schedule, 1, Threads).Final;
}

/// <summary>Single-thread costs of the pieces: one exact score evaluation, and the normals one Euler-Maruyama step draws.</summary>
public class KernelBenchmarks
{
    private MarginalField field = null!;
    private readonly double[] x = [0.3, -0.2], s = new double[2], xi = new double[2];
    private readonly ulong[] state = new ulong[4];

    [GlobalSetup]
    public void Setup()
    {
        field = new MarginalField(GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]), GaussianPath.Vp);
        Xoshiro.Seed(state, 1, 0);
    }

    /// <summary>1000 exact score evaluations at one time (the per-time coefficients are cached, as in a sampler step).</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public double ExactScore()
    {
        double acc = 0;
        for (int i = 0; i < 1000; i++) { x[0] = 0.001 * i; field.Score(0.5, x, s); acc += s[0]; }
        return acc;
    }

    /// <summary>1000 pairs of standard normals (xoshiro256** and Box-Muller, one pair at a time): the scalar samplers' normals.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public double TwoNormals()
    {
        double acc = 0;
        for (int i = 0; i < 1000; i++) { Xoshiro.Normals(state, xi); acc += xi[0]; }
        return acc;
    }
}

/// <summary>
/// Issue 15's limit: the sampler (reverse SDE, Euler-Maruyama, exact score of the three-component 2D mixture, VP) against
/// a kernel that does only the unavoidable part of each path-step on the same ensemble, blocks and threads: two uniforms
/// from the path's xoshiro256** stream, the Box-Muller pair in registers, and the K = 3 exponentials of the mixture
/// responsibilities in registers. N = 200000 paths, 50 steps: divide N x 50 by the mean for path-steps per second.
/// </summary>
[MemoryDiagnoser]
public class LimitBenchmarks
{
    public const int N = 200_000, Steps = 50, K = 3;
    private GaussianMixture data = null!;
    private GaussianPath path = null!;
    private ScoreFunction score = null!;
    private Ensemble initial = null!;
    private Schedule schedule = null!;
    private MarginalField field = null!;

    [Params(1, 2)] public int Threads;

    [GlobalSetup]
    public void Setup()
    {
        data = GaussianMixture.Isotropic([0.5, 0.3, 0.2], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.5, 0.7, 0.4]);
        path = GaussianPath.Vp;
        field = new MarginalField(data, path);
        score = Samplers.ExactScore(field);
        schedule = Schedule.For(path, Steps);
        initial = Samplers.ExactMarginalSample(data, path, schedule.TStart, N, 1);
    }

    [Benchmark(Baseline = true)] public Ensemble Sampler() => Samplers.Run(path, score, new Sampler.ReverseSde(), initial, schedule, 1, Threads).Final;

    [Benchmark] public double NormalsAndExponentials() => VectorMath.Wide ? Limit<Lanes512>() : Limit<VectorLanes>();

    private double Limit<T>() where T : struct, ILanes<T>
    {
        int W = field.BlockWidth;
        var streams = new ulong[4 * N];
        for (int i = 0; i < N; i++) Xoshiro.Seed(streams.AsSpan(4 * i, 4), 1, (ulong)i);
        var sums = new double[Samplers.Blocks];
        Parallel.For(0, Samplers.Blocks, new ParallelOptions { MaxDegreeOfParallelism = Threads }, b =>
        {
            var (lo, hi) = SamplerRun.Range(N, b);
            var u = new double[2 * W];
            var logits = new double[K * W];
            for (int p = 0; p < logits.Length; p++) logits[p] = -0.001 * (p % 97);
            var acc = T.Of(0.0);
            for (int step = 0; step < Steps; step++)
                for (int start = lo; start < hi; start += W)
                {
                    int m = Math.Min(W, hi - start);
                    for (int i = 0; i < m; i++)
                    {
                        (u[i], u[W + i]) = Xoshiro.BoxMullerUniforms(streams.AsSpan(4 * (start + i), 4));
                    }
                    VectorMath.BoxMuller<T>(u.AsSpan(0, W), u.AsSpan(W, W));
                    for (int p = 0; p < K * W; p += T.Count) acc += VectorMath.Exp(T.Load(ref logits[0], p));
                    acc += T.Load(ref u[0], 0);
                }
            sums[b] = T.First(acc);
        });
        return sums.Sum();
    }
}
