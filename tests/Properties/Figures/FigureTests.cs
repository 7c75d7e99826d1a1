using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using Xunit;
using Xunit.Abstractions;
using PlotFigures = ScoreSpec.Plots.Figures;

namespace ScoreSpec.Properties.Figures;

/// <summary>
/// A figure is a claim. Each test draws a figure, reads it back from the SVG (<see cref="SvgFigure"/>) and checks what it
/// shows against the library's numbers: arrow directions and lengths against the score, curves against the densities
/// they claim to draw, trajectories against the flow map, axis ranges, and legends kept off the data. Tolerances are in
/// pixels of the 800 x 600 drawing: the SVG writes coordinates to about 0.001 px, so 1.5 px allows for line joins and
/// marker centring and nothing else; a sign flip or a factor of 2 moves an arrow or a curve by tens of pixels.
/// </summary>
[Collection("figures")]
public class FigureTests(ITestOutputHelper output)
{
    private static readonly string Dir = Path.Combine(Path.GetTempPath(), "scorespec-figure-tests-" + Environment.ProcessId);

    private static SvgFigure Draw(string name)
    {
        var files = PlotFigures.Draw(name, Dir);
        return new SvgFigure(files.First(f => f.EndsWith(".svg")));
    }

    private static void AxesAreConsistent(SvgFigure fig)
    {
        Assert.True(fig.XMap.Residual < 0.5, $"x tick labels disagree with a linear axis by {fig.XMap.Residual:F2} px");
        Assert.True(fig.YMap.Residual < 0.5, $"y tick labels disagree with a linear axis by {fig.YMap.Residual:F2} px");
    }

    private static void LegendIsOffTheData(SvgFigure fig)
    {
        var a = fig.DataArea;
        foreach (var (x, y, w, h) in fig.Rectangles)
        {
            bool overlaps = x < a.Right && x + w > a.Left && y < a.Bottom && y + h > a.Top;
            Assert.False(overlaps, $"a box at ({x:F0}, {y:F0}) size {w:F0} x {h:F0} covers the data area");
        }
    }

    /// <summary>
    /// How many pixels a drawn point (x, y) lies off the density p, vertically, after allowing for a 1.5 px horizontal
    /// misplacement (which moves the curve by |p'(x)| times that, with p' = p score).
    /// </summary>
    private static double PixelsOffDensity(SvgFigure fig, GaussianMixture p, double x, double y)
    {
        double density = Math.Exp(p.LogDensity([x])), slope = Math.Abs(p.Score([x])[0]) * density;
        return Math.Max(0, Math.Abs(y - density) - slope * 1.5 * fig.Pixel.X) / fig.Pixel.Y;
    }

    private static void InsideLimits(SvgFigure fig, IEnumerable<(double X, double Y)> points)
    {
        var l = fig.Limits;
        foreach (var (x, y) in points)
            Assert.True(x >= l.XMin - fig.Pixel.X && x <= l.XMax + fig.Pixel.X && y >= l.YMin - fig.Pixel.Y && y <= l.YMax + fig.Pixel.Y,
                $"({x:G4}, {y:G4}) lies outside the axes [{l.XMin:G4}, {l.XMax:G4}] x [{l.YMin:G4}, {l.YMax:G4}]: it is clipped");
    }

