using System.Globalization;
using System.Text.Json;
using ScoreSpec.Densities;
using ScoreSpec.Paths;

namespace ScoreSpec.Cli;

/// <summary>
/// Reading requests (every error names the JSON field and the rule) and writing round-trip numbers. The limits below keep
/// every intermediate quantity finite: squares of the inputs, products of a variance and a squared distance, the ratio of
/// a VE path's sigmas. They are stated in docs/cli.md.
/// </summary>
internal static class Json
{
    /// <summary>The largest magnitude of a mean or point coordinate: its square, and the square of a difference of two, stay far below the overflow at 1.8e308.</summary>
    public const double MaxCoordinate = 1e100;
    /// <summary>The range of an isotropic standard deviation: its square, inverse square and the products the density forms stay finite and normal.</summary>
    public const double MinStd = 1e-100, MaxStd = 1e100;
    /// <summary>The range of a variance (a diagonal entry, or the magnitude of any covariance entry).</summary>
    public const double MinVariance = 1e-200, MaxVariance = 1e200;

    /// <summary>Parses the request text: valid JSON, a root object, no key twice in one object.</summary>
    public static Fields Parse(string text)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            string what = ex.Message;
            int cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut >= 0) what = what[..cut];
            int sentence = what.IndexOf(". ", StringComparison.Ordinal);
            if (sentence > 0) what = what[..sentence];
            what = what.TrimEnd('.', ' ');
            string where = ex.LineNumber is long line ? $" at line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new RequestException("FILE", $"is not valid JSON{where}: {what}");
        }
        Fields.RejectDuplicates(root, "");
        return Fields.Root(root);
    }

    public static string Show(double v) => v.ToString("G6", CultureInfo.InvariantCulture).Replace("E+", "e").Replace("E-", "e-");

    /// <summary>The JSON text of a value, cut to 40 characters for messages.</summary>
    public static string Raw(JsonElement e)
    {
        string r = e.GetRawText();
        return r.Length <= 40 ? r : r[..37] + "...";
    }

    public static double Number(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Number) throw new RequestException(at, $"must be a number, got {Fields.Describe(e)}");
        if (!e.TryGetDouble(out double v) || !double.IsFinite(v)) throw new RequestException(at, $"must be a finite number, got {Raw(e)}");
        return v;
    }

    /// <summary>An array of numbers, each of magnitude at most <paramref name="maxMagnitude"/>.</summary>
    public static double[] Vector(JsonElement e, string at, int? dimension = null, double maxMagnitude = MaxCoordinate)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new RequestException(at, $"must be an array of numbers, got {Fields.Describe(e)}");
        int length = e.GetArrayLength();
        if (length == 0) throw new RequestException(at, "must not be empty");
        if (dimension is int d && length != d) throw new RequestException(at, $"must have {d} entries to match the data dimension, got {length}");
        var r = new double[length];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            double v = Number(item, $"{at}[{i}]");
            if (Math.Abs(v) > maxMagnitude)
                throw new RequestException($"{at}[{i}]", $"must have magnitude at most {Show(maxMagnitude)} (so that squares stay finite), got {Show(v)}");
            r[i++] = v;
        }
        return r;
    }

    public static JsonElement[] Array(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new RequestException(at, $"must be an array, got {Fields.Describe(e)}");
        var r = e.EnumerateArray().ToArray();
        if (r.Length == 0) throw new RequestException(at, "must not be empty");
        return r;
    }

    /// <summary>The <c>data</c> object: weights, means, and one of covariances (full), variances (diagonal) or stds (isotropic).</summary>
    public static GaussianMixture Mixture(Fields root)
    {
        var data = root.Object("data");
        string at = data.At;
        var weights = Vector(data.Required("weights"), $"{at}.weights");
        for (int k = 0; k < weights.Length; k++)
        {
            if (!(weights[k] > 0)) throw new RequestException($"{at}.weights[{k}]", $"must be positive, got {Show(weights[k])}");
            if (weights[k] > 1) throw new RequestException($"{at}.weights[{k}]", $"must be at most 1 (a probability), got {Show(weights[k])}");
        }
        double sum = weights.Sum();
        if (Math.Abs(sum - 1) > 1e-9) throw new RequestException($"{at}.weights", $"must sum to 1 within 1e-9, got {sum.ToString("R", CultureInfo.InvariantCulture)}");
        var meansJson = Array(data.Required("means"), $"{at}.means");
        if (meansJson.Length != weights.Length)
            throw new RequestException($"{at}.means", $"must have one entry per weight ({weights.Length}), got {meansJson.Length}");
        var means = new double[meansJson.Length][];
        for (int k = 0; k < means.Length; k++)
        {
            means[k] = Vector(meansJson[k], $"{at}.means[{k}]", k == 0 ? null : means[0].Length);
        }
        int d = means[0].Length;

        var comps = new Gaussian[weights.Length];
        bool hasCov = data.TryGet("covariances", out var covJson);
        bool hasVar = data.TryGet("variances", out var varJson);
        bool hasStd = data.TryGet("stds", out var stdJson);
        int given = (hasCov ? 1 : 0) + (hasVar ? 1 : 0) + (hasStd ? 1 : 0);
        if (given != 1)
            throw new RequestException(at, given == 0
                ? "must give one of covariances (full matrices), variances (diagonals) or stds (isotropic)"
                : "must give only one of covariances, variances and stds");
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
                    var row = Vector(rows[i], $"{ck}[{i}]", d, MaxVariance);
                    for (int j = 0; j < d; j++) m[i, j] = row[j];
                }
                for (int i = 0; i < d; i++)
                    if (!(m[i, i] >= MinVariance))
                        throw new RequestException($"{ck}[{i}][{i}]", $"must be at least {Show(MinVariance)} (a variance), got {Show(m[i, i])}");
                comps[k] = Library(ck, () => new Gaussian(means[k], m));
            }
        }
        else if (hasVar)
        {
            var rows = Array(varJson, $"{at}.variances");
            if (rows.Length != weights.Length)
                throw new RequestException($"{at}.variances", $"must have one vector per weight ({weights.Length}), got {rows.Length}");
            for (int k = 0; k < rows.Length; k++)
            {
                string vk = $"{at}.variances[{k}]";
                var v = Vector(rows[k], vk, d, MaxVariance);
                for (int i = 0; i < d; i++)
                    if (!(v[i] >= MinVariance)) throw new RequestException($"{vk}[{i}]", $"must lie in [{Show(MinVariance)}, {Show(MaxVariance)}], got {Show(v[i])}");
                comps[k] = Library(vk, () => Gaussian.Diagonal(means[k], v));
            }
        }
        else
        {
            var stds = Vector(stdJson, $"{at}.stds", weights.Length, MaxStd);
            for (int k = 0; k < stds.Length; k++)
            {
                if (!(stds[k] >= MinStd)) throw new RequestException($"{at}.stds[{k}]", $"must lie in [{Show(MinStd)}, {Show(MaxStd)}], got {Show(stds[k])}");
                comps[k] = Library($"{at}.stds[{k}]", () => Gaussian.Isotropic(means[k], stds[k]));
            }
        }
        return Library(at, () => new GaussianMixture(weights, comps));
    }

    /// <summary>The <c>path</c> object: kind and its parameters with the contract's defaults.</summary>
    public static GaussianPath Path(Fields root)
    {
        var p = root.Object("path");
        var kind = PathRegistry.Get(p.Word("kind", null, [.. PathRegistry.Names]));
        var values = kind.Parameters.ToDictionary(q => q.Name, q => p.Number(q.Name, q.Default, q.Min, q.Max, q.Why, openMin: q.OpenMin));
        return Library(p.At, () => kind.Create(values));
    }

    /// <summary>The time <c>t</c>, strictly inside (0, 1).</summary>
    public static double Time(Fields root)
    {
        double t = root.Number("t");
        if (t <= 0 || t >= 1) throw new RequestException("t", $"must lie strictly inside (0, 1), got {Show(t)}");
        return t;
    }

    /// <summary>The <c>epsilon</c> of sample and likelihood: how far from the data end time stops or starts, in [1e-12, 0.5).</summary>
    public static double Epsilon(Fields root, double fallback)
        => root.Number("epsilon", fallback, 1e-12, 0.5, "below 1e-12 the end time is within rounding of the data end", openMax: true);

    /// <summary>The <c>points</c> array of d-vectors.</summary>
    public static double[][] Points(Fields root, int dimension)
        => Array(root.Required("points"), "points").Select((p, i) => Vector(p, $"points[{i}]", dimension)).ToArray();

    /// <summary>
    /// Runs a library call for the request field <paramref name="field"/>: the library's <see cref="ArgumentException"/>
    /// (which names a C# parameter) becomes a <see cref="RequestException"/> naming the field, with the C# names in the
    /// message replaced by the request's.
    /// </summary>
    public static T Library<T>(string field, Func<T> call)
    {
        try { return call(); }
        catch (RequestException) { throw; }
        catch (ArgumentException ex)
        {
            string message = FirstSentence(ex.Message);
            string at = field;
            if (ex.ParamName is string name && CSharpNames.TryGetValue(name, out var json))
            {
                message = message.Replace(name, json, StringComparison.Ordinal);
                if (!field.EndsWith(json, StringComparison.Ordinal) && field is "path") at = $"{field}.{json}";
            }
            foreach (var (cs, js) in CSharpNames) message = message.Replace(cs, js, StringComparison.Ordinal);
            throw new RequestException(at, message);
        }
    }

    private static readonly Dictionary<string, string> CSharpNames = new()
    {
        ["betaMin"] = "beta_min", ["betaMax"] = "beta_max", ["sigmaMin"] = "sigma_min", ["sigmaMax"] = "sigma_max",
    };

    /// <summary>Writes a number; refuses a non-finite one (the caller turns that into a field error) and writes -0 as 0.</summary>
    public static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (!double.IsFinite(value)) throw new NonFiniteAnswer(name);
        w.WriteNumber(name, value == 0 ? 0.0 : value);
    }

    public static void WriteNumberValue(Utf8JsonWriter w, double value, string what)
    {
        if (!double.IsFinite(value)) throw new NonFiniteAnswer(what);
        w.WriteNumberValue(value == 0 ? 0.0 : value);
    }

    public static void WriteVector(Utf8JsonWriter w, ReadOnlySpan<double> v, string what)
    {
        w.WriteStartArray();
        foreach (double x in v) WriteNumberValue(w, x, what);
        w.WriteEndArray();
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (i >= 0 ? message[..i] : message).TrimEnd('.');
    }
    /// <summary>
    /// Writes one indented JSON document to standard output, and only once the whole of it is built: a command that fails
    /// part-way leaves standard output empty (docs/cli.md).
    /// </summary>
    /// <param name="stdout">Where the answer goes.</param>
    /// <param name="write">Writes the answer.</param>
    /// <param name="arrays">The request's "arrays": its array files are written (and named in "files") before anything
    /// reaches standard output.</param>
    internal static void Answer(TextWriter stdout, Action<Utf8JsonWriter> write, ArrayFiles? arrays = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true })) write(w);
        var bytes = ms.ToArray();
        if (arrays is not null) bytes = arrays.WriteAll(bytes);
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(bytes));
    }

    /// <summary>A console for tables in plain text: no colours, no escape codes, 200 columns wide.</summary>
    internal static Spectre.Console.IAnsiConsole PlainConsole(TextWriter stdout)
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(stdout), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        return console;
    }

}

/// <summary>An answer came out non-finite: nothing is written, and the command reports which quantity.</summary>
internal sealed class NonFiniteAnswer(string quantity) : Exception($"{quantity} is not finite")
{
    public string Quantity { get; } = quantity;
}
