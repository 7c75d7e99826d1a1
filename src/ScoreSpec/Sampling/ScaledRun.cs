using ScoreSpec.Numerics;
using ScoreSpec.Paths;

namespace ScoreSpec.Sampling;

/// <summary>
/// The coordinates in which the samplers of k-diffusion, EDM and DPM-Solver are written, on any Gaussian path: with
/// x_t = alpha_t z + sigma_t e, the scaled state xh = x / alpha_t = z + sigmah e is a variance-exploding path in
/// sigmah = sigma_t / alpha_t = exp(-lambda), lambda = log(alpha_t / sigma_t) being half the log-SNR (Karras et al. 2022,
/// section 4; Lu et al. 2022, section 3). The probability-flow ODE there reads d xh / d sigmah = eps(xh, sigmah), with the
/// noise prediction eps = -sigma_t score(t, alpha_t xh), and the data prediction is D = xh - sigmah eps. A sampler
/// writes its step in (xh, sigmah) or (xh, lambda); this runner converts the path's state at each grid point, evaluates
/// eps from the run's score at grid and intermediate times, keeps per-path history for multistep methods, and leaves
/// blocks, streams, the escape watch and the recording to <see cref="SamplerRun"/>.
/// </summary>
internal sealed class ScaledRun
{
    public ScaledRun(SamplerRun run)
    {
        Run = run;
        int m = run.Times.Length;
        Alpha = new double[m]; Sigma = new double[m]; Lambda = new double[m];
        SigmaHat = Levels(run.Path, run.Times);
        for (int k = 0; k < m; k++)
        {
            var p = run.Path.At(run.Times[k]);
            Alpha[k] = p.Alpha; Sigma[k] = p.Sigma;
            Lambda[k] = LambdaAt(run.Path, run.Times[k]);
        }
    }

    public SamplerRun Run { get; }
    /// <summary>alpha at each grid point.</summary>
    public double[] Alpha { get; }
    /// <summary>sigma at each grid point.</summary>
    public double[] Sigma { get; }
    /// <summary>sigmah = sigma / alpha at each grid point.</summary>
    public double[] SigmaHat { get; }
    /// <summary>lambda = log(alpha / sigma) at each grid point.</summary>
    public double[] Lambda { get; }
    public int D => Run.D;
    public int Steps => Run.Steps;

    /// <summary>lambda = log(alpha / sigma) at time t, from the path's log-SNR without the ratio's cancellation.</summary>
    public static double LambdaAt(GaussianPath path, double t) => path.LogSnr(t) / 2;

    /// <summary>sigmah = sigma / alpha at each of <paramref name="times"/> (the levels of the grid in these coordinates).</summary>
    public static double[] Levels(GaussianPath path, double[] times) => times.Select(t => { var p = path.At(t); return p.Sigma / p.Alpha; }).ToArray();

    /// <summary>The time, alpha and sigma where lambda takes <paramref name="lambda"/> (for intermediate stages).</summary>
    public (double T, double Alpha, double Sigma) AtLambda(double lambda, string option) => AtLambda(Run.Path, lambda, option);

    /// <summary>The time, alpha and sigma of <paramref name="path"/> where lambda takes <paramref name="lambda"/>.</summary>
    public static (double T, double Alpha, double Sigma) AtLambda(GaussianPath path, double lambda, string option)
    {
        double t;
        try { t = path.TimeOfLogSnr(2 * lambda); }
        catch (ArgumentException) { throw new ArgumentException($"a stage of the sampler falls at lambda = {lambda:R}, outside the range of {path} on (0, 1).", option); }
        var p = path.At(t);
        return (t, p.Alpha, p.Sigma);
    }

    /// <summary>eps = -sigma score(t, alpha xh) into <paramref name="eps"/>; <paramref name="buffer"/> is d scratch.</summary>
    public void Eps(double t, double alpha, double sigma, ReadOnlySpan<double> xh, Span<double> eps, Span<double> buffer)
    {
        for (int j = 0; j < xh.Length; j++) buffer[j] = alpha * xh[j];
        Run.Score(t, buffer, eps);
        for (int j = 0; j < eps.Length; j++) eps[j] = -sigma * eps[j];
    }

    /// <summary>eps at grid point k.</summary>
    public void EpsAt(int k, ReadOnlySpan<double> xh, Span<double> eps, Span<double> buffer) => Eps(Run.Times[k], Alpha[k], Sigma[k], xh, eps, buffer);

