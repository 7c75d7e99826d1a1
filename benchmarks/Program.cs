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

    /// <summary>1000 pairs of standard normals (xoshiro256** with the polar method): the random-number floor of a 2D step.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public double TwoNormals()
    {
        double acc = 0;
        for (int i = 0; i < 1000; i++) { Xoshiro.Normals(state, xi); acc += xi[0]; }
        return acc;
    }
}
