using System.Text.Json;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.Cli;

/// <summary>Reading requests (with errors that name the JSON field) and writing round-trip numbers.</summary>
internal static class Json
{
    public static JsonElement Required(JsonElement obj, string name, string at)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new RequestException(at, "must be a JSON object");
        if (!obj.TryGetProperty(name, out var v)) throw new RequestException(Join(at, name), "is required");
        return v;
    }

    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        return obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    public static string Join(string at, string name) => string.IsNullOrEmpty(at) ? name : $"{at}.{name}";

    public static double Number(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v))
            throw new RequestException(at, $"must be a number, got {Describe(e)}");
        if (!double.IsFinite(v)) throw new RequestException(at, "must be finite");
        return v;
    }

    public static double OptionalNumber(JsonElement obj, string name, string at, double fallback)
        => TryGet(obj, name, out var v) ? Number(v, Join(at, name)) : fallback;

    public static double[] Vector(JsonElement e, string at, int? dimension = null)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new RequestException(at, $"must be an array of numbers, got {Describe(e)}");
        var r = e.EnumerateArray().Select((v, i) => Number(v, $"{at}[{i}]")).ToArray();
        if (r.Length == 0) throw new RequestException(at, "must not be empty");
        if (dimension is int d && r.Length != d) throw new RequestException(at, $"must have {d} entries to match the data dimension, got {r.Length}");
        return r;
    }

    public static JsonElement[] Array(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new RequestException(at, $"must be an array, got {Describe(e)}");
        var r = e.EnumerateArray().ToArray();
        if (r.Length == 0) throw new RequestException(at, "must not be empty");
        return r;
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => e.GetRawText(),
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };

    /// <summary>The <c>data</c> object: weights, means, and covariances (full) or stds (isotropic).</summary>
    public static GaussianMixture Mixture(JsonElement root)
    {
        const string at = "data";
        var data = Required(root, "data", "");
        var weights = Vector(Required(data, "weights", at), $"{at}.weights");
        for (int k = 0; k < weights.Length; k++)
            if (weights[k] <= 0) throw new RequestException($"{at}.weights[{k}]", $"must be positive, got {weights[k]}");
        double sum = weights.Sum();
        if (Math.Abs(sum - 1) > 1e-9) throw new RequestException($"{at}.weights", $"must sum to 1 within 1e-9, got {sum:R}");
        var meansJson = Array(Required(data, "means", at), $"{at}.means");
        if (meansJson.Length != weights.Length)
            throw new RequestException($"{at}.means", $"must have one entry per weight ({weights.Length}), got {meansJson.Length}");
        var means = meansJson.Select((m, k) => Vector(m, $"{at}.means[{k}]")).ToArray();
        int d = means[0].Length;
        for (int k = 1; k < means.Length; k++)
            if (means[k].Length != d) throw new RequestException($"{at}.means[{k}]", $"must have {d} entries like means[0], got {means[k].Length}");

        var comps = new Gaussian[weights.Length];
        bool hasCov = TryGet(data, "covariances", out var covJson);
        bool hasStd = TryGet(data, "stds", out var stdJson);
        if (hasCov == hasStd)
            throw new RequestException(at, hasCov ? "must give covariances or stds, not both" : "must give covariances (full) or stds (isotropic)");
        if (hasCov)
        {
            var covs = Array(covJson, $"{at}.covariances");
            if (covs.Length != weights.Length)
                throw new RequestException($"{at}.covariances", $"must have one matrix per weight ({weights.Length}), got {covs.Length}");
            for (int k = 0; k < covs.Length; k++)
            {
                string ck = $"{at}.covariances[{k}]";
                var rows = Array(covs[k], ck);
                if (rows.Length != d) throw new RequestException(ck, $"must have {d} rows, got {rows.Length}");
                var m = new double[d, d];
                for (int i = 0; i < d; i++)
                {
                    var row = Vector(rows[i], $"{ck}[{i}]", d);
                    for (int j = 0; j < d; j++) m[i, j] = row[j];
                }
                try { comps[k] = new Gaussian(means[k], m); }
                catch (ArgumentException ex) { throw new RequestException(ck, FirstSentence(ex.Message)); }
            }
        }
        else
        {
            var stds = Vector(stdJson, $"{at}.stds", weights.Length);
            for (int k = 0; k < stds.Length; k++)
            {
                if (stds[k] <= 0) throw new RequestException($"{at}.stds[{k}]", $"must be positive, got {stds[k]}");
                comps[k] = Gaussian.Isotropic(means[k], stds[k]);
            }
        }
        return new GaussianMixture(weights, comps);
    }

    /// <summary>The <c>path</c> object: kind and its parameters with the contract's defaults.</summary>
    public static GaussianPath Path(JsonElement root)
    {
        const string at = "path";
        var p = Required(root, "path", "");
        var kindJson = Required(p, "kind", at);
        if (kindJson.ValueKind != JsonValueKind.String) throw new RequestException($"{at}.kind", "must be a string");
        string kind = kindJson.GetString()!;
        try
        {
            return kind switch
            {
                "vp" => new VpPath(OptionalNumber(p, "beta_min", at, 0.1), OptionalNumber(p, "beta_max", at, 20)),
                "subvp" => new SubVpPath(OptionalNumber(p, "beta_min", at, 0.1), OptionalNumber(p, "beta_max", at, 20)),
                "ve" => new VePath(OptionalNumber(p, "sigma_min", at, 0.01), OptionalNumber(p, "sigma_max", at, 50)),
                "cosine" => new CosinePath(OptionalNumber(p, "s", at, 0.008)),
                "condot" => GaussianPath.CondOt,
                _ => throw new RequestException($"{at}.kind", $"must be one of vp, subvp, ve, cosine, condot; got \"{kind}\""),
            };
        }
        catch (ArgumentException ex)
        {
            string field = ex.ParamName switch
            {
                "betaMin" => "beta_min", "betaMax" => "beta_max", "sigmaMin" => "sigma_min", "sigmaMax" => "sigma_max",
                var other => other ?? "",
            };
            throw new RequestException($"{at}.{field}", FirstSentence(ex.Message));
        }
    }

    /// <summary>The time <c>t</c>, strictly inside (0, 1).</summary>
    public static double Time(JsonElement root)
    {
        double t = Number(Required(root, "t", ""), "t");
        if (t <= 0 || t >= 1) throw new RequestException("t", $"must lie strictly inside (0, 1), got {t}");
        return t;
    }

    /// <summary>The <c>points</c> array of d-vectors.</summary>
    public static double[][] Points(JsonElement root, int dimension)
        => Array(Required(root, "points", ""), "points").Select((p, i) => Vector(p, $"points[{i}]", dimension)).ToArray();

    public static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (!double.IsFinite(value)) throw new InvalidOperationException($"{name} is not finite ({value}); refusing to write it.");
        w.WriteNumber(name, value);
    }

    public static void WriteVector(Utf8JsonWriter w, double[] v)
    {
        w.WriteStartArray();
        foreach (double x in v)
        {
            if (!double.IsFinite(x)) throw new InvalidOperationException("a value is not finite; refusing to write it.");
            w.WriteNumberValue(x);
        }
        w.WriteEndArray();
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd('.');
    }
}
