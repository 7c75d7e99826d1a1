using System.Collections.Immutable;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Solvers;

namespace ScoreSpec.Sampling;

/// <summary>
/// With a perfect score, which deterministic sampler is best at a given number of score evaluations? Each sampler runs on
/// a Karras grid (rho = 7) from t_start to t_end (epsilon = 1e-3 from each end) with as many steps as the budget of
/// evaluations allows, from the first <see cref="Points"/> exact draws of p at t_start, and its error is the mean
/// Euclidean distance of the end points from the exact flow map of the same starts (the probability-flow ODE with the
/// exact score by Dormand-Prince at rtol = atol = 1e-10). The score is exact, so the error is the sampler's
/// discretisation alone. docs/samplers-measured.md shows the table and figures; `scorespec bench-samplers` prints them.
/// </summary>
public static class FlowMapBenchmark
{
    /// <summary>The standard problem: a 2D mixture of three isotropic components, 0.3 N((-2, 0), 0.5^2) + 0.3 N((2, 0), 0.7^2) + 0.4 N((0, 2.5), 0.4^2).</summary>
    public static GaussianMixture StandardData { get; } = GaussianMixture.Isotropic([0.3, 0.3, 0.4], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.5, 0.7, 0.4]);

    /// <summary>The path kinds of the benchmark.</summary>
    public static ImmutableArray<string> PathKinds { get; } = ["vp", "ve", "condot"];

    /// <summary>The budgets of score evaluations per path.</summary>
    public static ImmutableArray<int> Budgets { get; } = [5, 10, 20, 50, 100, 200];

    /// <summary>How many paths the error is averaged over.</summary>
    public const int Points = 256;

    /// <summary>The samplers measured: every deterministic fixed-step entry of the registry.</summary>
    public static ImmutableArray<SamplerEntry> Measured { get; } = [.. SamplerRegistry.All.Where(e => !e.Stochastic && !e.Adaptive)];

    /// <summary>Whether <paramref name="entry"/> is measured on path kind <paramref name="pathKind"/>: where it is defined (flow_match_euler only on condot).</summary>
    /// <param name="entry">A sampler of <see cref="Measured"/>.</param>
    /// <param name="pathKind">A path kind.</param>
    public static bool DefinedOn(SamplerEntry entry, string pathKind)
        => (entry ?? throw new ArgumentException("entry must not be null.", nameof(entry))).DefinedOn(PathRegistry.Get(pathKind).Default) is null;

    /// <summary>One measurement.</summary>
    /// <param name="Sampler">The sampler's name.</param>
    /// <param name="Path">The path kind.</param>
    /// <param name="Budget">The evaluations allowed.</param>
    /// <param name="Steps">The steps taken: the budget divided by the evaluations a step, at least 1.</param>
    /// <param name="Evaluations">The evaluations made per path.</param>
    /// <param name="MeanError">Mean distance from the exact flow map.</param>
    /// <param name="MaxError">Largest distance from the exact flow map.</param>
    public sealed record Measurement(string Sampler, string Path, int Budget, int Steps, int Evaluations, double MeanError, double MaxError);

    /// <summary>The steps a sampler takes within <paramref name="budget"/> evaluations: floor(budget / evaluations per step), at least 1.</summary>
    /// <param name="entry">The sampler.</param>
    /// <param name="budget">The evaluations allowed, at least 1.</param>
    public static int StepsWithin(SamplerEntry entry, int budget) => Math.Max(1, (int)Math.Floor(budget / entry.EvaluationsPerStep + 1e-9));

    /// <summary>Measures <paramref name="sampler"/> on path kind <paramref name="pathKind"/> within <paramref name="budget"/> evaluations.</summary>
    /// <param name="sampler">A deterministic fixed-step sampler's name.</param>
    /// <param name="pathKind">A path kind (its default parameters).</param>
    /// <param name="budget">The evaluations allowed per path.</param>
    public static Measurement Measure(string sampler, string pathKind, int budget)
    {
        var (path, starts, exact) = Problem(pathKind);
        return Measure(SamplerRegistry.Get(sampler), path, starts, exact, budget);
    }

    /// <summary>Every sampler on every path kind at every budget (references computed once per path).</summary>
    public static ImmutableArray<Measurement> All()
    {
        var list = new List<Measurement>();
        foreach (var kind in PathKinds)
        {
            var (path, starts, exact) = Problem(kind);
            foreach (var entry in Measured.Where(e => DefinedOn(e, kind)))
                foreach (int budget in Budgets)
                    list.Add(Measure(entry, path, starts, exact, budget));
        }
        return [.. list];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<(GaussianPath, Ensemble, double[][])>> Problems = new();

    /// <summary>The path, the starts and their exact flow maps, computed once per path kind and process.</summary>
    private static (GaussianPath Path, Ensemble Starts, double[][] Exact) Problem(string pathKind) =>
        Problems.GetOrAdd(pathKind, k => new Lazy<(GaussianPath, Ensemble, double[][])>(() => Build(k))).Value;

    private static (GaussianPath Path, Ensemble Starts, double[][] Exact) Build(string pathKind)
    {
        var path = PathRegistry.Get(pathKind).Default;
        var ends = Schedule.For(path, 1, 1e-3);
        var starts = Samplers.ExactMarginalSample(StandardData, path, ends.TStart, Points, 0);
        return (path, starts, Samplers.ExactFlowMap(StandardData, path, starts.Rows(), ends.TStart, ends.TEnd));
    }

    private static Measurement Measure(SamplerEntry entry, GaussianPath path, Ensemble starts, double[][] exact, int budget)
    {
        if (entry.Stochastic || entry.Adaptive) throw new ArgumentException($"sampler must be deterministic with fixed steps; {entry.Name} is not.", "sampler");
        if (budget < 1) throw new ArgumentException($"budget must be at least 1, got {budget}.", nameof(budget));
        var ends = Schedule.For(path, 1, 1e-3);
        int steps = StepsWithin(entry, budget);
        var run = Samplers.Run(path, Samplers.ExactScore(new MarginalField(StandardData, path)), entry.Default, starts, new TimeGrid.Karras(ends.TStart, ends.TEnd, steps), 0, 1);
        var distances = Enumerable.Range(0, starts.Count).Select(i =>
        {
            var x = run.Final.Row(i);
            return Math.Sqrt(x.Select((v, j) => (v - exact[i][j]) * (v - exact[i][j])).Sum());
        }).ToArray();
        return new Measurement(entry.Name, path.Kind, budget, steps, (int)Math.Round(steps * entry.EvaluationsPerStep), distances.Average(), distances.Max());
    }

    /// <summary>The Gaussian data of the stochastic benchmark: N(0.7, 0.3^2) in one dimension.</summary>
    public static (double Mean, double Variance) GaussianData { get; } = (0.7, 0.09);

    /// <summary>
    /// The stochastic samplers measured, with the settings used: every stochastic entry whose end point is affine in its
    /// noise (not predictor_corrector, whose step depends on the ensemble, nor annealed_langevin, which is not a
    /// discretisation in t), with its defaults, except ddim, run with eta = 1 (its default eta = 0 is deterministic).
    /// </summary>
    public static ImmutableArray<(SamplerEntry Entry, Sampler Sampler, string Label)> StochasticMeasured { get; } =
    [
        .. SamplerRegistry.All.Where(e => e.Stochastic && e.Order > 0 && e.Name != "predictor_corrector")
            .Select(e => e.Name == "ddim" ? (e, (Sampler)new Sampler.Ddim(1), "ddim (eta = 1)") : (e, e.Default, e.Name)),
    ];

    /// <summary>One measurement of a stochastic sampler on the Gaussian data.</summary>
    /// <param name="Sampler">The sampler's label.</param>
    /// <param name="Path">The path kind.</param>
    /// <param name="Budget">The evaluations allowed.</param>
    /// <param name="Steps">The steps taken.</param>
    /// <param name="Evaluations">The evaluations made per path.</param>
    /// <param name="Wasserstein2">The 2-Wasserstein distance of the end law from the exact law at t_end.</param>
    /// <param name="MeanError">|E[x_N] - alpha m| at t_end.</param>
    /// <param name="VarianceError">Var[x_N] / exact variance - 1 at t_end (signed).</param>
    public sealed record WeakMeasurement(string Sampler, string Path, int Budget, int Steps, int Evaluations, double Wasserstein2, double MeanError, double VarianceError);

    /// <summary>
    /// Every stochastic sampler of <see cref="StochasticMeasured"/> on every path kind where it is defined, at every budget:
    /// the exact law of its end point for the Gaussian data (<see cref="GaussianEndLaw"/>, no sampling error) against the
    /// exact law at t_end, on the same Karras grids as the deterministic benchmark.
    /// </summary>
    public static ImmutableArray<WeakMeasurement> StochasticAll() =>
    [
        .. from kind in PathKinds
           from e in StochasticMeasured
           where e.Entry.DefinedOn(PathRegistry.Get(kind).Default) is null
           from budget in Budgets
           select MeasureStochastic(e.Label, kind, budget),
    ];

    /// <summary>One stochastic sampler (by its label in <see cref="StochasticMeasured"/>) on path kind <paramref name="pathKind"/> within <paramref name="budget"/> evaluations.</summary>
    /// <param name="label">The sampler's label, e.g. "dpmpp_sde" or "ddim (eta = 1)".</param>
    /// <param name="pathKind">A path kind (its default parameters).</param>
    /// <param name="budget">The evaluations allowed per path, at least 1.</param>
    public static WeakMeasurement MeasureStochastic(string label, string pathKind, int budget)
    {
        var (entry, sampler, _) = StochasticMeasured.FirstOrDefault(e => e.Label == label);
        if (entry is null) throw new ArgumentException($"label must be one of {string.Join(", ", StochasticMeasured.Select(e => e.Label))}; got '{label}'.", nameof(label));
        if (budget < 1) throw new ArgumentException($"budget must be at least 1, got {budget}.", nameof(budget));
        var (m, v) = GaussianData;
        var path = PathRegistry.Get(pathKind).Default;
        if (entry.DefinedOn(path) is string why) throw new ArgumentException(why, nameof(pathKind));
        var ends = Schedule.For(path, 1, 1e-3);
        var (exactMean, exactVariance) = GaussianEndLaw.Marginal(m, v, path, ends.TEnd);
        int steps = StepsWithin(entry, budget);
        var law = GaussianEndLaw.Of(m, v, path, sampler, new TimeGrid.Karras(ends.TStart, ends.TEnd, steps));
        return new WeakMeasurement(label, pathKind, budget, steps, (int)Math.Round(steps * entry.EvaluationsPerStep),
            law.Wasserstein2(exactMean, exactVariance), Math.Abs(law.Mean - exactMean), law.Variance / exactVariance - 1);
    }

    /// <summary>The stochastic measurements as Markdown: one table per path kind, each cell the 2-Wasserstein distance to two significant digits.</summary>
    /// <param name="measurements">What <see cref="StochasticAll"/> returns.</param>
    public static string StochasticMarkdown(IEnumerable<WeakMeasurement> measurements)
        => Tables(measurements, m => m.Path, m => m.Sampler, m => m.Budget, m => Cell(m.Wasserstein2, m.Evaluations, m.Budget),
            kind => $"### {kind}, stochastic samplers (2-Wasserstein distance on N(0.7, 0.3^2) data)");

    /// <summary>A value to two significant digits, with the evaluations made when they fall short of the budget.</summary>
    private static string Cell(double value, int evaluations, int budget)
        => value.ToString("G2", System.Globalization.CultureInfo.InvariantCulture) + (evaluations < budget ? $" ({evaluations})" : "");

    /// <summary>One Markdown table per path kind: a row per sampler, a column per budget.</summary>
    private static string Tables<T>(IEnumerable<T> measurements, Func<T, string> pathOf, Func<T, string> samplerOf, Func<T, int> budgetOf, Func<T, string> cell, Func<string, string> heading)
    {
        var all = measurements.ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var kind in all.Select(pathOf).Distinct())
        {
            var rows = all.Where(m => pathOf(m) == kind).ToArray();
            var budgets = rows.Select(budgetOf).Distinct().OrderBy(b => b).ToArray();
            text.AppendLine(heading(kind)).AppendLine();
            text.AppendLine("| sampler | " + string.Join(" | ", budgets.Select(b => $"{b} evaluations")) + " |");
            text.AppendLine("|---|" + string.Concat(budgets.Select(_ => "---|")));
            foreach (var name in rows.Select(samplerOf).Distinct())
                text.AppendLine($"| `{name}` | " + string.Join(" | ", budgets.Select(b => cell(rows.Single(m => samplerOf(m) == name && budgetOf(m) == b)))) + " |");
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>
    /// The measurements as Markdown: one table per path kind, a row per sampler, a column per budget, each cell the mean
    /// distance from the flow map to two significant digits (and the evaluations made, when they fall short of the budget).
    /// </summary>
    /// <param name="measurements">What <see cref="All"/> returns.</param>
    public static string Markdown(IEnumerable<Measurement> measurements)
        => Tables(measurements, m => m.Path, m => m.Sampler, m => m.Budget, m => Cell(m.MeanError, m.Evaluations, m.Budget), kind => $"### {kind}");
}
