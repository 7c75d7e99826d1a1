using System.Globalization;
using System.Text;
using System.Text.Json;
using ScoreSpec.Densities;
using ScoreSpec.Paths;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;

namespace ScoreSpec.Cli;

/// <summary>
/// `scorespec check FILE`: judges someone else's sampler or model against the exact answer (docs/cli.md, "check").
/// Claims: "distribution" (a sample is drawn from p_t, or from the data distribution), "pointwise" (values of score,
/// denoiser, noise, velocity, v-prediction or log density at points and times), "convergence" (a deterministic sampler
/// converges to the exact flow map with the order it claims).
/// </summary>
internal static class CheckCommand
{
    private static readonly string[] Claims = ["distribution", "pointwise", "convergence"];

    /// <summary>The most numbers a check reads from one array (8e8 bytes as doubles).</summary>
    private const long MaxNumbers = 100_000_000;

    public static int Run(Fields request, TextWriter stdout)
    {
        string claim = request.Word("claim", null, Claims);
        return claim switch
        {
            "distribution" => Distribution(request, stdout),
            "pointwise" => Pointwise(request, stdout),
            _ => Convergence(request, stdout),
        };
    }

    private static int Distribution(Fields request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        bool atTime = request.TryGet("t", out _);
        GaussianPath? path = atTime ? Json.Path(request) : null;
        double t = atTime ? Json.Time(request) : double.NaN;
        if (!atTime && request.TryGet("path", out _)) throw new RequestException("path", "goes with t: the law is then p_t on this path; without t the sample is judged against the data distribution");
        double falseFailure = request.Number("false_failure", 1e-6, 1e-15, 0.5, "the probability that a correct sample fails");
        long seed = request.Whole("seed", 0, 0, 1L << 53);
        var samples = Matrix(request, "samples", data.Dimension);
        double budget = Budget.Read(request);
        request.RejectUnknown("a distribution check");
        if (samples.Length < 8) throw new RequestException("samples", $"must hold at least 8 points, got {samples.Length}");
        int d = data.Dimension, q = Math.Min(d, DistributionCheck.MaxCoordinates);
        double flops = (double)samples.Length * (d * q + 40.0 * q * Math.Log2(samples.Length) + 12.0 * d + Budget.ScoreFlops(data));
        Budget.Check("samples", Budget.Seconds(flops, 1), budget, $"a check of {samples.Length} points in d = {d}", "check fewer points");

        var law = path is null ? data : Json.Library("t", () => data.Along(path, t)).Density;
        var verdict = DistributionCheck.Run(law, samples, falseFailure, (ulong)seed);
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("claim", "distribution");
            w.WriteString("verdict", verdict.Passed ? "pass" : "fail");
            w.WriteString("law", path is null ? "the data distribution" : $"p_t of the data on the {path.Kind} path at t = {t.ToString("R", CultureInfo.InvariantCulture)}");
            w.WriteNumber("n", verdict.N);
            Json.WriteNumber(w, "false_failure", falseFailure);
            w.WriteStartArray("failures");
            foreach (var f in verdict.Failures) w.WriteStringValue(f.Name);
            w.WriteEndArray();
            w.WriteStartArray("tests");
            foreach (var test in verdict.Tests)
            {
                w.WriteStartObject();
                w.WriteString("name", test.Name);
                Json.WriteNumber(w, "statistic", test.Statistic);
                Json.WriteNumber(w, "threshold", test.Threshold);
                w.WriteBoolean("passed", test.Passed);
                Json.WriteNumber(w, "estimate", test.Estimate);
                Json.WriteNumber(w, "exact", test.Exact);
                Json.WriteNumber(w, "detectable", test.Detectable);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("meaning", "A sample of the law fails with probability at most false_failure (Bonferroni over the tests; CLT for the z-tests). Each test's detectable is the error of its kind that it catches with probability 0.99 at this n.");
            w.WriteEndObject();
        });
        return 0;
    }

    private static int Pointwise(Fields request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        string quantity = request.Word("quantity", null, [.. EvalCommand.Known.Select(q => q.Name)]);
        bool many = request.TryGet("times", out var timesJson);
        double[] times;
        if (many)
        {
            if (request.TryGet("t", out _)) throw new RequestException("times", "give t or times, not both");
            var items = Json.Array(timesJson, "times");
            times = items.Select((e, i) => Json.Number(e, $"times[{i}]")).ToArray();
            for (int i = 0; i < times.Length; i++)
                if (times[i] <= 0 || times[i] >= 1) throw new RequestException($"times[{i}]", $"must lie strictly inside (0, 1), got {Json.Show(times[i])}");
        }
        else times = [Json.Time(request)];
        var points = Matrix(request, "points", data.Dimension);
        int width = quantity == "log_density" ? 1 : data.Dimension;
        var values = Values(request, times.Length, many, points.Length, width, quantity == "log_density");
        double rtol = request.Number("rtol", 1e-6, 0, 1), atol = request.Number("atol", 1e-9, 0, 1e300);
        if (rtol == 0 && atol == 0) throw new RequestException("atol", "rtol and atol cannot both be 0");
        double budget = Budget.Read(request);
        request.RejectUnknown("a pointwise check");
        double flops = times.Length * (Budget.SetupFlops(data) + (double)points.Length * (Budget.ScoreFlops(data) + 4.0 * data.Dimension));
        Budget.Check("points", Budget.Seconds(flops, 1), budget, $"{times.Length} times x {points.Length} points", "check fewer points or times");

        var q = EvalCommand.Known.First(x => x.Name == quantity).Quantity;
        double worstScaled = -1, maxAbs = 0, maxRel = 0;
        int worstTime = 0, worstPoint = 0;
        double[] worstExact = [], worstValue = [];
        int failures = 0;
        for (int k = 0; k < times.Length; k++)
        {
            var marginal = Json.Library(many ? $"times[{k}]" : "t", () => data.Along(path, times[k]));
            for (int i = 0; i < points.Length; i++)
            {
                var exact = q is null ? [marginal.LogDensity(points[i])] : marginal.Evaluate(q.Value, points[i]);
                var given = values[k][i];
                double scaled = 0, abs = 0, norm = 0;
                for (int j = 0; j < width; j++)
                {
                    double e = Math.Abs(given[j] - exact[j]);
                    abs = Math.Max(abs, e);
                    norm = Math.Max(norm, Math.Abs(exact[j]));
                    scaled = Math.Max(scaled, e / (atol + rtol * Math.Abs(exact[j])));
                }
                if (!double.IsFinite(norm)) throw new RequestException($"points[{i}]", $"the exact {quantity} is not finite in double precision here");
                maxAbs = Math.Max(maxAbs, abs);
                maxRel = Math.Max(maxRel, abs / Math.Max(norm, double.Epsilon));
                if (scaled > 1) failures++;
                if (scaled > worstScaled)
                {
                    (worstScaled, worstTime, worstPoint, worstExact, worstValue) = (scaled, k, i, exact, given);
                }
            }
        }
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("claim", "pointwise");
            w.WriteString("verdict", failures == 0 ? "pass" : "fail");
            w.WriteString("quantity", quantity);
            w.WriteNumber("values", (long)times.Length * points.Length);
            w.WriteNumber("outside_tolerance", failures);
            Json.WriteNumber(w, "max_abs_error", maxAbs);
            Json.WriteNumber(w, "max_rel_error", maxRel);
            Json.WriteNumber(w, "rtol", rtol);
            Json.WriteNumber(w, "atol", atol);
            w.WriteStartObject("worst");
            Json.WriteNumber(w, "t", times[worstTime]);
            w.WriteNumber("point_index", worstPoint);
            if (many) w.WriteNumber("time_index", worstTime);
            w.WritePropertyName("point"); Json.WriteVector(w, points[worstPoint], "point");
            w.WritePropertyName("value"); Json.WriteVector(w, worstValue, "value");
            w.WritePropertyName("exact"); Json.WriteVector(w, worstExact, "exact");
            Json.WriteNumber(w, "error_over_tolerance", worstScaled);
            w.WriteEndObject();
            w.WriteString("meaning", "A value passes when |value - exact| <= atol + rtol |exact| in every coordinate; worst is the value furthest outside (or nearest to the edge of) that band.");
            w.WriteEndObject();
        });
        return 0;
    }

    private static int Convergence(Fields request, TextWriter stdout)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        string kind = request.Word("kind", "flow_map", "flow_map", "weak");
        if (kind == "weak") return Weak(request, data, path, stdout);
        double tStart = request.Number("t_start"), tEnd = request.Number("t_end");
        foreach (var (name, v) in new[] { ("t_start", tStart), ("t_end", tEnd) })
            if (v <= 0 || v >= 1) throw new RequestException(name, $"must lie strictly inside (0, 1), got {Json.Show(v)}");
        if (tStart == tEnd) throw new RequestException("t_end", "must differ from t_start");
        var starts = Matrix(request, "starts", data.Dimension);
        var runs = Runs(request, data.Dimension, starts.Length);
        double claimed = request.Number("order", 0, 1e-3, 20);
        if (claimed == 0) throw new RequestException("order", "is required: the order the sampler claims");
        double tolerance = request.Number("order_tolerance", 0.25, 1e-3, 10);
        double budget = Budget.Read(request);
        request.RejectUnknown("a convergence check");
        // Dormand-Prince at 1e-10 takes a few hundred evaluations per point.
        Budget.Check("starts", Budget.Seconds(starts.Length * 600.0 * (Budget.ScoreFlops(data) + 30.0 * data.Dimension), Environment.ProcessorCount), budget,
            $"the exact flow map of {starts.Length} starts", "send fewer starts");

        var exact = Json.Library("starts", () => Samplers.ExactFlowMap(data, path, starts, tStart, tEnd));
        var errors = runs.Select(run => run.Ends.Select((x, i) => Math.Sqrt(x.Select((v, j) => (v - exact[i][j]) * (v - exact[i][j])).Sum())).Average()).ToArray();
        for (int r = 0; r < errors.Length; r++)
            if (!(errors[r] > 0)) throw new RequestException($"runs[{r}].samples", "equal the exact flow map to the last bit: no error to fit an order to");
        var check = OrderCheck.Of([.. runs.Select(x => x.Steps)], errors, claimed, tolerance);
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("claim", "convergence");
            w.WriteString("kind", "flow_map");
            w.WriteString("verdict", check.Passed ? "pass" : "fail");
            WriteOrders(w, check, claimed, tolerance);
            w.WriteString("error", "the mean over the starts of the Euclidean distance between the run's end point and the exact flow map (the probability-flow ODE with the exact score by Dormand-Prince at rtol = atol = 1e-10)");
            w.WriteString("meaning", "pass when the local order of the two finest step counts lies within order_tolerance of the claimed order; the least-squares fit over every run is reported beside it");
            w.WriteEndObject();
        });
        return 0;
    }

    private static void WriteOrders(Utf8JsonWriter w, OrderCheck check, double claimed, double tolerance)
    {
        Json.WriteNumber(w, "order", claimed);
        Json.WriteNumber(w, "finest_order", check.FinestOrder);
        Json.WriteNumber(w, "order_tolerance", tolerance);
        Json.WriteNumber(w, "fitted_order", check.Fit.Order);
        Json.WriteNumber(w, "fitted_order_standard_error", check.FitStandardError);
        w.WriteStartArray("steps"); foreach (int n in check.Steps) w.WriteNumberValue(n); w.WriteEndArray();
        w.WritePropertyName("errors"); Json.WriteVector(w, [.. check.Errors], "errors");
        w.WritePropertyName("local_orders"); Json.WriteVector(w, [.. check.LocalOrders], "local_orders");
    }

    /// <summary>
    /// A weak-order claim: independent samples at several step counts, each against p_t at t. The weak error of each run
    /// (DistributionCheck.WeakError: the moments' deviation with the sampling noise removed) must stand at least 4 noise
    /// levels clear at the finest run, or the answer is "inconclusive" (more samples or fewer steps); the finest pair's
    /// local order must lie within order_tolerance plus twice its noise-induced uncertainty of the claim.
    /// </summary>
    private static int Weak(Fields request, GaussianMixture data, GaussianPath path, TextWriter stdout)
    {
        double t = Json.Time(request);
        var runs = Runs(request, data.Dimension, null);
        double claimed = request.Number("order", 0, 1e-3, 20);
        if (claimed == 0) throw new RequestException("order", "is required: the order the sampler claims");
        double tolerance = request.Number("order_tolerance", 0.25, 1e-3, 10);
        double budget = Budget.Read(request);
        request.RejectUnknown("a weak convergence check");
        long numbers = runs.Sum(r => (long)r.Ends.Length) * data.Dimension;
        Budget.Check("runs", Budget.Seconds(numbers * (Math.Min(data.Dimension, DistributionCheck.MaxCoordinates) + 10.0), 1), budget, $"{numbers} numbers", "send fewer samples");
        var law = Json.Library("t", () => data.Along(path, t)).Density;
        var measured = runs.Select(r => DistributionCheck.WeakError(law, r.Ends)).ToArray();
        var order = Enumerable.Range(0, runs.Count).OrderBy(i => runs[i].Steps).ToArray();
        var (fine, coarse) = (measured[order[^1]], measured[order[^2]]);
        bool conclusive = fine.Error >= 4 * fine.Noise && coarse.Error >= 4 * coarse.Noise && measured.All(m => m.Error > 0);
        OrderCheck? check = conclusive ? OrderCheck.Of([.. runs.Select(x => x.Steps)], [.. measured.Select(m => m.Error)], claimed, tolerance) : null;
        // The finest local order's uncertainty from the two errors' noise: d(log e) = noise / e for each.
        double uncertainty = conclusive
            ? Math.Sqrt(Math.Pow(fine.Noise / fine.Error, 2) + Math.Pow(coarse.Noise / coarse.Error, 2)) / Math.Log((double)runs[order[^1]].Steps / runs[order[^2]].Steps)
            : double.PositiveInfinity;
        string verdict = check is null ? "inconclusive" : Math.Abs(check.FinestOrder - claimed) <= tolerance + 2 * uncertainty ? "pass" : "fail";
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("claim", "convergence");
            w.WriteString("kind", "weak");
            w.WriteString("verdict", verdict);
            if (check is not null)
            {
                WriteOrders(w, check, claimed, tolerance);
                Json.WriteNumber(w, "finest_order_uncertainty", uncertainty);
            }
            else Json.WriteNumber(w, "order", claimed);
            w.WritePropertyName("noise"); Json.WriteVector(w, order.Select(i => measured[i].Noise).ToArray(), "noise");
            if (check is null)
            {
                w.WriteStartArray("steps"); foreach (int i in order) w.WriteNumberValue(runs[i].Steps); w.WriteEndArray();
                w.WritePropertyName("errors"); Json.WriteVector(w, order.Select(i => measured[i].Error).ToArray(), "errors");
            }
            w.WriteString("error", "the weak error: the norm of the deviations of the sample's mean and covariance (first 16 coordinates) from p_t's, with the sampling noise's expected contribution removed; noise is the standard size of that contribution");
            w.WriteString("meaning", "inconclusive when the two finest runs' errors are not 4 noise levels clear (use more samples or fewer steps); otherwise pass when the finest pair's local order lies within order_tolerance plus twice its uncertainty of the claim");
            w.WriteEndObject();
        });
        return 0;
    }

    /// <summary>The runs of a convergence claim: at least three distinct step counts with their samples.</summary>
    private static List<(int Steps, double[][] Ends)> Runs(Fields request, int d, int? count)
    {
        var runsJson = Json.Array(request.Required("runs"), "runs");
        if (runsJson.Length < 3) throw new RequestException("runs", $"must hold at least 3 runs (step counts), got {runsJson.Length}");
        var runs = new List<(int Steps, double[][] Ends)>();
        for (int r = 0; r < runsJson.Length; r++)
        {
            string at = $"runs[{r}]";
            if (runsJson[r].ValueKind != JsonValueKind.Object) throw new RequestException(at, $"must be an object {{\"steps\": N, \"samples\": ...}}, got {Fields.Describe(runsJson[r])}");
            var run = Json.Parse(runsJson[r].GetRawText());
            int steps;
            double[][] ends;
            try
            {
                steps = (int)run.Whole("steps", 0, 1, 10_000_000);
                if (steps == 0) throw new RequestException("steps", "is required: the run's step count");
                ends = Matrix(run, "samples", d);
                run.RejectUnknown("a run (steps, samples)");
            }
            catch (RequestException ex) { throw new RequestException($"{at}.{ex.Field}", ex.Message); }
            if (count is int c && ends.Length != c) throw new RequestException($"{at}.samples", $"must hold one end point per start ({c}), got {ends.Length}");
            if (count is null && ends.Length < 8) throw new RequestException($"{at}.samples", $"must hold at least 8 points, got {ends.Length}");
            if (runs.Any(x => x.Steps == steps)) throw new RequestException($"{at}.steps", $"repeats the step count {steps}");
            runs.Add((steps, ends));
        }
        return runs;
    }

    /// <summary>The values of a pointwise claim: one (n x width) block per time, from a file or inline.</summary>
    private static double[][][] Values(Fields request, int times, bool many, int n, int width, bool scalar)
    {
        var (flat, shape) = ReadArray(request, "values");
        int[] expected = (many, scalar) switch
        {
            (false, true) => [n],
            (false, false) => [n, width],
            (true, true) => [times, n],
            (true, false) => [times, n, width],
        };
        if (!shape.SequenceEqual(expected))
            throw new RequestException("values", $"must have shape ({string.Join(", ", expected)}) to match {(many ? "times, " : "")}points{(scalar ? "" : " and d")}; got ({string.Join(", ", shape)})");
        var r = new double[times][][];
        int at = 0;
        for (int k = 0; k < times; k++)
        {
            r[k] = new double[n][];
            for (int i = 0; i < n; i++)
            {
                r[k][i] = flat.AsSpan(at, width).ToArray();
                at += width;
            }
        }
        return r;
    }

    /// <summary>An (n x d) array from the request: inline rows, or a .npy or .csv file named by a string.</summary>
    private static double[][] Matrix(Fields request, string field, int d)
    {
        var (flat, shape) = ReadArray(request, field);
        if (d == 1 && shape.Length == 1) shape = [shape[0], 1];
        if (shape.Length != 2 || shape[1] != d)
            throw new RequestException(field, $"must be an array of points with d = {d} coordinates each, shape (n, {d}); got shape ({string.Join(", ", shape)})");
        return Enumerable.Range(0, shape[0]).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
    }

    /// <summary>The numbers of an array field and its shape: inline JSON (rectangular), or a file path (.npy or .csv).</summary>
    private static (double[] Values, int[] Shape) ReadArray(Fields request, string field)
    {
        var e = request.Required(field);
        double[] flat;
        int[] shape;
        if (e.ValueKind == JsonValueKind.String)
        {
            string file = e.GetString()!;
            try
            {
                (flat, shape) = file.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? ArrayFiles.ReadNpy(file)
                    : file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ArrayFiles.ReadCsv(file)
                    : throw new RequestException(field, $"names a file that is neither .npy nor .csv: {file}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new RequestException(field, $"cannot be read: {ex.Message}");
            }
            catch (InvalidDataException ex)
            {
                throw new RequestException(field, $"is not a readable array file: {ex.Message}");
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            var values = new List<double>();
            shape = Shape(e, field, values);
            flat = [.. values];
        }
        else throw new RequestException(field, $"must be an array of numbers or the path of a .npy or .csv file, got {Fields.Describe(e)}");
        if (shape.Aggregate(1L, (a, b) => a * b) > MaxNumbers) throw new RequestException(field, $"holds more than {MaxNumbers} numbers");
        if (shape.Any(s => s == 0)) throw new RequestException(field, "must not be empty");
        for (int i = 0; i < flat.Length; i++)
            if (!double.IsFinite(flat[i])) throw new RequestException(field, $"holds a non-finite value at flat index {i}: the claim is already false there");
        return (flat, shape);

        static int[] Shape(JsonElement e, string at, List<double> into)
        {
            if (e.ValueKind == JsonValueKind.Number)
            {
                into.Add(Json.Number(e, at));
                return [];
            }
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0) throw new RequestException(at, $"must be a non-empty array or a number, got {Fields.Describe(e)}");
            int[]? inner = null;
            int i = 0;
            foreach (var item in e.EnumerateArray())
            {
                var s = Shape(item, $"{at}[{i}]", into);
                if (inner is not null && !s.SequenceEqual(inner)) throw new RequestException($"{at}[{i}]", "must have the shape of its siblings (the array must be rectangular)");
                inner = s;
                i++;
            }
            return [e.GetArrayLength(), .. inner!];
        }
    }
}
