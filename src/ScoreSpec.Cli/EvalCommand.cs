using System.Text.Json;
using ScoreSpec.Paths;

namespace ScoreSpec.Cli;

/// <summary>`scorespec eval FILE`: exact quantities of the data's marginal p_t along a path (docs/cli.md).</summary>
internal static class EvalCommand
{
    private static readonly (string Name, Quantity? Quantity)[] Known =
    [
        ("log_density", null), ("score", Quantity.Score), ("noise", Quantity.Noise),
        ("denoiser", Quantity.Denoiser), ("velocity", Quantity.Velocity), ("v_prediction", Quantity.VPrediction),
    ];

    public static int Run(Fields request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        double t = Json.Time(request);
        var points = Json.Points(request, data.Dimension);
        var names = new List<string>();
        if (request.TryGet("quantities", out var q))
        {
            var items = Json.Array(q, "quantities");
            for (int i = 0; i < items.Length; i++)
            {
                string? n = items[i].ValueKind == JsonValueKind.String ? items[i].GetString() : null;
                if (n is null || !Known.Any(k => k.Name == n))
                {
                    string hint = n is not null && Fields.Nearest(n, Known.Select(k => k.Name)) is string near ? $" (did you mean \"{near}\"?)" : "";
                    throw new RequestException($"quantities[{i}]", $"must be one of {string.Join(", ", Known.Select(k => k.Name))}; got {Json.Raw(items[i])}{hint}");
                }
                if (names.Contains(n)) throw new RequestException($"quantities[{i}]", $"names \"{n}\" a second time");
                names.Add(n);
            }
        }
        else names.AddRange(Known.Take(5).Select(k => k.Name));
        double budget = Budget.Read(request);
        request.RejectUnknown("an eval request");

        double flops = Budget.SetupFlops(data) + (double)points.Length * names.Count * (Budget.ScoreFlops(data) + 4.0 * data.Dimension);
        Budget.Check("points", Budget.Seconds(flops, 1), budget, $"{points.Length} points x {names.Count} quantities for {data.Components.Length} components in d = {data.Dimension}",
            "ask for fewer points or quantities");

        var marginal = Json.Library("t", () => data.Along(path, t));
        var pt = marginal.Point;
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            Json.WriteNumber(w, "t", t);
            w.WriteString("path", path.Kind);
            w.WriteString("data_end", path.DataEnd == DataEnd.Zero ? "t=0" : "t=1");
            try
            {
                Json.WriteNumber(w, "alpha", pt.Alpha);
                Json.WriteNumber(w, "sigma", pt.Sigma);
                Json.WriteNumber(w, "alpha_dot", pt.AlphaDot);
                Json.WriteNumber(w, "sigma_dot", pt.SigmaDot);
                Json.WriteNumber(w, "a", pt.A);
                Json.WriteNumber(w, "b", pt.B);
                Json.WriteNumber(w, "drift_coefficient", path.LogAlphaDot(t));
                Json.WriteNumber(w, "diffusion", path.ForwardSde.Diffusion(t));
                Json.WriteNumber(w, "snr", path.Snr(t));
                Json.WriteNumber(w, "log_snr", path.LogSnr(t));
            }
            catch (NonFiniteAnswer ex)
            {
                throw new RequestException("t", $"the path coefficient {ex.Quantity} is not finite at t = {Json.Show(t)} for this path; choose t further from the ends or gentler path parameters");
            }
            foreach (var name in names)
            {
                w.WritePropertyName(name);
                w.WriteStartArray();
                var quantity = Known.First(k => k.Name == name).Quantity;
                for (int i = 0; i < points.Length; i++)
                {
                    var x = points[i];
                    try
                    {
                        if (quantity is null) Json.WriteNumberValue(w, marginal.LogDensity(x), name);
                        else Json.WriteVector(w, marginal.Evaluate(quantity.Value, x), name);
                    }
                    catch (NonFiniteAnswer)
                    {
                        throw new RequestException($"points[{i}]", $"{name} is not finite in double precision at this point: it lies too many standard deviations from every component of p_t");
                    }
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
        return 0;
    }
}
