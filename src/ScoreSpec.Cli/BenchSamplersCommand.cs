using ScoreSpec.Sampling;

namespace ScoreSpec.Cli;

/// <summary>
/// `scorespec bench-samplers [--json]`: every deterministic sampler's distance from the exact flow map against the
/// number of score evaluations, on the standard problems (docs/samplers-measured.md, which shows this output).
/// </summary>
internal static class BenchSamplersCommand
{
    public static int Run(bool json, TextWriter stdout)
    {
        var all = FlowMapBenchmark.All();
        if (!json)
        {
            stdout.Write(FlowMapBenchmark.Markdown(all));
            return 0;
        }
        Json.Answer(stdout, w =>
        {
            w.WriteStartArray();
            foreach (var m in all)
            {
                w.WriteStartObject();
                w.WriteString("sampler", m.Sampler);
                w.WriteString("path", m.Path);
                w.WriteNumber("budget", m.Budget);
                w.WriteNumber("steps", m.Steps);
                w.WriteNumber("evaluations", m.Evaluations);
                Json.WriteNumber(w, "mean_error", m.MeanError);
                Json.WriteNumber(w, "max_error", m.MaxError);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return 0;
    }
}
