using System.Globalization;
using System.Text;
using System.Text.Json;
using ScoreSpec.Densities;
using ScoreSpec.Sampling;

namespace ScoreSpec.Cli;

/// <summary>`scorespec sample FILE`: runs a sampler with the exact score of the data along the path (shared/cli-contract.md).</summary>
internal static class SampleCommand
{
    private static readonly string[] Names =
        ["euler_maruyama", "pf_ode_euler", "pf_ode_heun", "pf_ode_rk4", "pf_ode_dopri5", "predictor_corrector", "extension", "ancestral"];

    public static int Run(JsonElement request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        var samplerJson = Json.Required(request, "sampler", "");
        string name = samplerJson.ValueKind == JsonValueKind.String ? samplerJson.GetString()! : "";
        if (!Names.Contains(name))
            throw new RequestException("sampler", $"must be one of {string.Join(", ", Names)}; got {samplerJson.GetRawText()}");
        int steps = WholeNumber(request, "steps", 1000, 1, 10_000_000);
        int n = WholeNumber(request, "n", 10000, 2, 100_000_000);
        long seedValue = (long)Json.OptionalNumber(request, "seed", "", 0);
        if (seedValue < 0 || seedValue != Json.OptionalNumber(request, "seed", "", 0)) throw new RequestException("seed", "must be a non-negative whole number");
        int threads = WholeNumber(request, "threads", 0, 0, 1024);
        double epsilon = Json.OptionalNumber(request, "epsilon", "", 1e-3);
        if (!(epsilon > 0 && epsilon < 0.5)) throw new RequestException("epsilon", $"must lie in (0, 0.5), got {epsilon}");
        double snr = Json.OptionalNumber(request, "snr", "", 0.16);
        if (!(snr > 0)) throw new RequestException("snr", $"must be positive, got {snr}");
        var pcVariant = PcVariant.ScoreSde;
        if (Json.TryGet(request, "pc_variant", out var variantJson))
        {
            string? v = variantJson.ValueKind == JsonValueKind.String ? variantJson.GetString() : null;
            pcVariant = v switch
            {
                "score_sde" => PcVariant.ScoreSde,
                "seed003" => PcVariant.Seed003,
                _ => throw new RequestException("pc_variant", $"must be \"score_sde\" or \"seed003\"; got {variantJson.GetRawText()}"),
            };
        }
        double sigma = Json.OptionalNumber(request, "sigma", "", 0.5);
        if (!(sigma >= 0)) throw new RequestException("sigma", $"must be non-negative, got {sigma}");
        double rtol = Json.OptionalNumber(request, "rtol", "", 1e-6), atol = Json.OptionalNumber(request, "atol", "", 1e-6);
        if (!(rtol > 0)) throw new RequestException("rtol", $"must be positive, got {rtol}");
        if (!(atol > 0)) throw new RequestException("atol", $"must be positive, got {atol}");
        string? csv = null;
        if (Json.TryGet(request, "samples_csv", out var csvJson))
        {
            if (csvJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(csvJson.GetString()))
                throw new RequestException("samples_csv", "must be a file path");
            csv = csvJson.GetString();
        }
        if (name == "ancestral" && path.Kind is not ("vp" or "cosine" or "ve"))
            throw new RequestException("sampler", $"ancestral sampling is defined for vp, cosine and ve paths, not {path.Kind}");

        Sampler sampler = name switch
        {
            "euler_maruyama" => new Sampler.ReverseSde(),
            "pf_ode_euler" => new Sampler.ProbabilityFlow(OdeMethod.Euler),
            "pf_ode_heun" => new Sampler.ProbabilityFlow(OdeMethod.Heun),
            "pf_ode_rk4" => new Sampler.ProbabilityFlow(OdeMethod.Rk4),
            "pf_ode_dopri5" => new Sampler.ProbabilityFlow(OdeMethod.DormandPrince, rtol, atol),
            "predictor_corrector" => new Sampler.PredictorCorrector(snr, 1, pcVariant),
            "extension" => new Sampler.Extension(_ => sigma),
            _ => new Sampler.Ancestral(),
        };
        var schedule = Schedule.For(path, steps, epsilon);
        ulong seed = (ulong)seedValue;
        var result = Samplers.RunFromExactMarginal(data, path, sampler, schedule, n, seed, threads);
        var rows = result.Final.Rows();
        var (mean, cov) = Statistics.Tests.Moments(rows);
        var reference = Samplers.ExactDataSample(data, n, seed).Rows();
        double energy = Statistics.Tests.EnergyDistance(rows, reference);

        if (csv is not null)
        {
            try
            {
                var sb = new StringBuilder();
                sb.AppendLine(string.Join(",", Enumerable.Range(0, data.Dimension).Select(j => $"x{j}")));
                foreach (var r in rows) sb.AppendLine(string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
                File.WriteAllText(csv, sb.ToString());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RequestException("samples_csv", $"cannot be written: {ex.Message}");
            }
        }

        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("sampler", name);
            w.WriteString("path", path.Kind);
            w.WriteNumber("n", n);
            w.WriteNumber("steps", steps);
            Json.WriteNumber(w, "t_start", schedule.TStart);
            Json.WriteNumber(w, "t_end", schedule.TEnd);
            w.WritePropertyName("mean"); Json.WriteVector(w, mean);
            w.WritePropertyName("covariance");
            w.WriteStartArray();
            for (int i = 0; i < data.Dimension; i++) Json.WriteVector(w, Enumerable.Range(0, data.Dimension).Select(j => cov[i, j]).ToArray());
            w.WriteEndArray();
            Json.WriteNumber(w, "energy_distance", energy);
            Json.WriteNumber(w, "seconds", result.Seconds);
            Json.WriteNumber(w, "path_steps_per_second", (double)n * steps / Math.Max(result.Seconds, 1e-9));
            w.WriteNumber("score_evaluations", result.Evaluations);
            w.WriteString("start", "exact marginal p_t at t_start");
            w.WriteEndObject();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
        return 0;
    }

    private static int WholeNumber(JsonElement request, string name, int fallback, int min, int max)
    {
        double v = Json.OptionalNumber(request, name, "", fallback);
        if (v != Math.Floor(v) || v < min || v > max)
            throw new RequestException(name, $"must be a whole number in [{min}, {max}], got {v}");
        return (int)v;
    }
}
