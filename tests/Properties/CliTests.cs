using System.Text.Json;
using ScoreSpec.Cli;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>The `scorespec eval` contract (shared/cli-contract.md): fields, round-trip numbers, exit code 2 with one line naming the field.</summary>
public class CliTests
{
    private const string ContractData = """
        "data": {
          "weights": [0.5, 0.5],
          "means": [[-2.0, 0.0], [2.0, 0.0]],
          "covariances": [[[0.49, 0.0], [0.0, 0.49]], [[0.49, 0.0], [0.0, 0.49]]]
        }
        """;

    private static (int Code, string Out, string Err) Run(string request, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(args.Length == 0 ? ["eval", "-"] : args, new StringReader(request), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Request(string path, double t = 0.5, string points = "[[0.1, -0.3], [1.0, 2.0]]", string extra = "")
        => $$"""{ {{ContractData}}, "path": {{path}}, "t": {{t.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}, "points": {{points}} {{extra}} }""";

    public static TheoryData<string, GaussianPath> Paths => new()
    {
        { """{ "kind": "vp", "beta_min": 0.1, "beta_max": 20.0 }""", new VpPath(0.1, 20) },
        { """{ "kind": "subvp" }""", GaussianPath.SubVp },
        { """{ "kind": "ve", "sigma_min": 0.02 }""", new VePath(0.02, 50) },
        { """{ "kind": "cosine" }""", GaussianPath.Cosine },
        { """{ "kind": "condot" }""", GaussianPath.CondOt },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void EvalAnswersEveryQuantityForEveryPathKind(string pathJson, GaussianPath path)
    {
        var (code, output, err) = Run(Request(pathJson));
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        // The answer against the closed forms of this data written out here, apart from the library's mixture code:
        // components N(+-2 e1, 0.49 I) with weights 1/2 are carried to N(alpha mu_k, v I) with v = 0.49 alpha^2 + sigma^2;
        // r_k are the posterior weights; score = sum r_k (alpha mu_k - x)/v; denoiser = sum r_k (mu_k + 0.49 alpha (x -
        // alpha mu_k)/v); noise = -sigma score; velocity = alphadot denoiser + sigmadot noise.
        double t = 0.5, a = path.Alpha(t), s = path.Sigma(t), v = 0.49 * a * a + s * s;
        Assert.Equal(a, root.GetProperty("alpha").GetDouble(), 1e-15 * a);
        Assert.Equal(s, root.GetProperty("sigma").GetDouble(), 1e-15 * s);
        double[][] mu = [[-2.0, 0.0], [2.0, 0.0]];
        double[][] points = [[0.1, -0.3], [1.0, 2.0]];
        for (int p = 0; p < points.Length; p++)
        {
            var x = points[p];
            var logs = mu.Select(m => Math.Log(0.5) - Math.Log(2 * Math.PI * v) - ((x[0] - a * m[0]) * (x[0] - a * m[0]) + (x[1] - a * m[1]) * (x[1] - a * m[1])) / (2 * v)).ToArray();
            double top = logs.Max(), logp = top + Math.Log(logs.Sum(l => Math.Exp(l - top)));
            var r = logs.Select(l => Math.Exp(l - logp)).ToArray();
            var score = new double[2];
            var denoiser = new double[2];
            for (int k = 0; k < 2; k++)
                for (int j = 0; j < 2; j++)
                {
                    score[j] += r[k] * (a * mu[k][j] - x[j]) / v;
                    denoiser[j] += r[k] * (mu[k][j] + 0.49 * a * (x[j] - a * mu[k][j]) / v);
                }
            var noise = score.Select(g => -s * g).ToArray();
            var velocity = denoiser.Select((z, j) => path.AlphaDot(t) * z + path.SigmaDot(t) * noise[j]).ToArray();
            Assert.Equal(logp, root.GetProperty("log_density")[p].GetDouble(), 1e-13 * (Math.Abs(logp) + 1));
            foreach (var (name, expected) in new[] { ("score", score), ("noise", noise), ("denoiser", denoiser), ("velocity", velocity) })
            {
                var got = root.GetProperty(name)[p].EnumerateArray().Select(e => e.GetDouble()).ToArray();
                double scale = expected.Max(Math.Abs) + 1;
                for (int j = 0; j < 2; j++) Assert.True(Math.Abs(got[j] - expected[j]) <= 1e-12 * scale, $"{path.Kind} {name}[{j}] at point {p}: {got[j]:R} against {expected[j]:R}");
            }
        }
    }

    [Fact]
    public void StdsAreAcceptedAsIsotropicCovariances()
    {
        string request = """{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [2.0] }, "path": { "kind": "vp" }, "t": 0.3, "points": [[1.0]], "quantities": ["score"] }""";
        var (code, output, _) = Run(request);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var expected = Gaussian.Isotropic([0.0], 2.0).Along(GaussianPath.Vp, 0.3).Score([1.0])[0];
        Assert.Equal(expected, doc.RootElement.GetProperty("score")[0][0].GetDouble());
        Assert.False(doc.RootElement.TryGetProperty("log_density", out _));
    }

    [Theory]
    [InlineData("""{ "data": { "weights": [0.5, 0.4], "means": [[0.0], [1.0]], "stds": [1.0, 1.0] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0]] }""", "data.weights")]
    [InlineData("""{ "data": { "weights": [1.5, -0.5], "means": [[0.0], [1.0]], "stds": [1.0, 1.0] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0]] }""", "data.weights[0]")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "t": 1.0, "points": [[0.0]] }""", "t")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "t": 0.5, "points": [[0.0]] }""", "path")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "edm" }, "t": 0.5, "points": [[0.0]] }""", "path.kind")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "ve", "sigma_min": 5, "sigma_max": 1 }, "t": 0.5, "points": [[0.0]] }""", "path.sigma_max")]
    [InlineData("""{ "data": { "weights": [0.5, 0.5], "means": [[0.0, 0.0], [1.0, 0.0]], "covariances": [[[1, 0], [0, 1]], [[1, 2], [2, 1]]] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0, 0.0]] }""", "data.covariances[1]")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0, 0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0, 0.0], [1.0]] }""", "points[1]")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0]], "quantities": ["hessian"] }""", "quantities[0]")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [["a"]], "stds": [1.0] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0]] }""", "data.means[0][0]")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]] }, "path": { "kind": "vp" }, "t": 0.5, "points": [[0.0]] }""", "data")]
    [InlineData("""{ not json""", "FILE")]
    public void BadInputExitsTwoWithOneLineNamingTheField(string request, string field)
    {
        var (code, output, err) = Run(request);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith($"scorespec: {field}: ", lines[0]);
    }

    [Fact]
    public void UnknownOptionExitsTwo()
    {
        var (code, _, err) = Run("", "verify", "--frobnicate");
        Assert.Equal(2, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void MissingFileExitsTwo()
    {
        var (code, _, err) = Run("", "eval", "/nonexistent/request.json");
        Assert.Equal(2, code);
        Assert.StartsWith("scorespec: FILE: ", err);
    }

    [Fact]
    public void SampleTakesAGridAndReportsTheFlowMapError()
    {
        // A deterministic sampler answers its distance from the exact flow map; more steps on the same grid kind bring it
        // down at the sampler's order (dpm_solver_3: 10 -> 20 Karras steps divides it by at least 4, third order gives ~8).
        const string Data = """{ "weights": [0.5, 0.5], "means": [[-2.0, 0.0], [2.0, 0.0]], "stds": [0.7, 0.7] }""";
        double Error(int steps)
        {
            var (code, output, err) = Run($$"""{ "data": {{Data}}, "path": { "kind": "vp" }, "sampler": "dpm_solver_3", "steps": {{steps}}, "n": 300, "grid": { "kind": "karras", "rho": 7 } }""", "sample", "-");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal("karras", doc.RootElement.GetProperty("grid").GetString());
            var flow = doc.RootElement.GetProperty("flow_map_error");
            Assert.Equal(256, flow.GetProperty("points").GetInt32());
            Assert.True(flow.GetProperty("max").GetDouble() >= flow.GetProperty("mean").GetDouble());
            return flow.GetProperty("mean").GetDouble();
        }
        double coarse = Error(10), fine = Error(20);
        Assert.True(coarse / fine > 4, $"{coarse} then {fine}");
        // An explicit grid sets the steps; a stochastic sampler answers no flow-map error but the KS noise floor.
        var (c2, o2, e2) = Run($$"""{ "data": {{Data}}, "path": { "kind": "ve" }, "sampler": "euler_ancestral", "n": 400, "grid": { "kind": "explicit", "times": [0.9, 0.6, 0.3, 0.1, 0.02] } }""", "sample", "-");
        Assert.True(c2 == 0, e2);
        using var d2 = JsonDocument.Parse(o2);
        Assert.Equal(4, d2.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(0.02, d2.RootElement.GetProperty("t_end").GetDouble());
        Assert.False(d2.RootElement.TryGetProperty("flow_map_error", out _));
        Assert.Equal(Math.Sqrt(Math.PI / 2) * Math.Log(2) / Math.Sqrt(400), d2.RootElement.GetProperty("marginal_ks_noise_floor").GetDouble(), 1e-15);
    }

    [Fact]
    public void SamplersJsonListsTheRegistry()
    {
        var (code, output, err) = Run("", "samplers", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToArray();
        Assert.Equal(Sampling.SamplerRegistry.Names.ToArray(), names);
        var ancestral = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "ancestral");
        Assert.Equal(["vp", "ve", "cosine"], ancestral.GetProperty("path_kinds").EnumerateArray().Select(k => k.GetString()!).ToArray());
        Assert.Contains("condot", ancestral.GetProperty("not_defined_on").GetProperty("condot").GetString());
        var dpm3 = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "dpm_solver_3");
        Assert.Equal(3, dpm3.GetProperty("order").GetDouble());
        Assert.True(dpm3.GetProperty("deterministic").GetBoolean());
        var heun = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "heun");
        Assert.Equal(["s_churn", "s_tmin", "s_tmax", "s_noise"], heun.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("name").GetString()!).ToArray());
        var (tableCode, table, _) = Run("", "samplers");
        Assert.Equal(0, tableCode);
        foreach (var name in names) Assert.Contains(name!, table);
    }

    [Fact]
    public void VerifyJsonHasTheContractFieldsAndPasses()
    {
        var (code, output, _) = Run("", "verify", "--quick", "--json", "--seed", "3");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(Identities.Catalog.All.Count, doc.RootElement.GetArrayLength());
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            foreach (var f in new[] { "id", "statement", "source", "residual", "tolerance", "passed" })
                Assert.True(r.TryGetProperty(f, out _), $"missing {f}");
            Assert.True(r.GetProperty("passed").GetBoolean(), r.GetProperty("id").GetString());
        }
    }
}

