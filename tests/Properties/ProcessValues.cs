using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Numerics;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The SDE values of Processes/ against their Fokker-Planck equations: for each process built on a path and the exact
/// score of mixture data, the path's marginals p_t must satisfy d/dt log p_t = -div f - f . s + Direction (g^2/2)
/// (Laplacian p)/p, where only the process's own drift values enter (the divergence by central differences of them),
/// d/dt log p_t comes from five-point differences in t of the mixture's log density, and s, tr Hessian log p from the
/// mixture. A sign flipped or a factor of 2 dropped in a drift makes the residual of order one; the negative controls
/// below show it. Tolerance: 10 x the finite-difference error bounds plus 1e3 eps x the terms' magnitudes, as in the
/// catalog's fp.path-marginals.
/// </summary>
public class ProcessValues(ITestOutputHelper output)
{
    private const double Eps = 2.220446049250313e-16;

    public static TheoryData<string> Kinds => new(RandomInstances.Kinds);

    /// <summary>The Fokker-Planck residual of <paramref name="sde"/> at (t, x) for the density log p(u, y), and its tolerance.</summary>
    private static (double Residual, double Tolerance) FokkerPlanckResidual(Sde sde, Func<double, double[], double> logP, Func<double, double[], double[]> score, Func<double, double[], double> laplacianLogP, double t, double[] x, double timeStep)
    {
        int d = x.Length;
        var f = sde.DriftAt(t, x);
        double div = 0, divError = 0;
        for (int i = 0; i < d; i++)
        {
            int k = i;
            var e = FiniteDifference.Derivative(u => { var y = (double[])x.Clone(); y[k] = u; return sde.DriftAt(t, y)[k]; }, x[k], 1e-4 * (1 + Math.Abs(x[k])));
            div += e.Value; divError += e.ErrorBound;
        }
        var s = score(t, x);
        double lap = laplacianLogP(t, x), s2 = s.Sum(v => v * v), fs = f.Zip(s, (a, b) => a * b).Sum();
        double g2 = sde.DiffusionSquared(t);
        double rhs = -div - fs + sde.Direction * g2 / 2 * (lap + s2);
        var dt = FiniteDifference.Derivative(u => logP(u, x), t, timeStep);
        double scale = Math.Abs(div) + Math.Abs(fs) + g2 / 2 * (Math.Abs(lap) + s2) + Math.Abs(dt.Value);
        return (dt.Value - rhs, 10 * (dt.ErrorBound + divError) + 1e3 * Eps * scale);
    }

    private static (GaussianMixture Data, GaussianPath Path) Instance(string kind, int seed)
    {
        var rng = new Random(seed);
        return (RandomInstances.Mixture(rng, 2), RandomInstances.Path(rng, kind));
    }