    [Fact]
    public void ScoreFieldArrowsPointAlongTheScoreWithTheStatedLength()
    {
        var fig = Draw("score-field");
        AxesAreConsistent(fig);
        var l = fig.Limits;
        Assert.Equal(-4, l.XMin, 0.02); Assert.Equal(4, l.XMax, 0.02);
        Assert.Equal(-3, l.YMin, 0.02); Assert.Equal(3, l.YMax, 0.02);
        var data = PlotFigures.Example2D;
        var arrows = fig.Plottables.Where(p => p.Colour == "white").SelectMany(p => p.Lines).Where(line => line.Length == 5).ToList();
        Assert.True(arrows.Count >= 220, $"expected the 17 x 13 grid of arrows, found {arrows.Count}");
        double worstAngle = 0, worstLength = 0;
        foreach (var arrow in arrows)
        {
            var (x, y) = arrow[0];
            // The tail sits on the grid -3.6 + 0.45 i, -2.7 + 0.45 j.
            double gx = -3.6 + 0.45 * Math.Round((x + 3.6) / 0.45), gy = -2.7 + 0.45 * Math.Round((y + 2.7) / 0.45);
            Assert.True(Math.Abs(x - gx) < 1.5 * fig.Pixel.X && Math.Abs(y - gy) < 1.5 * fig.Pixel.Y, $"arrow tail ({x:F3}, {y:F3}) is off the grid");
            var s = data.Score([gx, gy]);
            double norm = Math.Sqrt(s[0] * s[0] + s[1] * s[1]);
            double dx = arrow[1].X - x, dy = arrow[1].Y - y, drawn = Math.Sqrt(dx * dx + dy * dy);
            double expected = PlotFigures.ArrowPerUnit * Math.Min(norm, PlotFigures.ArrowCap);
            double pixelsPerUnit = 1 / Math.Min(fig.Pixel.X, fig.Pixel.Y);
            worstLength = Math.Max(worstLength, Math.Abs(drawn - expected) * pixelsPerUnit);
            Assert.True(Math.Abs(drawn - expected) * pixelsPerUnit < 1.5, $"arrow at ({gx:F2}, {gy:F2}) is {drawn:F4} long, expected {expected:F4}");
            if (drawn * pixelsPerUnit < 6) continue; // a direction read from fewer than 6 px is not resolved
            double cos = (dx * s[0] + dy * s[1]) / (drawn * norm);
            double angle = Math.Acos(Math.Clamp(cos, -1, 1));
            double allowed = 2.5 / (drawn * pixelsPerUnit); // 1.5 px at each end, in radians
            worstAngle = Math.Max(worstAngle, angle / allowed);
            Assert.True(angle <= allowed, $"arrow at ({gx:F2}, {gy:F2}) points {angle * 180 / Math.PI:F1} degrees away from the score ({s[0]:F3}, {s[1]:F3})");
        }
        // The case that was drawn wrong: above the saddle the score points down, towards the x1 axis.
        var above = arrows.First(a => Math.Abs(a[0].X) < 0.05 && Math.Abs(a[0].Y - 0.9) < 0.05);
        Assert.True(above[1].Y < above[0].Y, "the arrow at (0, 0.9) must point down: the score there is negative in x2");
        output.WriteLine($"{arrows.Count} arrows; worst length error {worstLength:F2} px; worst angle {worstAngle:F2} of the allowance");
    }

    [Fact]
    public void LangevinTargetCurveIsTheDensityAndTheLegendIsOffTheData()
    {
        var fig = Draw("langevin");
        AxesAreConsistent(fig);
        LegendIsOffTheData(fig);
        var target = PlotFigures.Example1D;
        var curve = fig.Plottables.Single(p => p.Colour == "black").Lines.SelectMany(l => l).ToList();
        Assert.True(curve.Count > 200);
        foreach (var (x, y) in curve)
            Assert.True(PixelsOffDensity(fig, target, x, y) < 1.5,
                $"target curve at x = {x:F3} shows {y:F4}, the density is {Math.Exp(target.LogDensity([x])):F4}");
        InsideLimits(fig, fig.Plottables.SelectMany(p => p.Lines.SelectMany(l => l)));
    }

    [Fact]
    public void FokkerPlanckDotsAreTheExactMarginalsAndTheLinesFollowThem()
    {
        var fig = Draw("fokker-planck");
        AxesAreConsistent(fig);
        LegendIsOffTheData(fig);
        var data = PlotFigures.Example1D;
        var times = new Dictionary<string, double> { ["blue"] = 0.1, ["green"] = 0.25, ["#FFA500"] = 0.45, ["red"] = 0.9 };
        double worstSolver = 0;
        foreach (var (colour, t) in times)
        {
            var pt = data.Along(GaussianPath.Vp, t).Density;
            double P(double x) => Math.Exp(pt.LogDensity([x]));
            var dots = fig.Plottables.Where(p => p.Colour == colour).SelectMany(p => p.Markers).ToList();
            Assert.True(dots.Count >= 25, $"t = {t}: {dots.Count} dots");
            foreach (var (x, y) in dots)
                Assert.True(PixelsOffDensity(fig, pt, x, y) < 1.5,
                    $"t = {t}: dot at x = {x:F3} shows {y:F4}, exact p_t is {P(x):F4}");
            var line = fig.Plottables.Where(p => p.Colour == colour).SelectMany(p => p.Lines.SelectMany(l => l)).ToList();
            Assert.True(line.Count >= 500);
            foreach (var (x, y) in line)
                worstSolver = Math.Max(worstSolver, PixelsOffDensity(fig, pt, x, y));
        }
        output.WriteLine($"worst distance of the solver's lines from the exact p_t: {worstSolver:F2} px");
        // The solver's L1 error is about 1e-4 (docs/fokker-planck.md); pointwise it stays within 2 px of the exact curve.
        Assert.True(worstSolver < 2, $"solver lines leave the exact p_t by {worstSolver:F2} px");
    }