public class CliSampleTests
{
    private static (int Code, string Out, string Err) Run(string request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(["sample", "-"], new StringReader(request), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private const string Data = """ "data": { "weights": [0.5, 0.5], "means": [[-2.0, 0.0], [2.0, 0.0]], "stds": [0.7, 0.7] } """;

    [Theory]
    [InlineData("euler_maruyama", "vp")]
    [InlineData("pf_ode_euler", "ve")]
    [InlineData("pf_ode_heun", "subvp")]
    [InlineData("pf_ode_rk4", "cosine")]
    [InlineData("pf_ode_dopri5", "condot")]
    [InlineData("predictor_corrector", "vp")]
    [InlineData("extension", "condot")]
    [InlineData("ancestral", "ve")]
    public void SampleAnswersTheContractAndIsTheSameOnOneAndTwoThreads(string sampler, string kind)
    {
        // The adaptive sampler takes no step count (its steps come from rtol and atol).
        string steps = sampler == "pf_ode_dopri5" ? "" : "\"steps\": 200, ";
        string Request(int threads) => $$"""{ {{Data}}, "path": { "kind": "{{kind}}" }, "sampler": "{{sampler}}", {{steps}}"n": 2000, "seed": 7, "threads": {{threads}} }""";
        var (code1, out1, err1) = Run(Request(1));
        var (code2, out2, _) = Run(Request(2));
        Assert.True(code1 == 0, err1);
        Assert.Equal(0, code2);
        using var a = JsonDocument.Parse(out1);
        using var b = JsonDocument.Parse(out2);
        foreach (var f in new[] { "n", "mean", "covariance", "energy_distance", "seconds", "path_steps_per_second" })
            Assert.True(a.RootElement.TryGetProperty(f, out _), $"missing {f}");
        Assert.Equal(a.RootElement.GetProperty("mean").GetRawText(), b.RootElement.GetProperty("mean").GetRawText());
        Assert.Equal(a.RootElement.GetProperty("covariance").GetRawText(), b.RootElement.GetProperty("covariance").GetRawText());
        Assert.Equal(a.RootElement.GetProperty("energy_distance").GetRawText(), b.RootElement.GetProperty("energy_distance").GetRawText());
        // The answer describes the law at t_end, N(+-2 alpha e1, v I) with v = 0.49 alpha^2 + sigma^2 (alpha = 1 up to 1e-3
        // for these defaults): the mean within z standard errors of 0, the x-variance within z standard errors of
        // 4 alpha^2 + v (the sample variance's standard error from the mixture's fourth central moment
        // (2 alpha)^4 + 6 (2 alpha)^2 v + 3 v^2), with z for a joint false-failure probability of 1e-6 over the three
        // assertions, plus 2 % of each scale for the discretisation at 200 steps (the largest reference bias of these
        // samplers at 200 steps is below 1 %, DiscretisedGaussianLaw).
        var path = GaussianPath.All.First(p => p.Kind == kind);
        double tEnd = a.RootElement.GetProperty("t_end").GetDouble(), alpha = path.Alpha(tEnd), sig = path.Sigma(tEnd);
        double v = 0.49 * alpha * alpha + sig * sig, varX = 4 * alpha * alpha + v, n = 2000;
        double mu4 = Math.Pow(2 * alpha, 4) + 6 * Math.Pow(2 * alpha, 2) * v + 3 * v * v;
        double z = ScoreSpec.Numerics.Bounds.TwoSidedZ(1e-6, 3);
        var mean = a.RootElement.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double sampleVar = a.RootElement.GetProperty("covariance")[0][0].GetDouble();
        Assert.True(Math.Abs(mean[0]) <= z * Math.Sqrt(varX / n) + 0.02 * Math.Sqrt(varX), $"mean[0] = {mean[0]}");
        Assert.True(Math.Abs(mean[1]) <= z * Math.Sqrt(v / n) + 0.02 * Math.Sqrt(v), $"mean[1] = {mean[1]}");
        Assert.True(Math.Abs(sampleVar - varX) <= z * Math.Sqrt((mu4 - varX * varX) / n) + 0.02 * varX, $"var[0] = {sampleVar} against {varX}");
    }

    [Theory]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "sampler": "magic" }""", "sampler")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "sampler": "euler_maruyama", "steps": 0 }""", "steps")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "sampler": "euler_maruyama", "n": 2.5 }""", "n")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "condot" }, "sampler": "ancestral" }""", "sampler")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "sampler": "extension", "sigma": -1 }""", "sigma")]
    [InlineData("""{ "data": { "weights": [1.0], "means": [[0.0]], "stds": [1.0] }, "path": { "kind": "vp" }, "sampler": "euler_maruyama", "epsilon": 0.7 }""", "epsilon")]
    public void BadSampleRequestsExitTwo(string request, string field)
    {
        var (code, output, err) = Run(request);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"scorespec: {field}: ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

public class CliPlotTests
{
    [Theory]
    [MemberData(nameof(Names))]
    public void PlotWritesSvgAndPngWithTheirText(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "scorespec-plot-test-" + Guid.NewGuid().ToString("N"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(["plot", name, "--out", dir], new StringReader(""), stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var svg = File.ReadAllText(Path.Combine(dir, name + ".svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("DejaVu Sans", svg);
        var png = File.ReadAllBytes(Path.Combine(dir, name + ".png"));
        Assert.True(png.Length > 10_000, $"{name}.png is only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        Directory.Delete(dir, true);
    }

    public static TheoryData<string> Names => new(ScoreSpec.Plots.Figures.Names);

    [Fact]
    public void UnknownFigureExitsTwo()
    {
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(["plot", "nonsense", "--out", Path.GetTempPath()], new StringReader(""), new StringWriter(), stderr);
        Assert.Equal(2, code);
        Assert.StartsWith("scorespec: NAME: ", stderr.ToString());
    }
}

public class CliExamplesTests
{
    [Fact]
    public void ExamplesJsonHasTheContractFieldsAndFindsTheWrongNumbers()
    {
        var stdout = new StringWriter();
        int code = Cli.Cli.Run(["examples", "--json"], new StringReader(""), stdout, new StringWriter());
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.ToString());
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(ScoreSpec.Examples.WorkedExamples.All.Count, rows.Count);
        foreach (var r in rows)
            foreach (var f in new[] { "id", "source", "quantity", "text_value", "library_value", "status", "note" })
                Assert.True(r.TryGetProperty(f, out _), $"missing {f}");
        var statuses = rows.ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("status").GetString());
        Assert.Equal("differs", statuses["ch3.conversion.velocity-from-score"]);
        Assert.Equal("differs", statuses["ch9.guidance.unconditional"]);
        Assert.Equal("rounding", statuses["ch7.dsm.loss"]);
        Assert.All(rows.Where(r => r.GetProperty("status").GetString() != "agrees"), r => Assert.NotEqual("", r.GetProperty("note").GetString()));
    }
}
