using System.Reflection;
using ScottPlot;
using ScoreSpec.Densities;
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;

namespace ScoreSpec.Plots;

/// <summary>
/// The figures of the textbook, each computed by the library and drawn with ScottPlot as SVG and PNG. Text is rendered
/// from the bundled DejaVu Sans (registered from an embedded resource), so a figure looks the same on any machine.
/// </summary>
public static class Figures
{
    /// <summary>The font every figure uses.</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>The figure names <see cref="Draw"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["score-field", "trajectories", "extension", "langevin", "fokker-planck", "convergence", "samplers-vp", "samplers-ve", "samplers-condot", "samplers-stochastic-vp", "samplers-stochastic-ve", "samplers-stochastic-condot"];

    private static readonly Lazy<string> FontFile = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "scorespec-fonts");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "DejaVuSans.ttf");
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DejaVuSans.ttf")
            ?? throw new InvalidOperationException("the bundled font DejaVuSans.ttf is missing from the assembly.");
        using (var fs = File.Create(file + ".tmp")) stream.CopyTo(fs);
        File.Move(file + ".tmp", file, overwrite: true);
        Fonts.AddFontFile(FontName, file);
        return file;
    });

    /// <summary>
    /// Draws figure <paramref name="name"/> into <paramref name="outDir"/> as NAME.svg and NAME.png and returns the two
    /// paths. Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> for an unknown figure.
    /// </summary>
    public static IReadOnlyList<string> Draw(string name, string outDir)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"name must be one of {string.Join(", ", Names)}; got '{name}'.", nameof(name));
        if (string.IsNullOrWhiteSpace(outDir)) throw new ArgumentException("outDir must be a directory path.", nameof(outDir));
        _ = FontFile.Value;
        Directory.CreateDirectory(outDir);
        var plot = name switch
        {
            "score-field" => ScoreField(),
            "trajectories" => Trajectories(),
            "extension" => Extension(),
            "langevin" => Langevin(),
            "fokker-planck" => FokkerPlanckEvolution(),
            "convergence" => Convergence(),
            _ when name.StartsWith("samplers-stochastic-", StringComparison.Ordinal) => StochasticSamplersMeasured(name["samplers-stochastic-".Length..]),
            _ => SamplersMeasured(name["samplers-".Length..]),
        };
        plot.Font.Set(FontName);
        plot.Legend.FontName = FontName;
        var svg = Path.Combine(outDir, name + ".svg");
        var png = Path.Combine(outDir, name + ".png");
        plot.SaveSvg(svg, 800, 600);
        plot.SavePng(png, 800, 600);
        return [svg, png];
    }

    /// <summary>The contract's example data: two isotropic components at (-2, 0) and (2, 0) with std 0.7.</summary>
    public static GaussianMixture Example2D => GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);

    /// <summary>The 1D bimodal example of the trajectory, extension, Langevin and Fokker-Planck figures: 0.3 N(-1.5, 0.4^2) + 0.7 N(1, 0.6^2).</summary>
    public static GaussianMixture Example1D => GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);

    /// <summary>Length of a score-field arrow per unit of |score|, in data units.</summary>
    public const double ArrowPerUnit = 0.1;
    /// <summary>The |score| beyond which score-field arrows keep the length ArrowPerUnit x ArrowCap.</summary>
    public const double ArrowCap = 4;

    private static Plot ScoreField()
    {
        var data = Example2D;
        var plot = new Plot();
        int n = 120;
        var density = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                density[n - 1 - i, j] = Math.Exp(data.LogDensity([-4 + 8.0 * j / (n - 1), -3 + 6.0 * i / (n - 1)]));
        var hm = plot.Add.Heatmap(density);
        hm.Extent = new CoordinateRect(-4, 4, -3, 3);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        // Each arrow starts at its grid point and points along the score, drawn as one polyline tail -> tip -> barb ->
        // tip -> barb in data coordinates, so nothing depends on a plotting library's vector convention. Its length is
        // ArrowPerUnit |score|, capped at |score| = ArrowCap so that arrows near the edges do not cover their neighbours.
        for (double x = -3.6; x <= 3.6 + 1e-9; x += 0.45)
            for (double y = -2.7; y <= 2.7 + 1e-9; y += 0.45)
            {
                var s = data.Score([x, y]);
                double norm = Math.Sqrt(s[0] * s[0] + s[1] * s[1]);
                if (norm == 0) continue;
                double length = ArrowPerUnit * Math.Min(norm, ArrowCap), ux = s[0] / norm, uy = s[1] / norm;
                double tx = x + length * ux, ty = y + length * uy, barb = Math.Min(0.09, 0.4 * length);
                double[] xs = [x, tx, tx - barb * (ux * 0.87 - uy * 0.5), tx, tx - barb * (ux * 0.87 + uy * 0.5)];
                double[] ys = [y, ty, ty - barb * (uy * 0.87 + ux * 0.5), ty, ty - barb * (uy * 0.87 - ux * 0.5)];
                var arrow = plot.Add.ScatterLine(xs, ys);
                arrow.Color = Colors.White;
                arrow.LineWidth = 1.5f;
            }
        plot.Axes.SetLimits(-4, 4, -3, 3);
        plot.Title("Score of a two-component mixture over its density");
        plot.XLabel($"x1   (arrow length = {ArrowPerUnit} x |score|, capped at |score| = {ArrowCap})"); plot.YLabel("x2");
        return plot;
    }

    /// <summary>The trajectory of a real run: the sampler over the whole grid, its ensemble recorded at every grid point.</summary>
    internal static Trajectory Record(GaussianPath path, ScoreFunction score, Sampler sampler, Ensemble start, Schedule schedule, ulong seed)
        => Samplers.Run(path, score, sampler, start, schedule.Grid, seed, recordEvery: 1).Trajectory;

    private static void AddTrajectories(Plot plot, Trajectory trajectory, int count, ScottPlot.Color color, string label)
    {
        var times = trajectory.Times.ToArray();
        for (int p = 0; p < count; p++)
        {
            var line = plot.Add.ScatterLine(times, trajectory.States.Select(s => s.Values[p]).ToArray());
            line.Color = color.WithAlpha(0.7);
            line.LineWidth = 1.2f;
            if (p == 0) line.LegendText = label;
        }
    }

    private static Plot Trajectories()
    {
        var data = Example1D;
        var path = GaussianPath.Vp;
        var schedule = Schedule.For(path, 200);
        var score = Samplers.ExactScore(new MarginalField(data, path));
        var start = Samplers.ExactMarginalSample(data, path, schedule.TStart, 12, 3);
        var plot = new Plot();
        AddTrajectories(plot, Record(path, score, new Sampler.ProbabilityFlow(OdeMethod.Rk4), start, schedule, 1), 12, Colors.Blue, "probability-flow ODE (RK4)");
        AddTrajectories(plot, Record(path, score, new Sampler.ReverseSde(), start, schedule, 1), 12, Colors.OrangeRed, "reverse SDE (Euler-Maruyama)");
        plot.Title("VP path: ODE and reverse-SDE trajectories from the same prior points");
        plot.XLabel("t (data at t = 0)"); plot.YLabel("x");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Extension()
    {
        var data = Example1D;
        var path = GaussianPath.CondOt;
        var schedule = Schedule.For(path, 200);
        var score = Samplers.ExactScore(new MarginalField(data, path));
        var start = Samplers.ExactMarginalSample(data, path, schedule.TStart, 8, 4);
        var plot = new Plot();
        var colors = new[] { Colors.Blue, Colors.Green, Colors.OrangeRed };
        var sigmas = new[] { 0.0, 0.5, 1.5 };
        for (int k = 0; k < sigmas.Length; k++)
        {
            double sigma = sigmas[k];
            AddTrajectories(plot, Record(path, score, new Sampler.Extension(_ => sigma), start, schedule, 7), 8, colors[k], $"sigma = {sigma}");
        }
        plot.Title("CondOT: the SDE extension trick at three noise levels");
        plot.XLabel("t (data at t = 1)"); plot.YLabel("x");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Langevin()
    {
        var target = Example1D;
        var plot = new Plot();
        var rng = new Random(5);
        var start = Ensemble.FromRows(Enumerable.Range(0, 20000).Select(_ => new[] { MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 3) }).ToArray());
        ScoreFunction score = (t, x, s) => s[0] = target.Score([x[0]])[0];
        var xs = Enumerable.Range(0, 301).Select(i => -5 + i / 30.0).ToArray();
        var colors = new[] { Colors.Gray, Colors.Orange, Colors.Green, Colors.Blue };
        int k = 0;
        foreach (int steps in new[] { 0, 50, 400, 3000 })
        {
            var sample = steps == 0 ? start : Samplers.Langevin(score, start, 0.005, steps, 5).Final;
            var density = Histogram(sample.Column(0), -5, 5, 60);
            var line = plot.Add.ScatterLine(density.Centres, density.Values);
            line.Color = colors[k++]; line.LegendText = $"after {steps} steps (h = 0.005)";
        }
        var exact = plot.Add.ScatterLine(xs, xs.Select(x => Math.Exp(target.LogDensity([x]))).ToArray());
        exact.Color = Colors.Black; exact.LinePattern = LinePattern.Dashed; exact.LegendText = "target";
        plot.Title("Langevin dynamics: 20000 particles converging to a mixture");
        plot.XLabel("x"); plot.YLabel("density");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static (double[] Centres, double[] Values) Histogram(double[] sample, double lo, double hi, int bins)
    {
        var counts = new double[bins];
        double w = (hi - lo) / bins;
        foreach (double v in sample)
        {
            int b = (int)Math.Floor((v - lo) / w);
            if (b >= 0 && b < bins) counts[b]++;
        }
        return (Enumerable.Range(0, bins).Select(b => lo + (b + 0.5) * w).ToArray(), counts.Select(c => c / (sample.Length * w)).ToArray());
    }

    private static Plot FokkerPlanckEvolution()
    {
        var data = Example1D;
        var path = GaussianPath.Vp;
        var grid = new Grid1D(-5, 5, 600);
        double t0 = 0.02;
        var p = grid.Centres().Select(x => Math.Exp(data.Along(path, t0).LogDensity([x]))).ToArray();
        var plot = new Plot();
        var colors = new[] { Colors.Blue, Colors.Green, Colors.Orange, Colors.Red };
        double previous = t0;
        int k = 0;
        foreach (double t in new[] { 0.1, 0.25, 0.45, 0.9 })
        {
            var sol = FokkerPlanck1D.Solve(new FokkerPlanck1DProblem((u, x) => path.LogAlphaDot(u) * x, path.DiffusionSquared, [.. p], grid, previous, t), 400);
            p = sol.Density.ToArray(); previous = t;
            var solver = plot.Add.ScatterLine(grid.Centres(), p);
            solver.Color = colors[k]; solver.LegendText = $"solver, t = {t}";
            var xs = grid.Centres().Where((_, i) => i % 20 == 10).ToArray();
            var exact = plot.Add.ScatterPoints(xs, xs.Select(x => Math.Exp(data.Along(path, t).LogDensity([x]))).ToArray());
            exact.Color = colors[k++]; exact.MarkerSize = 6;
        }
        plot.Title("Fokker-Planck along the VP path: solver (lines) and exact p_t (dots)");
        plot.XLabel("x"); plot.YLabel("p_t(x)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Convergence()
    {
        var problem = new OdeProblem((t, x, dx) => dx[0] = x[0] * Math.Cos(t), [1.0], 0, 3);
        double exact = Math.Exp(Math.Sin(3));
        var plot = new Plot();
        var methods = new (string Name, Func<int, OdeAlgorithm> Make, ScottPlot.Color Color)[]
        {
            ("Euler", n => new OdeAlgorithm.Euler(n), Colors.Blue), ("Heun", n => new OdeAlgorithm.Heun(n), Colors.Green),
            ("RK4", n => new OdeAlgorithm.Rk4(n), Colors.Orange), ("Dormand-Prince", n => new OdeAlgorithm.DormandPrinceFixed(n), Colors.Red),
        };
        foreach (var (name, make, color) in methods)
        {
            var steps = Enumerable.Range(3, 6).Select(k => 1 << k).ToArray();
            var errors = steps.Select(n => Math.Abs(Ode.Solve(problem, make(n)).Final[0] - exact)).ToArray();
            var fit = OrderFit.Of(steps.Select(n => 3.0 / n).ToArray(), errors);
            var line = plot.Add.Scatter(steps.Select(n => Math.Log10(3.0 / n)).ToArray(), errors.Select(Math.Log10).ToArray());
            line.Color = color; line.LegendText = $"{name}: order {fit.Order:F2}";
        }
        plot.Title("ODE solvers on x' = x cos t: error against step size");
        plot.XLabel("log10 step"); plot.YLabel("log10 error at t = 3");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>The colour of each measured sampler in the samplers-* figures, in <see cref="FlowMapBenchmark.Measured"/> order.</summary>
    public static IReadOnlyList<ScottPlot.Color> SamplerColours { get; } = new ScottPlot.Palettes.Category20().Colors.Where((_, i) => i % 2 == 0).Concat(new ScottPlot.Palettes.Category20().Colors.Where((_, i) => i % 2 == 1)).Take(FlowMapBenchmark.Measured.Length).ToArray();

    /// <summary>The colour of each stochastic sampler in the samplers-stochastic-* figures, in <see cref="FlowMapBenchmark.StochasticMeasured"/> order.</summary>
    public static IReadOnlyList<ScottPlot.Color> StochasticSamplerColours { get; } = new ScottPlot.Palettes.Category10().Colors.Take(FlowMapBenchmark.StochasticMeasured.Length).ToArray();

    private static Plot StochasticSamplersMeasured(string kind)
    {
        var plot = new Plot();
        for (int s = 0; s < FlowMapBenchmark.StochasticMeasured.Length; s++)
        {
            var (entry, _, label) = FlowMapBenchmark.StochasticMeasured[s];
            if (!FlowMapBenchmark.DefinedOn(entry, kind)) continue;
            var points = FlowMapBenchmark.Budgets.Select(b => FlowMapBenchmark.MeasureStochastic(label, kind, b)).ToArray();
            var line = plot.Add.Scatter(points.Select(m => Math.Log10(m.Evaluations)).ToArray(), points.Select(m => Math.Log10(m.Wasserstein2)).ToArray());
            line.Color = StochasticSamplerColours[s];
            line.LegendText = label;
        }
        plot.Title($"Exact 2-Wasserstein distance of the end law, {kind}, Gaussian data, Karras grid");
        plot.XLabel("log10 score evaluations per path"); plot.YLabel("log10 W2 distance");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot SamplersMeasured(string kind)
    {
        var plot = new Plot();
        for (int s = 0; s < FlowMapBenchmark.Measured.Length; s++)
        {
            var entry = FlowMapBenchmark.Measured[s];
            if (!FlowMapBenchmark.DefinedOn(entry, kind)) continue;
            var points = FlowMapBenchmark.Budgets.Select(b => FlowMapBenchmark.Measure(entry.Name, kind, b)).ToArray();
            var line = plot.Add.Scatter(points.Select(m => Math.Log10(m.Evaluations)).ToArray(), points.Select(m => Math.Log10(m.MeanError)).ToArray());
            line.Color = SamplerColours[s];
            line.LegendText = entry.Name;
        }
        plot.Title($"Distance from the exact flow map, {kind}, Karras grid, exact score");
        plot.XLabel("log10 score evaluations per path"); plot.YLabel("log10 mean distance");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
