using System.Text.Json;
using System.Text.Json.Nodes;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;

namespace ScoreSpec.Cli;

/// <summary>
/// JSON Schemas (draft 2020-12) of the requests of eval, likelihood, sample and of a serve line, built from the same
/// registries and limits the request reader uses (paths and their parameters, samplers and their options, the numeric
/// limits of <see cref="Json"/>). `scorespec schema NAME` prints one; docs/schemas/ holds them. A schema states the
/// structure, names, types, ranges and which keys go with which settings; what JSON Schema cannot say (weights that sum
/// to 1, positive-definite covariances, equal dimensions, budgets) is in its description and checked by the reader.
/// A test runs every bad request of the catalog and a set of good ones through both.
/// </summary>
internal static class Schemas
{
    public static readonly string[] Names = ["eval", "likelihood", "sample", "check", "serve"];

    private const string Draft = "https://json-schema.org/draft/2020-12/schema";
    private const string Semantic = "The reader also checks what a schema cannot state: weights sum to 1 within 1e-9; means, points and covariances share one dimension d, with one mean, covariance, variance vector or std per weight; covariances are symmetric positive definite; the estimated work fits budget_seconds and memory. See docs/cli.md.";

    /// <summary>The schema named <paramref name="name"/>, as indented JSON.</summary>
    public static string Text(string name) => Build(name).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static JsonObject Build(string name) => name switch
    {
        "eval" => Eval(),
        "likelihood" => Likelihood(),
        "sample" => Sample(),
        "check" => Check(),
        "serve" => ServeLine(),
        _ => throw new RequestException("NAME", $"must be one of {string.Join(", ", Names)}; got \"{name}\""),
    };

    // ---- building blocks ----

    private static JsonNode Num(double? min = null, double? max = null, bool openMin = false, bool openMax = false, bool integer = false)
    {
        var o = new JsonObject { ["type"] = integer ? "integer" : "number" };
        if (min is double a) o[openMin ? "exclusiveMinimum" : "minimum"] = a;
        if (max is double b) o[openMax ? "exclusiveMaximum" : "maximum"] = b;
        return o;
    }

    /// <summary>An optional field: null counts as absent (docs/cli.md), so null is allowed beside the value.</summary>
    private static JsonNode Optional(JsonNode schema) => new JsonObject { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    private static JsonNode Absent() => new JsonObject { ["type"] = "null" };

    private static JsonNode Words(IEnumerable<string> words) => new JsonObject { ["enum"] = new JsonArray([.. words.Select(w => (JsonNode)JsonValue.Create(w))]) };

    private static JsonNode Vector(JsonNode item, int? maxItems = null)
    {
        var o = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = item };
        if (maxItems is int m) o["maxItems"] = m;
        return o;
    }