    [Theory]
    [InlineData("trajectories", "vp", 12)]
    [InlineData("extension", "condot", 8)]
    public void DeterministicTrajectoriesEndAtTheFlowMapAndEveryFamilyStartsTogether(string name, string kind, int count)
    {
        // trajectories: blue is the probability-flow ODE, the other colour the reverse SDE from the same prior points;
        // extension: blue is sigma = 0 (the ODE itself), the other two colours sigma = 0.5 and 1.5 from the same points.
        var fig = Draw(name);
        AxesAreConsistent(fig);
        LegendIsOffTheData(fig);
        var data = PlotFigures.Example1D;
        var path = GaussianPath.All.Single(p => p.Kind == kind);
        var schedule = Schedule.For(path, 200);
        var ode = fig.Plottables.Where(p => p.Colour == "blue").SelectMany(p => p.Lines).ToList();
        var others = fig.Plottables.Where(p => p.Colour != "blue").SelectMany(p => p.Lines).ToList();
        Assert.Equal(count, ode.Count);
        Assert.True(others.Count >= count, $"{others.Count} stochastic trajectories");
        foreach (var line in ode)
        {
            var (t0, x0) = line[0];
            Assert.Equal(schedule.TStart, t0, 1.5 * fig.Pixel.X);
            Assert.True(others.Count(s => Math.Abs(s[0].Y - x0) < 0.01 * fig.Pixel.Y) == others.Count / count, "every family starts at the same prior points");
            // The flow map from the drawn start, by an adaptive solve, must land on the drawn end; a 1.5 px error in the
            // start is carried by the flow's derivative, estimated by a central difference of the same solve.
            double End(double x) => Ode.Solve(new OdeProblem((t, y, dy) => dy[0] = data.Along(path, t).Velocity([y[0]])[0], [x], schedule.TStart, schedule.TEnd), new OdeAlgorithm.DormandPrince(1e-10, 1e-10)).Final[0];
            double end = End(x0), gain = Math.Abs(End(x0 + 1e-4) - End(x0 - 1e-4)) / 2e-4;
            var (t1, x1) = line[^1];
            Assert.Equal(schedule.TEnd, t1, 1.5 * fig.Pixel.X);
            Assert.True(Math.Abs(x1 - end) < 1.5 * fig.Pixel.Y * (1 + gain), $"{name}: ODE line from {x0:F3} ends at {x1:F4}; the flow map gives {end:F4}");
        }
        // The stochastic lines are real runs: each ends where the sampler's own run with the figure's seed ends (the
        // reverse SDE with seed 1 on VP; the extension with seed 7 on condot, sigma = 1.5; both drawn in orange-red).
        var score = Samplers.ExactScore(new MarginalField(data, path));
        var start = Samplers.ExactMarginalSample(data, path, schedule.TStart, count, kind == "vp" ? 3UL : 4UL);
        var (colour, sampler, seed) = kind == "vp" ? ("#FF4500", (Sampler)new Sampler.ReverseSde(), 1UL) : ("#FF4500", new Sampler.Extension(_ => 1.5), 7UL);
        var final = Samplers.Run(path, score, sampler, start, schedule, seed).Final;
        var drawn = fig.Plottables.Where(p => p.Colour == colour).SelectMany(p => p.Lines).ToList();
        Assert.Equal(count, drawn.Count);
        for (int p = 0; p < count; p++)
            Assert.True(Math.Abs(drawn[p][^1].Y - final.Values[p]) < 1.5 * fig.Pixel.Y, $"{name}: stochastic line {p} ends at {drawn[p][^1].Y:F4}, the run at {final.Values[p]:F4}");
        InsideLimits(fig, fig.Plottables.SelectMany(p => p.Lines.SelectMany(l => l)));
    }