    /// <summary>
    /// One step k -> k + 1 of one path in scaled coordinates: <paramref name="xh"/> holds xh_k and receives xh_{k+1};
    /// <paramref name="work"/> is the block's scratch, <paramref name="history"/> the path's own memory kept across steps,
    /// <paramref name="stream"/> its noise stream. Returns the score evaluations made.
    /// </summary>
    public delegate int Step(int k, Span<double> xh, Span<double> work, Span<double> history, Span<ulong> stream);

    /// <summary>
    /// Runs <paramref name="step"/> over the grid for every path, block by block in parallel and step-major inside a
    /// block, with <paramref name="workVectors"/> d-vectors of block scratch and <paramref name="historyVectors"/> of
    /// per-path history, all allocated once per run. Returns the score evaluations.
    /// </summary>
    public long Each(int workVectors, int historyVectors, Step step)
    {
        var streams = Run.Streams();
        long[] nfe = new long[Samplers.Blocks];
        Parallel.For(0, Samplers.Blocks, Run.Options, b =>
        {
            var (lo, hi) = SamplerRun.Range(Run.N, b);
            int d = D;
            var work = new double[Math.Max(1, workVectors) * d];
            var history = new double[Math.Max(1, (hi - lo) * historyVectors * d)];
            var xh = new double[d];
            for (int k = 0; k < Steps; k++)
            {
                double toScaled = 1 / Alpha[k], back = Alpha[k + 1];
                for (int i = lo; i < hi; i++)
                {
                    var x = Run.X.AsSpan(i * d, d);
                    for (int j = 0; j < d; j++) xh[j] = x[j] * toScaled;
                    nfe[b] += step(k, xh, work, history.AsSpan((i - lo) * historyVectors * d, historyVectors * d), SamplerRun.Streams(streams, i));
                    for (int j = 0; j < d; j++) x[j] = back * xh[j];
                    if (Run.Watcher.Escaped(x, b, k)) return;
                    Run.Keep(k + 1, i);
                }
                Run.Watcher.Done(1);
            }
        });
        return nfe.Sum();
    }

    /// <summary>
    /// k-diffusion's ancestral split of a step from sigmah to sigmah' (get_ancestral_step): the noise added,
    /// sigma_up = min(sigmah', eta sqrt(sigmah'^2 (sigmah^2 - sigmah'^2) / sigmah^2)), and the level the deterministic part
    /// goes to, sigma_down = sqrt(sigmah'^2 - sigma_up^2), so that sigma_down^2 + sigma_up^2 = sigmah'^2.
    /// </summary>
    public static (double Down, double Up) AncestralSplit(double from, double to, double eta)
    {
        double up = to < from ? Math.Min(to, eta * Math.Sqrt(to * to * (from * from - to * to) / (from * from))) : 0;
        return (Math.Sqrt(to * to - up * up), up);
    }

    /// <summary>
    /// W(level) of the path's Brownian tree on [0, sigmah_0] (k-diffusion's BrownianTreeNoiseSampler spans its schedule
    /// the same way), into <paramref name="w"/>. The tree is keyed by the run's seed and the path's stream, which the
    /// samplers that use it never draw from. A sampler keeps the value at the current grid level in its history and asks
    /// only for the new ones, so each step costs one descent per new level.
    /// </summary>
    public void TreeValue(double level, Span<ulong> stream, Span<double> w) =>
        Solvers.BrownianTree.Fill(SplitMix64.Hash(Run.Seed, stream[0]), 0, SigmaHat[0], 1e-12, level, w);

    /// <summary>
    /// The normalised tree increment of grid step k into <paramref name="result"/>, with W(sigmah_k) kept in
    /// <paramref name="wNow"/> (part of the path's history; filled at k = 0) and replaced by W(sigmah_{k+1});
    /// <paramref name="scratch"/> is d scratch.
    /// </summary>
    public void TreeStep(int k, Span<ulong> stream, Span<double> wNow, Span<double> scratch, Span<double> result)
    {
        if (k == 0) TreeValue(SigmaHat[0], stream, wNow);
        TreeValue(SigmaHat[k + 1], stream, scratch);
        Normalised(wNow, scratch, SigmaHat[k], SigmaHat[k + 1], result);
        scratch.CopyTo(wNow);
    }

    /// <summary>(W(to) - W(from)) / sqrt|to - from| from the two values, into <paramref name="result"/>.</summary>
    public static void Normalised(ReadOnlySpan<double> wFrom, ReadOnlySpan<double> wTo, double from, double to, Span<double> result)
    {
        double scale = 1 / Math.Sqrt(Math.Abs(to - from));
        for (int j = 0; j < result.Length; j++) result[j] = (wTo[j] - wFrom[j]) * scale;
    }

    /// <summary>Normals for path noise.</summary>
    public static void Normals(Span<ulong> stream, Span<double> output) => Xoshiro.Normals(stream, output);
}
