using System.Globalization;
using System.Text.Json;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using Spectre.Console;

namespace ScoreSpec.Cli;

/// <summary>`scorespec samplers [--json]`: every sampler of the registry with its options, order and the path kinds it runs on (docs/cli.md).</summary>
internal static class SamplersCommand
{
    public static int Run(bool json, TextWriter stdout)
    {
        if (json)
        {
            Json.Answer(stdout, w =>
            {
                w.WriteStartArray();
                foreach (var e in SamplerRegistry.All)
                {
                    w.WriteStartObject();
                    w.WriteString("name", e.Name);
                    w.WriteString("summary", e.Summary);
                    w.WriteString("source", e.Source);
                    w.WriteBoolean("deterministic", !e.Stochastic);
                    w.WriteBoolean("adaptive", e.Adaptive);
                    w.WriteNumber("order", e.Order);
                    w.WriteString("order_kind", e.OrderKind);
                    w.WriteNumber("evaluations_per_step", e.EvaluationsPerStep);
                    w.WriteStartArray("options");
                    foreach (var o in e.Options)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", o.Name);
                        switch (o)
                        {
                            case SamplerOption.Number n:
                                w.WriteString("type", n.Whole ? "integer" : "number");
                                w.WriteNumber("default", n.Default);
                                w.WriteNumber("min", n.Min);
                                w.WriteBoolean("min_excluded", n.OpenMin);
                                w.WriteNumber("max", n.Max);
                                break;
                            case SamplerOption.Flag flag:
                                w.WriteString("type", "boolean");
                                w.WriteBoolean("default", flag.Default);
                                break;
                            case SamplerOption.Word word:
                                w.WriteString("type", "word");
                                w.WriteString("default", word.Default);
                                w.WriteStartArray("choices");
                                foreach (var c in word.Choices) w.WriteStringValue(c);
                                w.WriteEndArray();
                                break;
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("path_kinds");
                    foreach (var k in PathRegistry.All.Where(k => e.DefinedOn(k.Default) is null)) w.WriteStringValue(k.Name);
                    w.WriteEndArray();
                    w.WriteStartObject("not_defined_on");
                    foreach (var k in PathRegistry.All) if (e.DefinedOn(k.Default) is string why) w.WriteString(k.Name, why);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return 0;
        }
        var console = Json.PlainConsole(stdout);
        var table = new Table().AddColumns("name", "kind", "order", "evaluations/step", "options (default)", "path kinds", "summary");
        foreach (var e in SamplerRegistry.All)
            table.AddRow(e.Name, e.Stochastic ? "stochastic" : "deterministic", $"{e.Order.ToString(CultureInfo.InvariantCulture)} ({e.OrderKind})",
                e.EvaluationsPerStep.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", e.Options.Select(o => o switch
                {
                    SamplerOption.Number n => $"{n.Name} ({n.Default.ToString(CultureInfo.InvariantCulture)})",
                    SamplerOption.Word w => $"{w.Name} ({w.Default})",
                    SamplerOption.Flag f => $"{f.Name} ({(f.Default ? "true" : "false")})",
                    _ => o.Name,
                }))),
                string.Join(", ", PathRegistry.All.Where(k => e.DefinedOn(k.Default) is null).Select(k => k.Name)), Markup.Escape(e.Summary));
        console.Write(table);
        return 0;
    }
}
