using System.Text.Json;
using ScoreSpec.Paths;

namespace ScoreSpec.Cli;

/// <summary>`scorespec eval FILE`: exact quantities of the data's marginal p_t along a path (shared/cli-contract.md).</summary>
internal static class EvalCommand
{
    private static readonly (string Name, Quantity? Quantity)[] Known =
    [
        ("log_density", null), ("score", Quantity.Score), ("noise", Quantity.Noise),
        ("denoiser", Quantity.Denoiser), ("velocity", Quantity.Velocity), ("v_prediction", Quantity.VPrediction),
    ];

    public static int Run(JsonElement request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        double t = Json.Time(request);
        var points = Json.Points(request, data.Dimension);
        var names = new List<string>();
        if (Json.TryGet(request, "quantities", out var q))
        {
            var items = Json.Array(q, "quantities");
            for (int i = 0; i < items.Length; i++)
            {
                string? n = items[i].ValueKind == JsonValueKind.String ? items[i].GetString() : null;
                if (n is null || !Known.Any(k => k.Name == n))
                    throw new RequestException($"quantities[{i}]", $"must be one of {string.Join(", ", Known.Select(k => k.Name))}; got {items[i].GetRawText()}");
                if (!names.Contains(n)) names.Add(n);
            }
        }
        else names.AddRange(Known.Take(5).Select(k => k.Name));

        var marginal = data.Along(path, t);
        var pt = marginal.Point;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            Json.WriteNumber(w, "t", t);
            w.WriteString("path", path.Kind);
            w.WriteString("data_end", path.DataEnd == DataEnd.Zero ? "t=0" : "t=1");
            Json.WriteNumber(w, "alpha", pt.Alpha);
            Json.WriteNumber(w, "sigma", pt.Sigma);
            Json.WriteNumber(w, "alpha_dot", pt.AlphaDot);
            Json.WriteNumber(w, "sigma_dot", pt.SigmaDot);
            Json.WriteNumber(w, "a", pt.A);
            Json.WriteNumber(w, "b", pt.B);
            Json.WriteNumber(w, "drift_coefficient", path.ForwardSde.DriftCoefficient(t));
            Json.WriteNumber(w, "diffusion", path.ForwardSde.Diffusion(t));
            Json.WriteNumber(w, "snr", path.Snr(t));
            Json.WriteNumber(w, "log_snr", path.LogSnr(t));
            foreach (var name in names)
            {
                w.WritePropertyName(name);
                w.WriteStartArray();
                var quantity = Known.First(k => k.Name == name).Quantity;
                foreach (var x in points)
                {
                    if (quantity is null)
                    {
                        double l = marginal.LogDensity(x);
                        if (!double.IsFinite(l)) throw new InvalidOperationException("log density is not finite");
                        w.WriteNumberValue(l);
                    }
                    else Json.WriteVector(w, marginal.Evaluate(quantity.Value, x));
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        return 0;
    }
}