    private static JsonObject Object(JsonObject properties, params string[] required)
    {
        var o = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Length > 0) o["required"] = new JsonArray([.. required.Select(r => (JsonNode)JsonValue.Create(r))]);
        return o;
    }

    private static JsonNode Coordinate() => Num(-Json.MaxCoordinate, Json.MaxCoordinate);

    private static JsonObject Data()
    {
        // One of covariances, variances, stds: each branch requires its own key and leaves the other two absent (or null).
        JsonNode Only(string key) => new JsonObject
        {
            ["required"] = new JsonArray(key),
            ["properties"] = new JsonObject
            {
                [key] = new JsonObject { ["not"] = new JsonObject { ["type"] = "null" } },
                ["covariances"] = key == "covariances" ? new JsonObject() : Absent(),
                ["variances"] = key == "variances" ? new JsonObject() : Absent(),
                ["stds"] = key == "stds" ? new JsonObject() : Absent(),
            },
        };
        var data = Object(new JsonObject
        {
            ["weights"] = Vector(Num(0, 1, openMin: true)),
            ["means"] = Vector(Vector(Coordinate())),
            ["covariances"] = Optional(Vector(Vector(Vector(Num(-Json.MaxVariance, Json.MaxVariance))))),
            ["variances"] = Optional(Vector(Vector(Num(Json.MinVariance, Json.MaxVariance)))),
            ["stds"] = Optional(Vector(Num(Json.MinStd, Json.MaxStd))),
        }, "weights", "means");
        data["description"] = "A Gaussian mixture: weights, means, and exactly one of covariances (full), variances (diagonal) or stds (isotropic).";
        data["oneOf"] = new JsonArray(Only("covariances"), Only("variances"), Only("stds"));
        return data;
    }

    private static JsonObject PathSchema()
    {
        var branches = new JsonArray();
        foreach (var kind in PathRegistry.All)
        {
            var properties = new JsonObject { ["kind"] = new JsonObject { ["const"] = kind.Name } };
            foreach (var p in kind.Parameters) properties[p.Name] = Optional(Num(p.Min, p.Max, openMin: p.OpenMin));
            var branch = Object(properties, "kind");
            branch["description"] = kind.Summary;
            branches.Add(branch);
        }
        return new JsonObject { ["description"] = "The Gaussian path x_t = alpha_t z + sigma_t e: a kind and its parameters (docs/cli.md, path table).", ["oneOf"] = branches };
    }

    private static JsonNode Time() => Num(0, 1, openMin: true, openMax: true);

    /// <summary>An explicit grid: at least two times, each strictly inside (0, 1) (their order is checked by the reader).</summary>
    private static JsonNode ExplicitTimes() => new JsonObject { ["type"] = "array", ["minItems"] = 2, ["items"] = Time() };

    private static JsonNode Budget() => Optional(Num(1, 1e7));

    private static JsonNode Epsilon() => Optional(Num(1e-12, 0.5, openMax: true));

    private static JsonNode Seed() => Optional(Num(0, 1L << 53, integer: true));

    private static JsonNode Arrays() => Optional(Object(new JsonObject
    {
        ["dir"] = new JsonObject { ["type"] = "string", ["pattern"] = "\\S" },
        ["format"] = Optional(Words(["npy", "csv"])),
    }, "dir"));

    private static JsonNode Points() => Vector(Vector(Coordinate()));

    private static JsonObject Root(string title, JsonObject properties, string[] required)
    {
        var root = Object(properties, required);
        var ordered = new JsonObject
        {
            ["$schema"] = Draft,
            ["title"] = $"scorespec {title} request",
            ["description"] = Semantic,
        };
        foreach (var (key, value) in root.ToList())
        {
            root.Remove(key);
            ordered[key] = value;
        }
        return ordered;
    }

    // ---- requests ----

    private static JsonObject Eval()
    {
        var root = Root("eval", new JsonObject
        {
            ["data"] = Data(),
            ["path"] = PathSchema(),
            ["t"] = Optional(Time()),
            ["times"] = Optional(Vector(Time(), EvalCommand.MaxTimes)),
            ["points"] = Points(),
            ["quantities"] = Optional(new JsonObject
            {
                ["type"] = "array", ["minItems"] = 1, ["uniqueItems"] = true,
                ["items"] = Words(["log_density", "score", "noise", "denoiser", "velocity", "v_prediction"]),
            }),
            ["budget_seconds"] = Budget(),
            ["arrays"] = Arrays(),
        }, ["data", "path", "points"]);
        // Exactly one of t and times.
        root["oneOf"] = new JsonArray(
            new JsonObject { ["required"] = new JsonArray("t"), ["properties"] = new JsonObject { ["t"] = Time(), ["times"] = Absent() } },
            new JsonObject { ["required"] = new JsonArray("times"), ["properties"] = new JsonObject { ["times"] = Vector(Time(), EvalCommand.MaxTimes), ["t"] = Absent() } });
        return root;
    }

    private static JsonObject Likelihood()
    {
        var root = Root("likelihood", new JsonObject
        {
            ["data"] = Data(),
            ["path"] = PathSchema(),
            ["points"] = Points(),
            ["epsilon"] = Epsilon(),
            ["prior"] = Optional(Words(["exact", "standard"])),
            ["divergence"] = Optional(Words(["exact", "hutchinson"])),
            ["probe"] = Optional(Words(["rademacher", "gaussian"])),
            ["probes"] = Optional(Num(1, 1_000_000, integer: true)),
            ["seed"] = Seed(),
            ["rtol"] = Optional(Num(1e-13, 1)),
            ["atol"] = Optional(Num(1e-13, 1)),
            ["budget_seconds"] = Budget(),
            ["arrays"] = Arrays(),
        }, ["data", "path", "points"]);
        // probe and probes belong to Hutchinson's estimator only.
        root["if"] = new JsonObject { ["required"] = new JsonArray("divergence"), ["properties"] = new JsonObject { ["divergence"] = new JsonObject { ["const"] = "hutchinson" } } };
        root["else"] = new JsonObject { ["properties"] = new JsonObject { ["probe"] = Absent(), ["probes"] = Absent() } };
        return root;
    }

    private static JsonObject Sample()
    {
        var options = new Dictionary<string, JsonNode>();
        foreach (var entry in SamplerRegistry.All)
            foreach (var option in entry.Options)
                options.TryAdd(option.Name, new JsonObject());
        var properties = new JsonObject
        {
            ["data"] = Data(),
            ["path"] = PathSchema(),
            ["sampler"] = Words(SamplerRegistry.Names),
            ["steps"] = Optional(Num(1, 10_000_000, integer: true)),
            ["n"] = Optional(Num(2, 100_000_000, integer: true)),
            ["seed"] = Seed(),
            ["threads"] = Optional(Num(0, 1024, integer: true)),
            ["epsilon"] = Epsilon(),
            ["grid"] = Optional(new JsonObject
            {
                ["oneOf"] = new JsonArray(
                    Object(new JsonObject { ["kind"] = new JsonObject { ["const"] = "uniform" } }, "kind"),
                    Object(new JsonObject { ["kind"] = new JsonObject { ["const"] = "karras" }, ["rho"] = Optional(Num(0, 100, openMin: true)) }, "kind"),
                    Object(new JsonObject { ["kind"] = new JsonObject { ["const"] = "uniform_log_snr" } }, "kind"),
                    Object(new JsonObject { ["kind"] = new JsonObject { ["const"] = "explicit" }, ["times"] = ExplicitTimes() }, "kind", "times")),
            }),
            ["statistics"] = Optional(Words(["linear", "full"])),
            ["samples_csv"] = Optional(new JsonObject { ["type"] = "string", ["pattern"] = "\\S" }),
            ["budget_seconds"] = Budget(),
            ["arrays"] = Arrays(),
        };
        foreach (var (name, node) in options) properties[name] = node;
        var root = Root("sample", properties, ["data", "path", "sampler"]);

        // Each sampler: its own options with their ranges, every other sampler's options absent; an adaptive sampler
        // takes neither steps nor grid; an explicit grid takes its steps from its times.
        var rules = new JsonArray();
        foreach (var entry in SamplerRegistry.All)
        {
            var then = new JsonObject();
            foreach (var name in options.Keys) then[name] = Absent();
            foreach (var option in entry.Options)
                then[option.Name] = Optional(option switch
                {
                    SamplerOption.Number { Whole: true } o => Num(o.Min, o.Max, integer: true),
                    SamplerOption.Number o => Num(o.Min, o.Max, openMin: o.OpenMin),
                    SamplerOption.Word o => Words(o.Choices),
                    SamplerOption.Flag => new JsonObject { ["type"] = "boolean" },
                    _ => throw new InvalidOperationException($"an option kind the schema does not know: {option}"),
                });
            // The path kinds the sampler runs on (judged on each kind's default parameters).
            var kinds = PathRegistry.All.Where(k => entry.DefinedOn(k.Create(k.Parameters.ToDictionary(p => p.Name, p => p.Default))) is null).Select(k => k.Name).ToList();
            if (kinds.Count < PathRegistry.All.Length)
                then["path"] = new JsonObject { ["properties"] = new JsonObject { ["kind"] = Words(kinds) } };
            if (entry.Adaptive)
            {
                then["steps"] = Absent();
                then["grid"] = Absent();
            }
            rules.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["sampler"] = new JsonObject { ["const"] = entry.Name } } },
                ["then"] = new JsonObject { ["properties"] = then },
            });
        }
        rules.Add(new JsonObject
        {
            ["if"] = new JsonObject { ["required"] = new JsonArray("grid"), ["properties"] = new JsonObject { ["grid"] = new JsonObject { ["required"] = new JsonArray("kind"), ["properties"] = new JsonObject { ["kind"] = new JsonObject { ["const"] = "explicit" } } } } },
            ["then"] = new JsonObject { ["properties"] = new JsonObject { ["steps"] = Absent() } },
        });
        root["allOf"] = rules;
        return root;
    }

    /// <summary>An array field of check: inline numbers (any rectangular nesting) or the path of a .npy or .csv file.</summary>
    private static JsonNode ArrayOrFile() => new JsonObject
    {
        ["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "string", ["pattern"] = "\\.(npy|csv|NPY|CSV)$" },
            new JsonObject { ["type"] = "array", ["minItems"] = 1 }),
    };

    private static JsonObject Check()
    {
        JsonObject Claim(string claim, JsonObject properties, params string[] required)
        {
            var all = new JsonObject { ["claim"] = new JsonObject { ["const"] = claim } };
            foreach (var (k, v) in properties.ToList()) { properties.Remove(k); all[k] = v; }
            all["budget_seconds"] = Budget();
            return Object(all, ["claim", .. required]);
        }
        var distribution = Claim("distribution", new JsonObject
        {
            ["data"] = Data(), ["path"] = Optional(PathSchema()), ["t"] = Optional(Time()), ["samples"] = ArrayOrFile(),
            ["false_failure"] = Optional(Num(1e-15, 0.5)), ["seed"] = Seed(),
        }, "data", "samples");
        // path and t go together.
        distribution["dependentRequired"] = new JsonObject { ["path"] = new JsonArray("t"), ["t"] = new JsonArray("path") };
        var pointwise = Claim("pointwise", new JsonObject
        {
            ["data"] = Data(), ["path"] = PathSchema(),
            ["quantity"] = Words(["log_density", "score", "noise", "denoiser", "velocity", "v_prediction"]),
            ["t"] = Optional(Time()), ["times"] = Optional(Vector(Time())), ["points"] = ArrayOrFile(), ["values"] = ArrayOrFile(),
            ["rtol"] = Optional(Num(0, 1)), ["atol"] = Optional(Num(0, 1e300)),
        }, "data", "path", "quantity", "points", "values");
        pointwise["oneOf"] = new JsonArray(
            new JsonObject { ["required"] = new JsonArray("t"), ["properties"] = new JsonObject { ["t"] = Time(), ["times"] = Absent() } },
            new JsonObject { ["required"] = new JsonArray("times"), ["properties"] = new JsonObject { ["times"] = Vector(Time()), ["t"] = Absent() } });
        var convergence = Claim("convergence", new JsonObject
        {
            ["data"] = Data(), ["path"] = PathSchema(), ["kind"] = Optional(Words(["flow_map", "weak"])),
            ["t_start"] = Optional(Time()), ["t_end"] = Optional(Time()), ["starts"] = Optional(ArrayOrFile()), ["t"] = Optional(Time()),
            ["runs"] = new JsonObject
            {
                ["type"] = "array", ["minItems"] = 3,
                ["items"] = Object(new JsonObject { ["steps"] = Num(1, 10_000_000, integer: true), ["samples"] = ArrayOrFile() }, "steps", "samples"),
            },
            ["order"] = Num(1e-3, 20), ["order_tolerance"] = Optional(Num(1e-3, 10)),
        }, "data", "path", "runs", "order");
        // flow_map (the default kind): common starts and both ends; weak: independent samples against p_t at t.
        convergence["oneOf"] = new JsonArray(
            new JsonObject
            {
                ["required"] = new JsonArray("t_start", "t_end", "starts"),
                ["properties"] = new JsonObject { ["kind"] = Optional(new JsonObject { ["const"] = "flow_map" }), ["t"] = Absent(), ["t_start"] = Time(), ["t_end"] = Time(), ["starts"] = ArrayOrFile() },
            },
            new JsonObject
            {
                ["required"] = new JsonArray("kind", "t"),
                ["properties"] = new JsonObject { ["kind"] = new JsonObject { ["const"] = "weak" }, ["t"] = Time(), ["t_start"] = Absent(), ["t_end"] = Absent(), ["starts"] = Absent() },
            });
        var root = new JsonObject
        {
            ["$schema"] = Draft,
            ["title"] = "scorespec check request",
            ["description"] = Semantic + " A check also refuses arrays whose shapes do not match the data's dimension, the points or the times, and non-finite numbers.",
            ["oneOf"] = new JsonArray(distribution, pointwise, convergence),
        };
        return root;
    }

    private static JsonObject ServeLine()
    {
        var root = Root("serve", new JsonObject
        {
            ["id"] = new JsonObject { ["description"] = "Any JSON value, echoed in the answer." },
            ["command"] = Words(Serve.Names),
            ["request"] = Optional(new JsonObject { ["type"] = "object", ["description"] = "The command's request: eval.schema.json, likelihood.schema.json, sample.schema.json or check.schema.json; absent for samplers." }),
        }, ["command"]);
        root["title"] = "scorespec serve line";
        root["description"] = "One line of standard input of scorespec serve (docs/cli.md, serve).";
        return root;
    }
}
