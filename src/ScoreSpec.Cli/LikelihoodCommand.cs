using System.Text.Json;
using ScoreSpec.Likelihood;

namespace ScoreSpec.Cli;

/// <summary>`scorespec likelihood FILE`: log-likelihood by the probability-flow ODE (shared/cli-contract.md).</summary>
internal static class LikelihoodCommand
{
    public static int Run(JsonElement request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        var points = Json.Points(request, data.Dimension);
        double epsilon = Json.OptionalNumber(request, "epsilon", "", 1e-5);
        if (!(epsilon > 0 && epsilon < 0.5)) throw new RequestException("epsilon", $"must lie in (0, 0.5), got {epsilon}");
        string prior = Word(request, "prior", "exact", "exact", "standard");
        string divergence = Word(request, "divergence", "exact", "exact", "hutchinson");
        string probeKind = Word(request, "probe", "rademacher", "rademacher", "gaussian");
        double probes = Json.OptionalNumber(request, "probes", "", 1);
        if (probes != Math.Floor(probes) || probes < 1 || probes > 1e6) throw new RequestException("probes", $"must be a whole number in [1, 1000000], got {probes}");
        double seed = Json.OptionalNumber(request, "seed", "", 0);
        if (seed != Math.Floor(seed) || seed < 0) throw new RequestException("seed", $"must be a non-negative whole number, got {seed}");
        double rtol = Json.OptionalNumber(request, "rtol", "", 1e-8), atol = Json.OptionalNumber(request, "atol", "", 1e-8);
        if (!(rtol > 0)) throw new RequestException("rtol", $"must be positive, got {rtol}");
        if (!(atol > 0)) throw new RequestException("atol", $"must be positive, got {atol}");
        var options = new LikelihoodOptions(epsilon, prior == "exact" ? PriorKind.Exact : PriorKind.Standard,
            divergence == "exact" ? DivergenceMethod.Exact : probeKind == "gaussian" ? DivergenceMethod.HutchinsonGaussian : DivergenceMethod.HutchinsonRademacher,
            (int)probes, (ulong)seed, rtol, atol);
        var results = points.Select(x => ProbabilityFlowLikelihood.LogLikelihood(data, path, x, options)).ToArray();
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("path", path.Kind);
            w.WritePropertyName("log_density"); Json.WriteVector(w, results.Select(r => r.LogDensity).ToArray());
            w.WritePropertyName("reference_log_density"); Json.WriteVector(w, results.Select(r => r.ReferenceLogDensity).ToArray());
            w.WritePropertyName("nfe"); w.WriteStartArray(); foreach (var r in results) w.WriteNumberValue(r.Evaluations); w.WriteEndArray();
            w.WritePropertyName("bits_per_dim"); Json.WriteVector(w, results.Select(r => r.BitsPerDimension).ToArray());
            Json.WriteNumber(w, "t_start", path.DataEnd == Paths.DataEnd.Zero ? epsilon : 1 - epsilon);
            Json.WriteNumber(w, "t_end", path.DataEnd == Paths.DataEnd.Zero ? 1 - epsilon : epsilon);
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        return 0;
    }

    private static string Word(JsonElement request, string name, string fallback, params string[] allowed)
    {
        if (!Json.TryGet(request, name, out var v)) return fallback;
        string? s = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (s is null || !allowed.Contains(s)) throw new RequestException(name, $"must be one of {string.Join(", ", allowed)}; got {v.GetRawText()}");
        return s;
    }
}
