using ScoreSpec.Sampling;

namespace ScoreSpec.Cli;

/// <summary>
/// `scorespec bench-samplers [--json] [--stochastic]`: every deterministic sampler's distance from the exact flow map
/// against the number of score evaluations, on the standard problems, and every stochastic sampler's exact
/// 2-Wasserstein distance from the data-end law on Gaussian data (docs/samplers-measured.md, which shows this output;
/// with --json the deterministic measurements, or with --stochastic the stochastic ones).
/// </summary>
internal static class BenchSamplersCommand
{
    public static int Run(bool json, bool stochastic, TextWriter stdout)
    {
        if (!json)
        {
            stdout.Write(FlowMapBenchmark.Markdown(FlowMapBenchmark.All()));
            stdout.Write(FlowMapBenchmark.StochasticMarkdown(FlowMapBenchmark.StochasticAll()));
            return 0;
        }
        if (stochastic)
            Rows(stdout, FlowMapBenchmark.StochasticAll(), m => (m.Sampler, m.Path, m.Budget, m.Steps, m.Evaluations),
                [("wasserstein2", m => m.Wasserstein2), ("mean_error", m => m.MeanError), ("variance_error", m => m.VarianceError)]);
        else
            Rows(stdout, FlowMapBenchmark.All(), m => (m.Sampler, m.Path, m.Budget, m.Steps, m.Evaluations),
                [("mean_error", m => m.MeanError), ("max_error", m => m.MaxError)]);
        return 0;
    }

    /// <summary>A JSON array of measurements: the sampler, path, budget, steps and evaluations of each, then its numbers.</summary>
    private static void Rows<T>(TextWriter stdout, IEnumerable<T> rows, Func<T, (string Sampler, string Path, int Budget, int Steps, int Evaluations)> key,
        (string Name, Func<T, double> Value)[] numbers) => Json.Answer(stdout, w =>
    {
        w.WriteStartArray();
        foreach (var m in rows)
        {
            var k = key(m);
            w.WriteStartObject();
            w.WriteString("sampler", k.Sampler);
            w.WriteString("path", k.Path);
            w.WriteNumber("budget", k.Budget);
            w.WriteNumber("steps", k.Steps);
            w.WriteNumber("evaluations", k.Evaluations);
            foreach (var (name, value) in numbers) Json.WriteNumber(w, name, value(m));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });
}
