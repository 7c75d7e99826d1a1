using System.Text.Json;
using ScoreSpec.Paths;

namespace ScoreSpec.Cli;

/// <summary>`scorespec eval FILE`: exact quantities of the data's marginal p_t along a path (docs/cli.md).</summary>
internal static class EvalCommand
{
    /// <summary>The quantities a request may name (log_density has no Quantity), shared with check's pointwise claims.</summary>
    internal static readonly (string Name, Quantity? Quantity)[] Known =
    [
        ("log_density", null), ("score", Quantity.Score), ("noise", Quantity.Noise),
        ("denoiser", Quantity.Denoiser), ("velocity", Quantity.Velocity), ("v_prediction", Quantity.VPrediction),
    ];

    /// <summary>The most times one eval request may ask for.</summary>
    public const int MaxTimes = 100_000;

    public static int Run(Fields request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        // One time "t", or a list "times": then every answer gains a leading axis over the times.
        bool many = request.TryGet("times", out var timesJson);
        double[] times;
        if (many)
        {
            if (request.TryGet("t", out _)) throw new RequestException("times", "give t or times, not both");
            var items = Json.Array(timesJson, "times");
            if (items.Length == 0) throw new RequestException("times", "must hold at least one time");
            if (items.Length > MaxTimes) throw new RequestException("times", $"holds {items.Length} times; at most {MaxTimes} in one request");
            times = items.Select((e, i) => Json.Number(e, $"times[{i}]")).ToArray();
            for (int i = 0; i < times.Length; i++)
                if (times[i] <= 0 || times[i] >= 1) throw new RequestException($"times[{i}]", $"must lie strictly inside (0, 1), got {Json.Show(times[i])}");
        }
        else times = [Json.Time(request)];
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
        var arrays = ArrayFiles.Read(request);
        request.RejectUnknown("an eval request");

        double flops = times.Length * (Budget.SetupFlops(data) + (double)points.Length * names.Count * (Budget.ScoreFlops(data) + 4.0 * data.Dimension));
        Budget.Check("points", Budget.Seconds(flops, 1), budget,
            $"{(many ? $"{times.Length} times x " : "")}{points.Length} points x {names.Count} quantities for {data.Components.Length} components in d = {data.Dimension}",
            many ? "ask for fewer times, points or quantities" : "ask for fewer points or quantities");
        Budget.CheckMemory(many ? "times" : "points", 24.0 * times.Length * points.Length * names.Count * data.Dimension,
            "ask for fewer times, points or quantities");

        // Every time's answer first, then one JSON document: for a list of times each field holds one entry per time.
        var answers = new List<TimeAnswer>(times.Length);
        for (int k = 0; k < times.Length; k++) answers.Add(Evaluate(data, path, times[k], many ? $"times[{k}]" : "t", points, names));
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            if (many)
            {
                w.WritePropertyName("times");
                Json.WriteVector(w, times, "times");
            }
            else Json.WriteNumber(w, "t", times[0]);
            w.WriteString("path", path.Kind);
            w.WriteString("data_end", path.DataEnd == DataEnd.Zero ? "t=0" : "t=1");
            for (int c = 0; c < CoefficientNames.Length; c++)
            {
                if (many)
                {
                    w.WritePropertyName(CoefficientNames[c]);
                    Json.WriteVector(w, answers.Select(a => a.Coefficients[c]).ToArray(), CoefficientNames[c]);
                }
                else Json.WriteNumber(w, CoefficientNames[c], answers[0].Coefficients[c]);
            }
            for (int qi = 0; qi < names.Count; qi++)
            {
                w.WritePropertyName(names[qi]);
                if (many) w.WriteStartArray();
                foreach (var a in answers)
                {
                    w.WriteStartArray();
                    foreach (var value in a.Values[qi])
                    {
                        if (value.Length == 1 && names[qi] == "log_density") Json.WriteNumberValue(w, value[0], names[qi]);
                        else Json.WriteVector(w, value, names[qi]);
                    }
                    w.WriteEndArray();
                }
                if (many) w.WriteEndArray();
            }
            w.WriteEndObject();
        }, arrays);
        return 0;
    }

    private static readonly string[] CoefficientNames =
        ["alpha", "sigma", "alpha_dot", "sigma_dot", "a", "b", "drift_coefficient", "diffusion", "snr", "log_snr"];

    /// <summary>One time's coefficients (in the order of <see cref="CoefficientNames"/>) and, per quantity, one value per point.</summary>
    private sealed record TimeAnswer(double[] Coefficients, double[][][] Values);

    /// <summary>
    /// The answer at one time; <paramref name="at"/> is the request field of that time, named when a coefficient is not
    /// finite there.
    /// </summary>
    private static TimeAnswer Evaluate(Densities.GaussianMixture data, GaussianPath path, double t, string at, double[][] points, List<string> names)
    {
        var marginal = Json.Library(at, () => data.Along(path, t));
        var pt = marginal.Point;
        double[] coefficients =
            [pt.Alpha, pt.Sigma, pt.AlphaDot, pt.SigmaDot, pt.A, pt.B, path.LogAlphaDot(t), path.ForwardSde.Diffusion(t), path.Snr(t), path.LogSnr(t)];
        for (int c = 0; c < coefficients.Length; c++)
            if (!double.IsFinite(coefficients[c]))
                throw new RequestException(at, $"the path coefficient {CoefficientNames[c]} is not finite at t = {Json.Show(t)} for this path; choose t further from the ends or gentler path parameters");
        var values = new double[names.Count][][];
        for (int qi = 0; qi < names.Count; qi++)
        {
            var quantity = Known.First(k => k.Name == names[qi]).Quantity;
            values[qi] = new double[points.Length][];
            for (int i = 0; i < points.Length; i++)
            {
                var v = quantity is null ? [marginal.LogDensity(points[i])] : marginal.Evaluate(quantity.Value, points[i]);
                foreach (double x in v)
                    if (!double.IsFinite(x))
                        throw new RequestException($"points[{i}]", $"{names[qi]} is not finite in double precision at this point{(at == "t" ? "" : $" and {at}")}: it lies too many standard deviations from every component of p_t");
                values[qi][i] = v;
            }
        }
        return new TimeAnswer(coefficients, values);
    }
}
