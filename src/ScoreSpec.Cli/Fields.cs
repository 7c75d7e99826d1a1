using System.Globalization;
using System.Text.Json;

namespace ScoreSpec.Cli;

/// <summary>
/// One JSON object of a request, with its place in the request (a field path such as <c>data</c> or <c>path</c>). It
/// remembers every key the command asked for, present or not, so that a key nobody asked for is an error that names it and
/// suggests the nearest key that is read at that place (a misspelt <c>"setps"</c> must not silently leave the default).
/// </summary>
internal sealed class Fields
{
    private readonly JsonElement obj;
    private readonly List<string> asked = [];
    private readonly List<Fields> children = [];

    private Fields(JsonElement obj, string at)
    {
        this.obj = obj;
        At = at;
    }

    /// <summary>The field path of this object ("" for the root).</summary>
    public string At { get; }

    /// <summary>The request's root, which must be a JSON object.</summary>
    public static Fields Root(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new RequestException("request", $"must be a JSON object, got {Describe(root)}");
        return new Fields(root, "");
    }

    public string Path(string name) => At.Length == 0 ? name : $"{At}.{name}";

    /// <summary>The value of <paramref name="name"/> when present and not null; the key counts as known either way.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        if (!asked.Contains(name)) asked.Add(name);
        return obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    public JsonElement Required(string name)
    {
        if (TryGet(name, out var v)) return v;
        string hint = Nearest(name, obj.EnumerateObject().Select(p => p.Name)) is string near ? $" (the request has \"{near}\": misspelt?)" : "";
        throw new RequestException(Path(name), "is required" + hint);
    }

    /// <summary>The object under <paramref name="name"/>, required.</summary>
    public Fields Object(string name)
    {
        var v = Required(name);
        if (v.ValueKind != JsonValueKind.Object) throw new RequestException(Path(name), $"must be a JSON object, got {Describe(v)}");
        var child = new Fields(v, Path(name));
        children.Add(child);
        return child;
    }

    public double Number(string name) => Json.Number(Required(name), Path(name));

    public double Number(string name, double fallback) => TryGet(name, out var v) ? Json.Number(v, Path(name)) : fallback;

    /// <summary>A number in [min, max] (inclusive unless said), with the reason for the limits in the message.</summary>
    public double Number(string name, double fallback, double min, double max, string why = "", bool openMin = false, bool openMax = false)
    {
        double v = Number(name, fallback);
        if (v < min || v > max || (openMin && v == min) || (openMax && v == max))
            throw new RequestException(Path(name), $"must lie in {(openMin ? "(" : "[")}{Json.Show(min)}, {Json.Show(max)}{(openMax ? ")" : "]")}, got {Json.Show(v)}{(why.Length > 0 ? $" ({why})" : "")}");
        return v;
    }

    /// <summary>A whole number in [min, max].</summary>
    public long Whole(string name, long fallback, long min, long max)
    {
        double v = Number(name, fallback);
        if (v != Math.Floor(v) || v < min || v > max)
            throw new RequestException(Path(name), $"must be a whole number in [{min}, {max}], got {Json.Show(v)}");
        return (long)v;
    }

    /// <summary>A JSON true or false.</summary>
    public bool Flag(string name, bool fallback)
    {
        if (!TryGet(name, out var v)) return fallback;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw new RequestException(Path(name), $"must be true or false, got {Json.Raw(v)}");
        return v.ValueKind == JsonValueKind.True;
    }

    /// <summary>One of the <paramref name="allowed"/> strings.</summary>
    public string Word(string name, string? fallback, params string[] allowed)
    {
        if (!TryGet(name, out var v))
        {
            if (fallback is null) throw new RequestException(Path(name), $"is required: one of {string.Join(", ", allowed)}");
            return fallback;
        }
        string? s = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (s is null || !allowed.Contains(s))
        {
            string hint = s is not null && Nearest(s, allowed) is string near ? $" (did you mean \"{near}\"?)" : "";
            throw new RequestException(Path(name), $"must be one of {string.Join(", ", allowed)}; got {Json.Raw(v)}{hint}");
        }
        return s;
    }

    /// <summary>
    /// Throws for the first key, here or in an object read from here, that the command never asked for, naming it with the
    /// nearest known key (or the list of known keys).
    /// </summary>
    public void RejectUnknown(string context)
    {
        foreach (var p in obj.EnumerateObject())
            if (!asked.Contains(p.Name))
            {
                string near = Nearest(p.Name, asked) is string s ? $"did you mean \"{s}\"? " : "";
                throw new RequestException(Path(p.Name), $"is not a field {(At.Length == 0 ? "of " + context : "here")}; {near}known: {string.Join(", ", asked)}");
            }
        foreach (var c in children) c.RejectUnknown(context);
    }

    /// <summary>The candidate closest to <paramref name="name"/> in edit distance (adjacent swaps count once), if close enough to be a slip.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            if (c == name) continue;
            int dist = EditDistance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (dist < bestDistance) { best = c; bestDistance = dist; }
        }
        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>Throws for a key that appears twice in one object anywhere in the document (JSON allows it; a request must not).</summary>
    public static void RejectDuplicates(JsonElement e, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    string path = at.Length == 0 ? p.Name : $"{at}.{p.Name}";
                    if (!seen.Add(p.Name)) throw new RequestException(path, "appears twice in one object; give each field once");
                    RejectDuplicates(p.Value, path);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) RejectDuplicates(item, $"{at}[{i++}]");
                break;
        }
    }

    internal static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string {Json.Raw(e)}",
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Bad input: the offending field (a JSON path such as <c>data.weights[1]</c>) and what is wrong with it.</summary>
internal sealed class RequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