    private static IEnumerable<(string Name, Sde Process, bool Valid)> ProcessesOf(GaussianPath path, GaussianMixture data)
    {
        var field = new MarginalField(data, path);
        ScoreFunction score = Samplers.ExactScore(field);
        ScoreFunction half = (t, x, s) => { field.Score(t, x, s); for (int i = 0; i < s.Length; i++) s[i] /= 2; };
        var forward = Sde.Forward(path);
        yield return ("forward", forward, true);
        yield return ("reverse", forward.Reverse(score), true);
        yield return ("probability flow", forward.ProbabilityFlow(score), true);
        yield return ("extension sigma = 0.7 + t", forward.Extension(score, t => 0.7 + t), true);
        yield return ("extension sigma = 0", forward.Extension(score, t => 0), true);
        yield return ("reverse of the reverse", forward.Reverse(score).Reverse(score), true);
        // Negative controls: each is a plausible slip, and p_t must fail its Fokker-Planck equation.
        yield return ("slip: reverse with the score halved", forward.Reverse(half), false);
        yield return ("slip: probability flow with the score halved", forward.ProbabilityFlow(half), false);
        yield return ("slip: reverse run in the forward direction", forward.Reverse(score).Reverse((t, x, s) => s.Clear()), false);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void EveryProcessOfAPathCarriesItsMarginals(string kind)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var (data, path) = Instance(kind, seed);
            foreach (var (name, process, valid) in ProcessesOf(path, data))
            {
                double worst = 0;
                foreach (double t in new[] { 0.2, 0.5, 0.8 })
                {
                    var mt = data.Along(path, t);
                    var rng = new Random(seed * 31 + (int)(t * 10));
                    for (int p = 0; p < 2; p++)
                    {
                        var x = mt.Sample(rng);
                        var (r, tol) = FokkerPlanckResidual(process, (u, y) => data.Along(path, u).LogDensity(y), (u, y) => data.Along(path, u).Score(y),
                            (u, y) => { var h = data.Along(path, u).Hessian(y); return h[0, 0] + h[1, 1]; }, t, x, 1e-4 * Math.Min(t, 1 - t));
                        worst = Math.Max(worst, Math.Abs(r) / tol);
                    }
                }
                if (valid) Assert.True(worst <= 1, $"{kind} seed {seed} {name}: Fokker-Planck residual {worst:G3} x tolerance");
                else Assert.True(worst > 100, $"{kind} seed {seed} {name}: the slip passed (largest residual {worst:G3} x tolerance)");
                if (seed == 1) output.WriteLine($"{kind} {name}: largest residual / tolerance {worst:G3}");
            }
        }
    }

    [Fact]
    public void StationaryProcessesKeepTheirTargets()
    {
        // Ornstein-Uhlenbeck keeps N(0, sigma^2 / (2 theta)); Langevin keeps its target; Brownian motion from N(0, v0)
        // has N(0, v0 + sigma^2 t).
        double theta = 1.3, sigma = 0.7, v = sigma * sigma / (2 * theta);
        var ou = new Sde.OrnsteinUhlenbeck(theta, sigma);
        var gauss = GaussianMixture.Isotropic([1.0], [[0.0, 0.0]], [Math.Sqrt(v)]);
        var target = RandomInstances.Mixture(new Random(5), 2);
        var langevin = new Sde.Langevin((t, x, s) => target.Score(x.ToArray()).CopyTo(s), 1.4);
        var bm = new Sde.BrownianMotion(0.9);
        GaussianMixture Heat(double t) => GaussianMixture.Isotropic([1.0], [[0.0, 0.0]], [Math.Sqrt(0.5 + 0.81 * t)]);
        var cases = new (string, Sde, Func<double, GaussianMixture>)[] { ("ou", ou, _ => gauss), ("langevin", langevin, _ => target), ("brownian", bm, Heat) };
        var rng = new Random(9);
        foreach (var (name, process, p) in cases)
            foreach (double t in new[] { 0.3, 0.6 })
            {
                var x = p(t).Sample(rng);
                var (r, tol) = FokkerPlanckResidual(process, (u, y) => p(u).LogDensity(y), (u, y) => p(u).Score(y), (u, y) => { var h = p(u).Hessian(y); return h[0, 0] + h[1, 1]; }, t, x, 1e-4);
                Assert.True(Math.Abs(r) <= tol, $"{name} t={t}: residual {r:G3}, tolerance {tol:G3}");
            }
    }

    [Fact]
    public void TheExtensionTrickContainsTheReverseSdeAndTheProbabilityFlow()
    {
        var (data, path) = Instance("vp", 4);
        ScoreFunction score = Samplers.ExactScore(new MarginalField(data, path));
        var forward = Sde.Forward(path);
        var x = new[] { 0.3, -1.1 };
        foreach (double t in new[] { 0.1, 0.5, 0.9 })
        {
            // sigma = 0 is the probability flow to the bit; sigma = g the reverse SDE up to the rounding of (sqrt g^2)^2.
            Assert.Equal(forward.ProbabilityFlow(score).DriftAt(t, x), forward.Extension(score, _ => 0).DriftAt(t, x));
            var rev = forward.Reverse(score).DriftAt(t, x);
            var ext = forward.Extension(score, forward.Diffusion).DriftAt(t, x);
            for (int i = 0; i < 2; i++) Assert.Equal(rev[i], ext[i], 1e-12 * (Math.Abs(rev[i]) + 1));
            Assert.Equal(forward.DiffusionSquared(t), forward.Extension(score, forward.Diffusion).DiffusionSquared(t), 1e-12 * forward.DiffusionSquared(t));
            Assert.Equal(0, forward.ProbabilityFlow(score).DiffusionSquared(t));
            // Proposition 1: the probability-flow drift is the velocity a_t s + b_t x (shared/seeds/002 Ch. 3).
            var s = data.Along(path, t).Score(x);
            var pf = forward.ProbabilityFlow(score).DriftAt(t, x);
            for (int i = 0; i < 2; i++) Assert.Equal(path.A(t) * s[i] + path.At(t).B * x[i], pf[i], 1e-12 * (Math.Abs(pf[i]) + 1));
        }
        Assert.Equal(1, forward.Direction);
        Assert.Equal(-1, forward.Reverse(score).Direction);
        Assert.Equal(1, forward.Reverse(score).Reverse(score).Direction);
        Assert.Equal(1, Sde.Forward(GaussianPath.CondOt).Reverse(score).Direction);
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("subvp")]
    [InlineData("ve")]
    public void TheForwardSdeIsSong2021s(string kind)
    {
        var path = GaussianPath.All.First(p => p.Kind == kind);
        var sde = Sde.Forward(path);
        foreach (double t in new[] { 0.01, 0.3, 0.77, 0.99 })
        {
            var (F, g) = kind switch
            {
                "vp" => Song2021.Vp(0.1, 20, t),
                "subvp" => Song2021.SubVp(0.1, 20, t),
                _ => Song2021.Ve(0.01, 50, t),
            };
            Assert.Equal(F * 2.5, sde.DriftAt(t, [2.5])[0], 1e-13 * (Math.Abs(F) + 1));
            Assert.Equal(g, sde.Diffusion(t), 1e-12 * g);
        }
    }

    [Fact]
    public void ValuesCompareAndPrintByTheirParameters()
    {
        Assert.Equal(Sde.Forward(new VpPath(0.1, 20)), Sde.Forward(new VpPath(0.1, 20)));
        Assert.NotEqual(Sde.Forward(new VpPath(0.1, 20)), Sde.Forward(new VpPath(0.1, 21)));
        Assert.Equal(new Sde.OrnsteinUhlenbeck(1, 2), new Sde.OrnsteinUhlenbeck(1, 2) with { });
        Assert.Contains("vp(beta_min=0.1, beta_max=20)", Sde.Forward(GaussianPath.Vp).ToString());
        Assert.Contains("Theta = 1.5", new Sde.OrnsteinUhlenbeck(1.5, 2).ToString());
    }

    [Fact]
    public void BadParametersAreRefusedNamingThem()
    {
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => new Sde.OrnsteinUhlenbeck(1, -1)).ParamName);
        Assert.Equal("theta", Assert.Throws<ArgumentException>(() => new Sde.OrnsteinUhlenbeck(double.NaN, 1)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => new Sde.BrownianMotion(double.PositiveInfinity)).ParamName);
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => new Sde.Langevin((t, x, s) => s.Clear(), -2)).ParamName);
        Assert.Equal("targetScore", Assert.Throws<ArgumentException>(() => new Sde.Langevin(null!, 1)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Sde.Forward(null!)).ParamName);
        Assert.Equal("score", Assert.Throws<ArgumentException>(() => Sde.Forward(GaussianPath.Vp).Reverse(null!)).ParamName);
        var bad = Sde.Forward(GaussianPath.Vp).Extension((t, x, s) => s.Clear(), t => -1);
        Assert.Equal("sigma", Assert.Throws<ArgumentException>(() => bad.DiffusionSquared(0.5)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Sde.Forward(GaussianPath.Vp).DriftAt(0.5, [double.NaN])).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => Sde.Forward(GaussianPath.Vp).DriftAt(1.5, [0.0])).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => new Sde.OrnsteinUhlenbeck(1, 1).DriftAt(double.NaN, [0.0])).ParamName);
    }
}
