using ScoreSpec.Densities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// Every sampler, path by path and step by step, against a reference written here from the theory and sharing no code
/// with the sampler beyond the noise streams (xoshiro stream (seed, i) for path i, d normals per step, as the samplers
/// document) and the path's closed forms alpha, sigma and Proposition 1's a_t, b_t:
/// - the velocity is u = a_t s + b_t x (Proposition 1, shared/seeds/002 Ch. 3), not the samplers' F x - D g^2 s / 2;
/// - the reverse drift is 2 u - b_t x = 2 a_t s + b_t x (Anderson, shared/seeds/003), and g^2 = -2 a_t / D;
/// - the score is the mixture marginal's own (MixtureMarginal), not the samplers' MarginalField.
/// The samplers' statistical checks see the law of an ensemble; these see each path, on a few paths and steps, so they
/// run in milliseconds and pin the exact update of every sampler (the regression oracle for a rewrite of the sampler
/// layer, and the fast tier that Stryker runs for each mutant of Sampling). Tolerance: 1e-9 relative, the rounding of
/// the two formulas' different operation orders compounded over the steps (both are O(1e-15) a step).
/// </summary>
public class SamplerReferences
{
    private const int N = 7, Steps = 6;
    private const ulong Seed = 20261125;

    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.35, 0.65], [[-1.2, 0.4], [0.9, -0.3]], [0.5, 0.8]);

    public static TheoryData<string> Kinds => new(Identities.RandomInstances.Kinds);

    private static GaussianPath PathOf(string kind) => kind switch
    {
        "vp" => new VpPath(0.1, 20),
        "ve" => new VePath(0.02, 30),
        _ => PathRegistry.Get(kind).Default,
    };

    /// <summary>From near the noise end to near the data end.</summary>
    private static Schedule ScheduleOf(GaussianPath path) => path.NoisingDirection > 0 ? new Schedule(0.9, 0.1, Steps) : new Schedule(0.1, 0.9, Steps);

    private static double[] Score(GaussianPath path, double t, double[] x) => Data.Along(path, t).Score(x);

    private static double[] Velocity(GaussianPath path, double t, double[] x)
    {
        var s = Score(path, t, x);
        double a = path.A(t), b = path.At(t).B;
        return x.Select((v, i) => a * s[i] + b * v).ToArray();
    }

    private static double G2(GaussianPath path, double t) => -2 * path.A(t) / path.NoisingDirection;

    private static Ensemble Start(GaussianPath path, Schedule schedule) => Samplers.ExactMarginalSample(Data, path, schedule.TStart, N, Seed);

    private static ScoreFunction LibraryScore(GaussianPath path) => Samplers.ExactScore(new MarginalField(Data, path));

    /// <summary>Runs <paramref name="step"/>(path index, step index, t, t_next, x, noise stream) over every path.</summary>
    private static double[][] Reference(Ensemble start, Func<int, double, double, double[], ulong[], double[]> step, Schedule schedule)
    {
        var rows = start.Rows();
        for (int i = 0; i < rows.Length; i++)
        {
            var stream = new ulong[4];
            Xoshiro.Seed(stream, Seed, (ulong)i);
            for (int k = 0; k < schedule.Steps; k++) rows[i] = step(k, schedule.Time(k), schedule.Time(k + 1), rows[i], stream);
        }
        return rows;
    }

    private static double[] Normals(ulong[] stream, int d)
    {
        var xi = new double[d];
        Xoshiro.Normals(stream, xi);
        return xi;
    }

    private static void AssertClose(double[][] expected, Ensemble actual, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
            {
                double e = expected[i][j], a = actual.Values[i * actual.Dimension + j];
                Assert.True(Math.Abs(e - a) <= 1e-9 * (Math.Abs(e) + 1), $"{what}: path {i} coordinate {j}: sampler {a:R}, reference {e:R}");
            }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ReverseSdeIsEulerMaruyamaOnAndersonsReverseSde(string kind)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        double h = schedule.H;
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            var s = Score(path, t, x);
            var xi = Normals(rng, x.Length);
            double a = path.A(t), b = path.At(t).B, g = Math.Sqrt(G2(path, t));
            return x.Select((v, j) => v + (2 * a * s[j] + b * v) * h + g * Math.Sqrt(Math.Abs(h)) * xi[j]).ToArray();
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.ReverseSde(), start, schedule, Seed);
        AssertClose(expected, run.Final, $"reverse-sde on {kind}");
        Assert.Equal((long)N * Steps, run.Evaluations);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ExtensionIsEulerMaruyamaOnTheVelocityPlusLangevinTerms(string kind)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        double h = schedule.H;
        Func<double, double> sigma = t => 0.3 + 0.8 * t;
        // dx = [u - D sigma^2 s / 2] dt + sigma dW in the path's own time (shared/seeds/002 Ch. 4, Theorem 17).
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            var u = Velocity(path, t, x);
            var s = Score(path, t, x);
            var xi = Normals(rng, x.Length);
            double sg = sigma(t);
            return x.Select((v, j) => v + (u[j] - path.NoisingDirection * sg * sg / 2 * s[j]) * h + sg * Math.Sqrt(Math.Abs(h)) * xi[j]).ToArray();
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.Extension(sigma), start, schedule, Seed);
        AssertClose(expected, run.Final, $"extension on {kind}");
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("cosine")]
    [InlineData("ve")]
    public void AncestralIsTheDiscreteReverseChain(string kind)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            var s = Score(path, t, x);
            var xi = Normals(rng, x.Length);
            if (kind == "ve")
            {
                // SMLD's ancestral step: the posterior of the smaller noise level given the larger.
                double big = path.Sigma(t) * path.Sigma(t), small = path.Sigma(tn) * path.Sigma(tn), jump = big - small;
                return x.Select((v, j) => v + jump * s[j] + Math.Sqrt(small * jump / big) * xi[j]).ToArray();
            }
            // DDPM's ancestral step with beta = 1 - alphabar_t / alphabar_{t_next}, alphabar = alpha^2.
            double beta = 1 - path.Alpha(t) * path.Alpha(t) / (path.Alpha(tn) * path.Alpha(tn));
            return x.Select((v, j) => (v + beta * s[j]) / Math.Sqrt(1 - beta) + Math.Sqrt(beta) * xi[j]).ToArray();
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.Ancestral(), start, schedule, Seed);
        AssertClose(expected, run.Final, $"ancestral on {kind}");
    }

    /// <summary>Every path kind with every one of <paramref name="values"/>.</summary>
    private static TheoryData<string, T> EveryKindWith<T>(params T[] values)
    {
        var data = new TheoryData<string, T>();
        foreach (var kind in Identities.RandomInstances.Kinds)
            foreach (var v in values) data.Add(kind, v);
        return data;
    }

    public static TheoryData<string, double> DdimCases() => EveryKindWith(0.0, 0.5, 1.0);

    /// <summary>
    /// DDIM (Song, Meng and Ermon 2021, eq. 12) in the path's alpha and sigma: predict e = -sigma_t s and
    /// x0 = (x - sigma_t e) / alpha_t, then x' = alpha_s x0 + sqrt(sigma_s^2 - c^2) e + c xi with the paper's
    /// c = eta sqrt((1 - abar_s)/(1 - abar_t)) sqrt(1 - abar_t/abar_s), written for any path as
    /// eta (sigma_s / sigma_t) sqrt(sigma_t^2 - alpha_t^2 sigma_s^2 / alpha_s^2).
    /// </summary>
    [Theory, MemberData(nameof(DdimCases))]
    public void DdimIsThePapersUpdate(string kind, double eta)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            var s = Score(path, t, x);
            var xi = Normals(rng, x.Length);
            double at = path.Alpha(t), st = path.Sigma(t), an = path.Alpha(tn), sn = path.Sigma(tn);
            double c = eta * sn / st * Math.Sqrt(Math.Max(0, st * st - at * at * sn * sn / (an * an)));
            return x.Select((v, j) =>
            {
                double e = -st * s[j], x0 = (v - st * e) / at;
                return an * x0 + Math.Sqrt(sn * sn - c * c) * e + c * xi[j];
            }).ToArray();
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.Ddim(eta), start, schedule, Seed);
        AssertClose(expected, run.Final, $"ddim eta={eta} on {kind}");
    }

    public static TheoryData<string, int, bool, bool, string> UniPcCases()
    {
        var data = new TheoryData<string, int, bool, bool, string>();
        foreach (var kind in Identities.RandomInstances.Kinds)
            foreach (int order in new[] { 1, 2, 3 })
                foreach (var (lof, corrector, type) in new[] { (true, true, "bh2"), (false, true, "bh1"), (false, false, "bh2") })
                    data.Add(kind, order, lof, corrector, type);
        return data;
    }

    /// <summary>
    /// UniPC as diffusers' UniPCMultistepScheduler writes it (predict_x0): in x, with lambda = log alpha - log sigma, the
    /// data prediction m = (x + sigma^2 s) / alpha, hh = -h, h phi_1 = expm1(hh) and the recursion
    /// h_phi_k := h_phi_k / hh - 1 / k! for the right-hand side b, the predictor
    /// x' = (sigma' / sigma) x - alpha' h phi_1 m0 - alpha' B(h) sum rho_p D1 and the corrector applied at the next
    /// evaluation with rho_c = R^-1 b; the order min(p, steps taken + 1), capped at N - k with lower_order_final. On six
    /// large steps (h about 1) the recursion's cancellation is far below the tolerance.
    /// </summary>
    [Theory, MemberData(nameof(UniPcCases))]
    public void UniPcIsDiffusersUpdate(string kind, int solverOrder, bool lowerOrderFinal, bool corrector, string type)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        double Lambda(double t) => Math.Log(path.Alpha(t)) - Math.Log(path.Sigma(t));
        double[] Model(double t, double[] x)
        {
            var sc = Score(path, t, x);
            return x.Select((v, j) => (v + path.Sigma(t) * path.Sigma(t) * sc[j]) / path.Alpha(t)).ToArray();
        }
        // One UniP or UniC update from x at grid point k to k + 1 with the stored outputs ms (ms[^1] at k) and, for the
        // corrector, the output at k + 1.
        double[] Update(int k, double[] x, List<double[]> ms, int order, double[]? modelNext)
        {
            double ts = schedule.Time(k), tt = schedule.Time(k + 1);
            double h = Lambda(tt) - Lambda(ts), hh = -h;
            var m0 = ms[^1];
            var rks = new List<double>();
            var d1s = new List<double[]>();
            for (int i = 1; i < order; i++)
            {
                double rk = (Lambda(schedule.Time(k - i)) - Lambda(ts)) / h;
                rks.Add(rk);
                d1s.Add(ms[^(i + 1)].Select((v, j) => (v - m0[j]) / rk).ToArray());
            }
            rks.Add(1);
            double hPhi1 = Math.Exp(hh) - 1, hPhiK = hPhi1 / hh - 1, factorial = 1;
            double bh = type == "bh1" ? hh : Math.Exp(hh) - 1;
            var b = new double[order];
            for (int i = 1; i <= order; i++)
            {
                b[i - 1] = hPhiK * factorial / bh;
                factorial *= i + 1;
                hPhiK = hPhiK / hh - 1 / factorial;
            }
            var rMatrix = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(order, order, (i, j) => Math.Pow(rks[j], i));
            double[] rhos = modelNext is null
                ? (order == 1 ? [] : order == 2 ? [0.5] : rMatrix.SubMatrix(0, order - 1, 0, order - 1).Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(b[..(order - 1)])).ToArray())
                : (order == 1 ? [0.5] : rMatrix.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(b)).ToArray());
            double at = path.Alpha(tt), st = path.Sigma(tt), ss = path.Sigma(ts);
            return x.Select((v, j) =>
            {
                double res = 0;
                for (int i = 0; i < d1s.Count; i++) res += rhos[i] * d1s[i][j];
                if (modelNext is not null) res += rhos[^1] * (modelNext[j] - m0[j]);
                return st / ss * v - at * hPhi1 * m0[j] - at * bh * res;
            }).ToArray();
        }
        var rows = start.Rows();
        for (int p = 0; p < rows.Length; p++)
        {
            var ms = new List<double[]>();
            double[] x = rows[p], lastSample = x;
            int lastOrder = 0;
            for (int k = 0; k < schedule.Steps; k++)
            {
                var m = Model(schedule.Time(k), x);
                if (corrector && k > 0) x = Update(k - 1, lastSample, ms, lastOrder, m);
                ms.Add(m);
                int order = Math.Min(lowerOrderFinal ? Math.Min(solverOrder, schedule.Steps - k) : solverOrder, k + 1);
                lastSample = x;
                lastOrder = order;
                x = Update(k, x, ms, order, null);
            }
            rows[p] = x;
        }
        var sampler = new Sampler.UniPc(solverOrder, type == "bh1" ? UniPcVariant.Bh1 : UniPcVariant.Bh2, lowerOrderFinal, corrector);
        var run = Samplers.Run(path, LibraryScore(path), sampler, start, schedule, Seed);
        AssertClose(rows, run.Final, $"unipc order {solverOrder} {type} lof={lowerOrderFinal} corrector={corrector} on {kind}");
    }

    /// <summary>
    /// Flow matching's Euler with SD3's shift, from the formulas: on condot the noise level is sigma = 1 - t; the levels
    /// between the grid's end levels l0 and lN are moved by u -&gt; s u / (1 + (s - 1) u) on u = (sigma - lN) / (l0 - lN);
    /// then Euler on the velocity u = a_t s + b_t x (Proposition 1) through the moved times.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(0.5)]
    public void FlowMatchEulerIsEulerThroughShiftedLevels(double shift)
    {
        var path = PathOf("condot");
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        double l0 = 1 - schedule.Time(0), lN = 1 - schedule.Time(Steps);
        double Moved(int k)
        {
            if (k == 0 || k == Steps) return schedule.Time(k);
            double u = (1 - schedule.Time(k) - lN) / (l0 - lN);
            return 1 - (lN + shift * u / (1 + (shift - 1) * u) * (l0 - lN));
        }
        var expected = Reference(start, (k, _, _, x, _) =>
        {
            double t = Moved(k), tn = Moved(k + 1);
            var u = Velocity(path, t, x);
            return x.Select((v, j) => v + (tn - t) * u[j]).ToArray();
        }, schedule);
        var sampler = new Sampler.FlowMatchEuler(shift);
        AssertClose(expected, Samplers.Run(path, LibraryScore(path), sampler, start, schedule, Seed).Final, $"flow_match_euler shift {shift}");
        var times = sampler.StepTimes(schedule.Grid, path);
        for (int k = 0; k <= Steps; k++) Assert.Equal(Moved(k), times[k], 14);
        // A shift above 1 moves every interior point towards the noise end (t = 0 on condot), below 1 towards the data.
        for (int k = 1; k < Steps; k++)
            Assert.True(shift == 1 ? times[k] == schedule.Time(k) : (shift > 1) == (times[k] < schedule.Time(k)), $"point {k}: {times[k]} against {schedule.Time(k)}");
    }

    /// <summary>
    /// NCSN's Algorithm 1 on ve: at each grid point after the start, in turn, T Langevin steps
    /// x + (a / 2) s(t_k, x) + sqrt(a) xi with a = epsilon sigma(t_k)^2 / sigma(t_N)^2, d normals a step from the path's stream.
    /// </summary>
    [Fact]
    public void AnnealedLangevinIsNcsnsAlgorithm()
    {
        var path = PathOf("ve");
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        const int perLevel = 3;
        const double epsilon = 0.01;
        double smallest = path.Sigma(schedule.Time(Steps));
        var expected = Reference(start, (k, _, tn, x, rng) =>
        {
            double a = epsilon * Math.Pow(path.Sigma(tn) / smallest, 2);
            for (int m = 0; m < perLevel; m++)
            {
                var s = Score(path, tn, x);
                var xi = Normals(rng, x.Length);
                x = x.Select((v, j) => v + a / 2 * s[j] + Math.Sqrt(a) * xi[j]).ToArray();
            }
            return x;
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.AnnealedLangevin(perLevel, epsilon), start, schedule, Seed);
        AssertClose(expected, run.Final, "annealed_langevin");
        Assert.Equal((long)N * Steps * perLevel, run.Evaluations);
        var e = Assert.Throws<ArgumentException>(() => Samplers.Run(PathOf("vp"), LibraryScore(PathOf("vp")), new Sampler.AnnealedLangevin(), Start(PathOf("vp"), ScheduleOf(PathOf("vp"))), ScheduleOf(PathOf("vp")), Seed));
        Assert.Equal("path", e.ParamName);
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    public void FlowMatchEulerRefusesPathsWithoutFlowMatchingsNoiseLevel(string kind)
    {
        var path = PathOf(kind);
        var e = Assert.Throws<ArgumentException>(() => Samplers.Run(path, LibraryScore(path), new Sampler.FlowMatchEuler(3), Start(path, ScheduleOf(path)), ScheduleOf(path), Seed));
        Assert.Equal("path", e.ParamName);
        Assert.NotNull(SamplerRegistry.Get("flow_match_euler").DefinedOn(path));
    }

    [Theory]
    [InlineData("subvp")]
    [InlineData("condot")]
    public void AncestralRefusesPathsWithoutADiscreteChain(string kind)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var ex = Assert.Throws<ArgumentException>(() => Samplers.Run(path, LibraryScore(path), new Sampler.Ancestral(), Start(path, schedule), schedule, Seed));
        Assert.Contains(kind, ex.Message);
    }

    public static TheoryData<string, PcVariant> PcCases() => EveryKindWith(PcVariant.ScoreSde, PcVariant.Seed003);

    /// <summary>
    /// Predictor-corrector: score_sde's order (Song et al. 2021, Algorithm 2-3: two Langevin corrector steps at t, then
    /// the reverse-SDE predictor; step 2 alpha_i (snr mean|z| / mean|s|)^2 with alpha_i = alpha_t^2 / alpha_{t_next}^2, the
    /// signal ratio, which is score_sde's 1 - beta_i on VP and sub-VP and 1 on VE), or shared/seeds/003's listing (predictor, then the corrector at t_next with
    /// step snr |Z|^2 / |S|^2 over the whole ensemble). The corrector's step depends on the whole ensemble, so the
    /// reference runs all paths together.
    /// </summary>
    [Theory, MemberData(nameof(PcCases))]
    public void PredictorCorrectorIsTheDocumentedAlgorithm(string kind, PcVariant variant)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        const double snr = 0.16;
        const int correctorSteps = 2;
        double h = schedule.H;
        var x = start.Rows();
        var streams = Enumerable.Range(0, N).Select(i => { var s = new ulong[4]; Xoshiro.Seed(s, Seed, (ulong)i); return s; }).ToArray();
        void Corrector(double t, double alpha)
        {
            var s = x.Select(xi => Score(path, t, xi)).ToArray();
            var z = streams.Select(st => Normals(st, 2)).ToArray();
            double Norm(double[] v) => Math.Sqrt(v.Sum(c => c * c));
            double eps = variant == PcVariant.ScoreSde
                ? 2 * alpha * Math.Pow(snr * z.Average(Norm) / s.Average(Norm), 2)
                : snr * z.Sum(v => v.Sum(c => c * c)) / s.Sum(v => v.Sum(c => c * c));
            x = x.Select((xi, i) => xi.Select((v, j) => v + eps * s[i][j] + Math.Sqrt(2 * eps) * z[i][j]).ToArray()).ToArray();
        }
        void Predictor(double t)
        {
            double a = path.A(t), b = path.At(t).B, g = Math.Sqrt(G2(path, t));
            x = x.Select((xi, i) =>
            {
                var s = Score(path, t, xi);
                var e = Normals(streams[i], 2);
                return xi.Select((v, j) => v + (2 * a * s[j] + b * v) * h + g * Math.Sqrt(Math.Abs(h)) * e[j]).ToArray();
            }).ToArray();
        }
        for (int k = 0; k < Steps; k++)
        {
            double t = schedule.Time(k), tn = schedule.Time(k + 1);
            if (variant == PcVariant.ScoreSde)
            {
                double alpha = Math.Pow(path.Alpha(t) / path.Alpha(tn), 2);
                for (int c = 0; c < correctorSteps; c++) Corrector(t, alpha);
                Predictor(t);
            }
            else
            {
                Predictor(t);
                for (int c = 0; c < correctorSteps; c++) Corrector(tn, 1);
            }
        }
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.PredictorCorrector(snr, correctorSteps, variant), start, schedule, Seed);
        AssertClose(x, run.Final, $"predictor-corrector {variant} on {kind}");
        Assert.Equal((long)N * Steps * (1 + correctorSteps), run.Evaluations);
    }

    public static TheoryData<string, OdeMethod> OdeCases() => EveryKindWith(OdeMethod.Euler, OdeMethod.Heun, OdeMethod.Rk4);

    /// <summary>The probability-flow ODE dx/dt = u(t, x) with Euler, Heun (explicit trapezoid) or classical RK4 steps.</summary>
    [Theory, MemberData(nameof(OdeCases))]
    public void ProbabilityFlowIsTheFixedStepMethodOnTheVelocity(string kind, OdeMethod method)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        double h = schedule.H;
        double[] Add(double[] x, double c, double[] v) => x.Select((w, j) => w + c * v[j]).ToArray();
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            // The samplers step from t = TStart + k h by h; the last grid point is TEnd exactly.
            var k1 = Velocity(path, t, x);
            switch (method)
            {
                case OdeMethod.Euler:
                    return Add(x, h, k1);
                case OdeMethod.Heun:
                {
                    var k2 = Velocity(path, t + h, Add(x, h, k1));
                    return x.Select((w, j) => w + h / 2 * (k1[j] + k2[j])).ToArray();
                }
                default:
                {
                    var k2 = Velocity(path, t + h / 2, Add(x, h / 2, k1));
                    var k3 = Velocity(path, t + h / 2, Add(x, h / 2, k2));
                    var k4 = Velocity(path, t + h, Add(x, h, k3));
                    return x.Select((w, j) => w + h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])).ToArray();
                }
            }
        }, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.ProbabilityFlow(method), start, schedule, Seed);
        AssertClose(expected, run.Final, $"probability flow {method} on {kind}");
        int perStep = method switch { OdeMethod.Euler => 1, OdeMethod.Heun => 2, _ => 4 };
        Assert.Equal((long)N * Steps * perStep, run.Evaluations);
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("condot")]
    public void AdaptiveProbabilityFlowSolvesEachPathToItsTolerance(string kind)
    {
        var path = PathOf(kind);
        var schedule = ScheduleOf(path);
        var start = Start(path, schedule);
        var run = Samplers.Run(path, LibraryScore(path), new Sampler.ProbabilityFlow(OdeMethod.DormandPrince, 1e-9, 1e-9), start, schedule, Seed);
        // Reference: each path by RK4 on the velocity with 4000 steps (error ~ h^4, far below 1e-9 here).
        const int fine = 4000;
        double h = (schedule.TEnd - schedule.TStart) / fine;
        for (int i = 0; i < N; i++)
        {
            var x = start.Row(i);
            for (int k = 0; k < fine; k++)
            {
                double t = schedule.TStart + k * h;
                var k1 = Velocity(path, t, x);
                var k2 = Velocity(path, t + h / 2, x.Select((w, j) => w + h / 2 * k1[j]).ToArray());
                var k3 = Velocity(path, t + h / 2, x.Select((w, j) => w + h / 2 * k2[j]).ToArray());
                var k4 = Velocity(path, t + h, x.Select((w, j) => w + h * k3[j]).ToArray());
                x = x.Select((w, j) => w + h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])).ToArray();
            }
            for (int j = 0; j < 2; j++)
                Assert.True(Math.Abs(run.Final.Values[2 * i + j] - x[j]) < 1e-7 * (Math.Abs(x[j]) + 1), $"path {i}: {run.Final.Values[2 * i + j]:R} vs {x[j]:R}");
        }
        // The evaluations are every path's own solve's, summed.
        var field = Sde.Forward(path).ProbabilityFlow(LibraryScore(path)).DriftField;
        long perPath = Enumerable.Range(0, N).Sum(i => (long)Ode.Solve(new OdeProblem(field, [.. start.Row(i)], schedule.TStart, schedule.TEnd), new OdeAlgorithm.DormandPrince(1e-9, 1e-9)).Nfe);
        Assert.Equal(perPath, run.Evaluations);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ForwardIsEulerMaruyamaOnTheNoisingSde(string kind)
    {
        var path = PathOf(kind);
        var schedule = path.NoisingDirection > 0 ? new Schedule(0.1, 0.9, Steps) : new Schedule(0.9, 0.1, Steps);
        var start = Start(path, schedule);
        double h = schedule.H;
        var expected = Reference(start, (k, t, tn, x, rng) =>
        {
            var xi = Normals(rng, x.Length);
            double b = path.At(t).B, g = Math.Sqrt(G2(path, t));
            return x.Select((v, j) => v + b * v * h + g * Math.Sqrt(Math.Abs(h)) * xi[j]).ToArray();
        }, schedule);
        AssertClose(expected, Samplers.Forward(path, start, schedule, Seed).Final, $"forward on {kind}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LangevinIsUnadjustedOrMetropolisAdjusted(bool adjusted)
    {
        var target = Data;
        const double step = 0.6; // large enough that the fixed seed's chain both accepts and rejects (0.3 accepted all 42 proposals once the normals became Box-Muller)
        var start = Samplers.ExactDataSample(GaussianMixture.Isotropic([1.0], [[2.0, 2.0]], [0.6]), N, Seed);
        int accepted = 0;
        var expected = new double[N][];
        for (int i = 0; i < N; i++)
        {
            var rng = new ulong[4];
            Xoshiro.Seed(rng, Seed, (ulong)i);
            var x = start.Row(i);
            for (int k = 0; k < Steps; k++)
            {
                var s = target.Score(x);
                var xi = Normals(rng, 2);
                var y = x.Select((v, j) => v + step / 2 * s[j] + Math.Sqrt(step) * xi[j]).ToArray();
                if (!adjusted) { x = y; continue; }
                // Metropolis-Hastings with the Gaussian proposal q(b | a) = N(a + step s(a) / 2, step I).
                var sy = target.Score(y);
                double LogQ(double[] to, double[] from, double[] sFrom) => -to.Select((v, j) => Math.Pow(v - from[j] - step / 2 * sFrom[j], 2)).Sum() / (2 * step);
                double logRatio = target.LogDensity(y) + LogQ(x, y, sy) - target.LogDensity(x) - LogQ(y, x, s);
                if (Math.Log(Xoshiro.NextDouble(rng)) < logRatio) { x = y; accepted++; }
            }
            expected[i] = x;
        }
        var run = Samplers.Langevin((t, x, s) => target.Score(x.ToArray()).CopyTo(s), start, step, Steps, Seed, logDensity: adjusted ? target.LogDensity : null);
        AssertClose(expected, run.Final, adjusted ? "MALA" : "unadjusted Langevin");
        Assert.Equal(adjusted ? (double)accepted / (N * Steps) : 1, run.AcceptanceRate, 12);
        if (adjusted) Assert.InRange(accepted, 1, N * Steps - 1); // both branches of the acceptance taken
        Assert.Equal((long)N * (Steps + 1), run.Evaluations);
    }
}