    [Fact]
    public void ConvergencePointsAreTheSolversErrors()
    {
        var fig = Draw("convergence");
        AxesAreConsistent(fig);
        LegendIsOffTheData(fig);
        var problem = new OdeProblem((t, x, dx) => dx[0] = x[0] * Math.Cos(t), [1.0], 0, 3);
        double exact = Math.Exp(Math.Sin(3)); // x' = x cos t, x(0) = 1
        var methods = new (string Colour, Func<int, OdeAlgorithm> Make)[]
        {
            ("blue", n => new OdeAlgorithm.Euler(n)), ("green", n => new OdeAlgorithm.Heun(n)),
            ("#FFA500", n => new OdeAlgorithm.Rk4(n)), ("red", n => new OdeAlgorithm.DormandPrinceFixed(n)),
        };
        foreach (var (colour, make) in methods)
        {
            var markers = fig.Plottables.Where(p => p.Colour == colour).SelectMany(p => p.Markers).ToList();
            Assert.Equal(6, markers.Count);
            foreach (var (lx, ly) in markers)
            {
                int n = (int)Math.Round(3 / Math.Pow(10, lx));
                double err = Math.Abs(Ode.Solve(problem, make(n)).Final[0] - exact);
                Assert.True(Math.Abs(ly - Math.Log10(err)) < 1.5 * fig.Pixel.Y, $"{colour}, {n} steps: drawn log10 error {ly:F3}, computed {Math.Log10(err):F3}");
            }
        }
    }
    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    [InlineData("condot")]
    public void SamplerBenchmarkPointsAreTheMeasuredFlowMapErrors(string kind)
    {
        // Each sampler's markers sit at (log10 evaluations, log10 mean distance from the flow map) as FlowMapBenchmark
        // measures them; a sampler is found by its colour. Identical maps (euler and dpm_solver_1, dpm_2 and dpm_solver_2)
        // draw on top of each other, which is what they are; a sampler not defined on the path (flow_match_euler off
        // condot) is not drawn.
        MarkersAreTheMeasurements("samplers-" + kind, kind, PlotFigures.SamplerColours,
            [.. FlowMapBenchmark.Measured.Select(e => (e, (Func<int, (int, double)>)(budget =>
            {
                var m = FlowMapBenchmark.Measure(e.Name, kind, budget);
                return (m.Evaluations, m.MeanError);
            })))]);
    }

    [Theory]
    [InlineData("vp")]
    [InlineData("ve")]
    [InlineData("condot")]
    public void StochasticSamplerPointsAreTheExactWassersteinDistances(string kind)
    {
        // The same for the stochastic samplers at (log10 evaluations, log10 W2) as MeasureStochastic computes them
        // (ancestral is not drawn on condot).
        MarkersAreTheMeasurements("samplers-stochastic-" + kind, kind, PlotFigures.StochasticSamplerColours,
            [.. FlowMapBenchmark.StochasticMeasured.Select(e => (e.Entry, (Func<int, (int, double)>)(budget =>
            {
                var m = FlowMapBenchmark.MeasureStochastic(e.Label, kind, budget);
                return (m.Evaluations, m.Wasserstein2);
            })))]);
    }

    /// <summary>
    /// In figure <paramref name="name"/>, sampler s (found by colour s) has a marker at (log10 evaluations, log10 value) for
    /// every budget where it is defined on the path, and none where it is not.
    /// </summary>
    private void MarkersAreTheMeasurements(string name, string kind, IReadOnlyList<ScottPlot.Color> colours, (SamplerEntry Entry, Func<int, (int Evaluations, double Value)> Measure)[] samplers)
    {
        var fig = Draw(name);
        AxesAreConsistent(fig);
        LegendIsOffTheData(fig);
        for (int s = 0; s < samplers.Length; s++)
        {
            var c = colours[s];
            string colour = $"#{c.R:X2}{c.G:X2}{c.B:X2}";
            var markers = fig.Plottables.Where(p => p.Colour == colour).SelectMany(p => p.Markers).ToList();
            if (!FlowMapBenchmark.DefinedOn(samplers[s].Entry, kind))
            {
                Assert.Empty(markers);
                continue;
            }
            Assert.Equal(FlowMapBenchmark.Budgets.Length, markers.Count);
            foreach (int budget in FlowMapBenchmark.Budgets)
            {
                var (evaluations, value) = samplers[s].Measure(budget);
                double x = Math.Log10(evaluations), y = Math.Log10(value);
                Assert.Contains(markers, p => Math.Abs(p.X - x) < 1.5 * fig.Pixel.X && Math.Abs(p.Y - y) < 1.5 * fig.Pixel.Y);
            }
        }
        output.WriteLine($"{name}: {samplers.Length} samplers x {FlowMapBenchmark.Budgets.Length} budgets drawn where measured");
    }
}
