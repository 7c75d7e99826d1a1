using System.Text.Json;
using Json.Schema;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The JSON Schemas of docs/schemas (issue 16) against the request reader, with an independent validator (JsonSchema.Net):
/// every good request passes both, and every bad request of the catalog that the schema accepts is one the schema cannot
/// see by design (a sum, a dimension match, positive definiteness, a budget, a file, ...), named below with its reason.
/// </summary>
public class SchemaTests(ITestOutputHelper output)
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScoreSpec.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("the repository root was not found");
    }

    private static JsonSchema Schema(string name) => JsonSchema.FromText(Cli.Schemas.Text(name));

    private static bool Valid(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return schema.Evaluate(doc.RootElement).IsValid;
    }

    private static (int Code, string Err) Run(string command, string request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run([command, "-"], new StringReader(request), stdout, stderr);
        return (code, stderr.ToString());
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("likelihood")]
    [InlineData("sample")]
    [InlineData("check")]
    [InlineData("serve")]
    public void TheDocsHoldTheSchemaTheCommandPrints(string name)
    {
        string file = Path.Combine(Root(), "docs", "schemas", $"{name}.schema.json");
        Assert.True(File.Exists(file), $"{file} is missing: scorespec schema {name} > {file}");
        Assert.Equal(Cli.Schemas.Text(name).ReplaceLineEndings().Trim(), File.ReadAllText(file).ReplaceLineEndings().Trim());
        var stdout = new StringWriter();
        Assert.Equal(0, Cli.Cli.Run(["schema", name], new StringReader(""), stdout, new StringWriter()));
        Assert.Equal(Cli.Schemas.Text(name).Trim(), stdout.ToString().Trim());
    }

    private const string Data = """{"weights": [0.3, 0.7], "means": [[-2.0, 0.5], [1.5, -1.0]], "stds": [0.6, 0.9]}""";

    public static IEnumerable<object[]> GoodRequests()
    {
        yield return ["eval", $$"""{"data": {{Data}}, "path": {"kind": "vp"}, "t": 0.5, "points": [[0.1, 0.2]]}"""];
        yield return ["eval", """{"data": {"weights": [1], "means": [[0, 0]], "covariances": [[[1, 0.5], [0.5, 2]]]}, "path": {"kind": "ve", "sigma_min": 0.02, "sigma_max": 80}, "times": [0.1, 0.9], "points": [[0.1, 0.2]], "quantities": ["v_prediction", "score"], "budget_seconds": 10}"""];
        yield return ["eval", """{"data": {"weights": [1], "means": [[0, 0]], "variances": [[1, 2]], "stds": null}, "path": {"kind": "polynomial", "n": 3}, "t": 0.5, "times": null, "points": [[0.1, 0.2]], "arrays": null}"""];
        foreach (var kind in Paths.PathRegistry.Names)
            yield return ["eval", $$"""{"data": {{Data}}, "path": {"kind": "{{kind}}"}, "t": 0.3, "points": [[0.1, 0.2]]}"""];
        yield return ["likelihood", $$"""{"data": {{Data}}, "path": {"kind": "condot"}, "points": [[0.1, 0.2]], "rtol": 1e-6, "atol": 1e-6}"""];
        yield return ["likelihood", $$"""{"data": {{Data}}, "path": {"kind": "vp"}, "points": [[0.1, 0.2]], "divergence": "hutchinson", "probe": "gaussian", "probes": 3, "seed": 5, "prior": "standard", "rtol": 1e-6, "atol": 1e-6, "epsilon": 1e-4}"""];
        // Every sampler with every option it reads, at its default.
        foreach (var entry in Sampling.SamplerRegistry.All)
        {
            var options = string.Join("", entry.Options.Select(o => o switch
            {
                Sampling.SamplerOption.Number n => $", \"{n.Name}\": {n.Default.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
                Sampling.SamplerOption.Word w => $", \"{w.Name}\": \"{w.Default}\"",
                Sampling.SamplerOption.Flag f => $", \"{f.Name}\": {(f.Default ? "true" : "false")}",
                _ => "",
            }));
            string kind = entry.Name switch { "flow_match_euler" => "condot", "annealed_langevin" => "ve", _ => "vp" };
            string steps = entry.Adaptive ? "" : ", \"steps\": 4";
            yield return ["sample", $$"""{"data": {{Data}}, "path": {"kind": "{{kind}}"}, "sampler": "{{entry.Name}}", "n": 4{{steps}}{{options}}}"""];
        }
        yield return ["sample", $$$"""{"data": {{{Data}}}, "path": {"kind": "vp"}, "sampler": "heun", "n": 4, "steps": 3, "grid": {"kind": "karras", "rho": 5}, "statistics": "linear", "threads": 1, "seed": 2}"""];
        yield return ["sample", $$$"""{"data": {{{Data}}}, "path": {"kind": "vp"}, "sampler": "ddim", "n": 4, "grid": {"kind": "explicit", "times": [0.9, 0.5, 0.1]}}"""];
        const string Eight = "[[0.1, 0.2], [-1, 0.5], [2, -1], [0.3, 0.3], [-2, 1], [1, -1], [0, 0], [1.5, -0.5]]";
        yield return ["check", $$"""{"claim": "distribution", "data": {{Data}}, "samples": {{Eight}}}"""];
        yield return ["check", $$"""{"claim": "distribution", "data": {{Data}}, "path": {"kind": "ve"}, "t": 0.2, "samples": {{Eight}}, "false_failure": 0.01, "seed": 3}"""];
        yield return ["check", $$"""{"claim": "pointwise", "data": {{Data}}, "path": {"kind": "vp"}, "quantity": "score", "t": 0.5, "points": [[0.1, 0.2]], "values": [[-0.2, 0.1]], "rtol": 1}"""];
        yield return ["check", $$"""{"claim": "pointwise", "data": {{Data}}, "path": {"kind": "vp"}, "quantity": "log_density", "times": [0.5, 0.6], "points": [[0.1, 0.2]], "values": [[-2], [-2]], "atol": 10}"""];
        yield return ["check", $$"""{"claim": "convergence", "data": {{Data}}, "path": {"kind": "vp"}, "t_start": 0.9, "t_end": 0.1, "starts": [[0.1, 0.2]], "runs": [{"steps": 2, "samples": [[1, 1]]}, {"steps": 4, "samples": [[1, 2]]}, {"steps": 8, "samples": [[1, 3]]}], "order": 1, "order_tolerance": 0.5}"""];
        yield return ["check", $$"""{"claim": "convergence", "kind": "weak", "data": {{Data}}, "path": {"kind": "vp"}, "t": 0.1, "runs": [{"steps": 2, "samples": {{Eight}}}, {"steps": 4, "samples": {{Eight}}}, {"steps": 8, "samples": {{Eight}}}], "order": 1}"""];
    }

    /// <summary>Check requests that the reader refuses for a reason the schema states.</summary>
    /// <remarks>Convergence requests that pass the schema are exercised by CheckCommandTests with real runs.</remarks>
    public static IEnumerable<object[]> BadChecks()
    {
        const string Eight = "[[0.1, 0.2], [-1, 0.5], [2, -1], [0.3, 0.3], [-2, 1], [1, -1], [0, 0], [1.5, -0.5]]";
        yield return [$$"""{"claim": "distributoin", "data": {{Data}}, "samples": {{Eight}}}"""];
        yield return [$$"""{"claim": "distribution", "data": {{Data}}, "path": {"kind": "vp"}, "samples": {{Eight}}}"""];
        yield return [$$"""{"claim": "distribution", "data": {{Data}}, "samples": "x.txt"}"""];
        yield return [$$"""{"claim": "distribution", "data": {{Data}}, "samples": {{Eight}}, "false_failure": 0.9}"""];
        yield return [$$"""{"claim": "distribution", "data": {{Data}}, "samples": {{Eight}}, "quantity": "score"}"""];
        yield return [$$"""{"claim": "pointwise", "data": {{Data}}, "path": {"kind": "vp"}, "quantity": "scor", "t": 0.5, "points": [[0, 0]], "values": [[0, 0]]}"""];
        yield return [$$"""{"claim": "pointwise", "data": {{Data}}, "path": {"kind": "vp"}, "quantity": "score", "t": 0.5, "times": [0.5], "points": [[0, 0]], "values": [[0, 0]]}"""];
        yield return [$$"""{"claim": "convergence", "data": {{Data}}, "path": {"kind": "vp"}, "t_start": 0.9, "t_end": 0.1, "starts": [[0, 0]], "runs": [{"steps": 2, "samples": [[0, 0]]}], "order": 1}"""];
        yield return [$$"""{"claim": "convergence", "kind": "weak", "data": {{Data}}, "path": {"kind": "vp"}, "t_start": 0.9, "t": 0.1, "runs": [{"steps": 2, "samples": "a.npy"}, {"steps": 4, "samples": "b.npy"}, {"steps": 8, "samples": "c.npy"}], "order": 1}"""];
        yield return [$$"""{"claim": "convergence", "data": {{Data}}, "path": {"kind": "vp"}, "t": 0.1, "runs": [{"steps": 2, "samples": "a.npy"}, {"steps": 4, "samples": "b.npy"}, {"steps": 8, "samples": "c.npy"}], "order": 1}"""];
        yield return [$$"""{"claim": "convergence", "data": {{Data}}, "path": {"kind": "vp"}, "t_start": 0.9, "t_end": 1.1, "starts": [[0, 0]], "runs": [{"steps": 2, "samples": [[0, 0]]}, {"steps": 4, "samples": [[0, 0]]}, {"steps": 8, "samples": [[0, 0]]}], "order": 1}"""];
    }

    [Theory, MemberData(nameof(BadChecks))]
    public void BadChecksFailTheSchemaAndTheReader(string request)
    {
        Assert.False(Valid(Schema("check"), request), $"the schema accepts {request}");
        var (code, _) = Run("check", request);
        Assert.Equal(2, code);
    }

    [Theory, MemberData(nameof(GoodRequests))]
    public void EveryGoodRequestPassesTheSchemaAndTheReader(string command, string request)
    {
        Assert.True(Valid(Schema(command), request), $"the schema refuses {request}");
        var (code, err) = Run(command, request);
        Assert.True(code == 0, $"the reader refuses {request}: {err}");
    }

    /// <summary>
    /// The bad requests of the catalog that the schema accepts, each for a reason JSON Schema cannot express; the reader
    /// refuses all of them. Any other bad request that the schema accepts is a gap in the schema.
    /// </summary>
    private static readonly Dictionary<string, string> BeyondTheSchema = new()
    {
        ["sample: explicit grid backwards"] = "order of the times relative to the path's data end",
        ["sample: explicit grid not monotone"] = "monotone order of a list",
        ["eval: weights do not sum to 1"] = "a sum",
        ["eval: means one short"] = "one mean per weight: equal lengths of two arrays",
        ["eval: means ragged"] = "equal dimension of every mean",
        ["eval: stds one short"] = "one std per weight: equal lengths of two arrays",
        ["eval: covariances one short"] = "one covariance per weight: equal lengths of two arrays",
        ["eval: covariance one row"] = "d rows: the dimension of the means",
        ["eval: covariance short row"] = "d columns: the dimension of the means",
        ["eval: covariance not symmetric"] = "symmetry: entry (i, j) against entry (j, i)",
        ["eval: covariance indefinite"] = "positive definiteness",
        ["eval: covariance singular"] = "positive definiteness",
        ["eval: covariance negative variance"] = "a bound on the diagonal entries only (off-diagonal entries may be negative)",
        ["eval: covariance variance 1e-300"] = "a bound on the diagonal entries only",
        ["eval: variances one short"] = "one variance vector per weight: equal lengths of two arrays",
        ["eval: variances wrong length"] = "d variances: the dimension of the means",
        ["eval: vp beta_max below beta_min"] = "an order between two parameters",
        ["eval: ve sigma_max below sigma_min"] = "an order between two parameters",
        ["eval: points wrong dimension"] = "the dimension of the means",
        ["eval: point beyond double precision"] = "a density that underflows: arithmetic, not structure",
        ["sample: n 1e8 over the memory limit"] = "the memory estimate from n and d",
        ["sample: n and steps over the time budget"] = "the work estimate against budget_seconds",
        ["sample: over a small budget"] = "the work estimate against budget_seconds",
        ["sample: full statistics on 1e6 points"] = "the work estimate of the O(n^2) statistic",
        ["sample: extension sigma 1e6 diverges"] = "a run that diverges",
        ["sample: vp beta_max 1e6 over 20 steps diverges"] = "a run that diverges",
        ["sample: ve sigma_max 1e100 over 20 steps diverges"] = "a run that diverges",
        ["sample: samples_csv unwritable"] = "the file system",
        ["sample: samples_csv a directory"] = "the file system",
        ["likelihood: likelihood points wrong dimension"] = "the dimension of the means",
        ["likelihood: likelihood over budget"] = "the work estimate against budget_seconds",
    };

    [Fact]
    public void TheSchemaRefusesEveryBadRequestItCanSee()
    {
        var accepted = new List<string>();
        int judged = 0;
        foreach (var c in BadRequestCatalog.Cases())
        {
            if (c.Args.Length != 2 || c.Args[1] != "-" || !Cli.Schemas.Names.Contains(c.Args[0])) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(c.Stdin); }
            catch (JsonException) { continue; } // not JSON: no schema applies, and the reader refuses it (the catalog checks)
            using (doc)
            {
                // Duplicate keys are JSON that a validator reads as the last value; the reader refuses them.
                if (c.Name.StartsWith("duplicate", StringComparison.Ordinal)) continue;
                judged++;
                if (Schema(c.Args[0]).Evaluate(doc.RootElement).IsValid) accepted.Add(c.Name);
            }
        }
        output.WriteLine($"{judged} bad requests judged; the schema accepts {accepted.Count}:");
        foreach (var a in accepted) output.WriteLine($"  {a}");
        var unexplained = accepted.Where(a => !BeyondTheSchema.ContainsKey(a)).ToList();
        var stale = BeyondTheSchema.Keys.Where(k => !accepted.Contains(k)).ToList();
        Assert.True(unexplained.Count == 0, $"the schema accepts bad requests it should refuse: {string.Join("; ", unexplained)}");
        Assert.True(stale.Count == 0, $"listed as beyond the schema but refused by it: {string.Join("; ", stale)}");
        Assert.True(judged >= 150, $"only {judged} bad requests were judged");
    }
}
