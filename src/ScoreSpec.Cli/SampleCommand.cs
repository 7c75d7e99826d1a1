using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ScoreSpec.Densities;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;

namespace ScoreSpec.Cli;

/// <summary>`scorespec sample FILE`: runs a sampler with the exact score of the data along the path (docs/cli.md).</summary>
internal static class SampleCommand
{
    /// <summary>The energy distance is computed on the first this many points of each sample unless "statistics" is "full": O(m^2 d) work.</summary>
    public const int EnergyPoints = 4096;
    /// <summary>The covariance matrix is answered up to this dimension; above it the per-coordinate variances.</summary>
    public const int MaxCovarianceDimension = 100;

    public static int Run(Fields request, TextWriter stdout, TextWriter stderr)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        string name = request.Word("sampler", null, [.. SamplerRegistry.Names]);
        var entry = SamplerRegistry.Get(name);
        bool adaptive = entry.Adaptive;
        int steps = adaptive ? 0 : (int)request.Whole("steps", 1000, 1, 10_000_000);
        int n = (int)request.Whole("n", 10000, 2, 100_000_000);
        long seedValue = request.Whole("seed", 0, 0, 1L << 53);
        int threads = (int)request.Whole("threads", 0, 0, 1024);
        double epsilon = Json.Epsilon(request, 1e-3);
        var gridRequest = ReadGrid(request, path, adaptive, ref steps);
        // The sampler's own options, as its registry entry declares them.
        var numbers = ImmutableDictionary.CreateBuilder<string, double>();
        var words = ImmutableDictionary.CreateBuilder<string, string>();
        var flags = ImmutableDictionary.CreateBuilder<string, bool>();
        foreach (var option in entry.Options)
            switch (option)
            {
                case SamplerOption.Number { Whole: true } o: numbers[o.Name] = request.Whole(o.Name, (long)o.Default, (long)o.Min, (long)o.Max); break;
                case SamplerOption.Number o: numbers[o.Name] = request.Number(o.Name, o.Default, o.Min, o.Max, o.Why, openMin: o.OpenMin); break;
                case SamplerOption.Word o: words[o.Name] = request.Word(o.Name, o.Default, [.. o.Choices]); break;
                case SamplerOption.Flag o: flags[o.Name] = request.Flag(o.Name, o.Default); break;
            }
        var settings = new SamplerSettings(numbers.ToImmutable(), words.ToImmutable()) { Flags = flags.ToImmutable() };
        string statistics = request.Word("statistics", "linear", "linear", "full");
        string? csv = null;
        if (request.TryGet("samples_csv", out var csvJson))
        {
            if (csvJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(csvJson.GetString()))
                throw new RequestException("samples_csv", "must be a file path");
            csv = csvJson.GetString();
        }
        double budget = Budget.Read(request);
        var arrays = ArrayFiles.Read(request);
        request.RejectUnknown($"a sample request with sampler {name}");
        if (entry.DefinedOn(path) is { } notDefined) throw new RequestException("sampler", notDefined);

        // Cost, before any work: the ensemble's memory and the estimated seconds of sampling and statistics.
        int d = data.Dimension, cores = threads == 0 ? Environment.ProcessorCount : Math.Min(threads, Environment.ProcessorCount);
        Budget.CheckMemory("n", (double)n * (3.0 * d * 8 + 64), $"lower n (n = {n} paths in d = {d})");
        // An adaptive sampler takes about 40 steps at rtol = atol = 1e-6 on these problems, growing as tol^(-1/5).
        double evalsPerPath = adaptive
            ? entry.EvaluationsPerStep * 40 * Math.Pow(1e-6 / Math.Min(settings.Numbers["rtol"], settings.Numbers["atol"] * 10), 0.2)
            : entry.EvaluationsPerStepWith(settings) * steps;
        int energyPoints = statistics == "full" ? n : Math.Min(n, EnergyPoints);
        // A Brownian-tree query costs about 700 d (measured: 2 microseconds a query in 1D on this machine).
        double treeFlops = adaptive ? 0 : (double)n * steps * entry.TreeQueriesPerStep * 700.0 * d;
        // The affine samplers evaluate the exact score a block at a time in SIMD registers: measured about 30 times below
        // the scalar model on issue 15's request (benchmarks/README.md); a factor 8 keeps the estimate on the safe side.
        var created = entry.Create(settings);
        double simd = created is Sampler.ReverseSde or Sampler.Extension or Sampler.Ancestral or Sampler.Ddim ? 1.0 / 8 : 1;
        double samplingFlops = Budget.SetupFlops(data) + treeFlops + simd * n * evalsPerPath * (Budget.ScoreFlops(data) + 30.0 * d)
                               + (double)n * d * Math.Min(d, MaxCovarianceDimension) + 30.0 * n * Math.Min(d, 16) * Math.Log2(n);
        double energyFlops = 3.0 * energyPoints * energyPoints * (3.0 * d + 20) / 2;
        int flowMapPoints = entry.Stochastic ? 0 : Math.Min(n, FlowMapPoints);
        samplingFlops += flowMapPoints * 600.0 * (Budget.ScoreFlops(data) + 30.0 * d); // Dormand-Prince at 1e-10: a few hundred evaluations a point
        double estimate = Budget.Seconds(samplingFlops + energyFlops, cores);
        string work = $"n = {n} paths x {(adaptive ? "adaptive steps" : $"{steps} steps")} ({data.Components.Length} components in d = {d})";
        if (statistics == "full" && Budget.Seconds(energyFlops, cores) > budget)
            Budget.Check("statistics", estimate, budget, $"{work} with the energy statistic on all n points (O(n^2))", "use \"statistics\": \"linear\" or lower n");
        Budget.Check("n", estimate, budget, work, "lower n or steps");

        var sampler = created;
        var schedule = Schedule.For(path, adaptive ? 1 : steps, epsilon);
        ulong seed = (ulong)seedValue;
        double escapeBound = RunWatch.ScaleBound(data, path, schedule);
        TimeGrid? grid = gridRequest is null ? null : Json.Library("grid", () => gridRequest(schedule));
        double startSeconds = Clock.Elapsed;
        var phase = System.Diagnostics.Stopwatch.StartNew();
        // The same as Samplers.RunFromExactMarginal, in two timed phases: the exact draws at the start, then the run.
        var initial = Samplers.ExactMarginalSample(data, path, grid?.Start ?? schedule.TStart, n, seed);
        double drawSeconds = phase.Elapsed.TotalSeconds;
        var score = Samplers.ExactScore(new MarginalField(data, path));
        SampleResult result;
        try
        {
            result = ProgressDisplay.Run(stderr, "sample", estimate, progress =>
            {
                var watch = new RunWatch(escapeBound, progress);
                return grid is null
                    ? Samplers.Run(path, score, sampler, initial, schedule, seed, threads, watch)
                    : Samplers.Run(path, score, sampler, initial, grid, seed, threads, watch);
            });
        }
        catch (SamplerDivergedException ex)
        {
            string advice = adaptive ? "tighten rtol and atol" : name == "extension" ? "use more steps or a smaller sigma" : "use more steps";
            throw new RequestException(adaptive ? "rtol" : "steps",
                $"the sampler diverged: the ensemble left the range |x| <= {Json.Show(escapeBound)} (1e4 times the scale of the data and noise) "
                + $"{(adaptive ? "" : $"at step {ex.Step + 1} of {ex.Steps}, ")}t = {Json.Show(ex.Time)}, reaching |x| = {Json.Show(Math.Abs(ex.Value))}; {advice}");
        }
        catch (InvalidOperationException ex) when (adaptive)
        {
            throw new RequestException("rtol", $"the adaptive solver stopped ({ex.Message.TrimEnd('.')}); loosen rtol and atol");
        }

        phase.Restart();
        var final = result.Final;
        // The linear energy statistic over all n points against n exact draws of the data (O(n d)), with its standard error.
        var exactSample = Samplers.ExactDataSample(data, n, seed);
        var (energyEstimate, energyError) = SampleTests.EnergyDistanceLinear(final, exactSample);
        var reference = Samplers.ExactDataSample(data, energyPoints, seed);
        var head = Enumerable.Range(0, energyPoints).Select(final.Row).ToArray();
        var (energy, energyUnbiased) = SampleTests.EnergyDistances(head, reference.Rows());
        int ksCoordinates = Math.Min(d, 16);
        var ks = new double[ksCoordinates];
        var ksP = new double[ksCoordinates];
        Parallel.For(0, ksCoordinates, new ParallelOptions { MaxDegreeOfParallelism = cores }, j =>
        {
            var marginal = data.Coordinate(j);
            ks[j] = SampleTests.KolmogorovSmirnov(final.Column(j), marginal.Cdf);
            ksP[j] = SampleTests.KolmogorovPValue(ks[j], n);
        });

        double tStart = grid?.Start ?? schedule.TStart, tEnd = grid?.End ?? schedule.TEnd;
        var (flowMean, flowMax) = flowMapPoints > 0 ? FlowMapError(data, path, final, tStart, tEnd, flowMapPoints, seed) : (0, 0);

        var (mean, second) = d <= MaxCovarianceDimension ? SampleTests.Moments(final) : (null, null);
        var (meanDiagonal, variances) = d <= MaxCovarianceDimension ? (null, null) : SampleTests.MeanAndVariance(final);
        double statisticsSeconds = phase.Elapsed.TotalSeconds;
        phase.Restart();
        if (csv is not null)
        {
            try
            {
                using var writer = new StreamWriter(csv);
                writer.WriteLine(string.Join(",", Enumerable.Range(0, d).Select(j => $"x{j}")));
                var line = new StringBuilder();
                for (int i = 0; i < n; i++)
                {
                    line.Clear();
                    for (int j = 0; j < d; j++)
                    {
                        if (j > 0) line.Append(',');
                        double v = final.Values[i * d + j];
                        line.Append((v == 0 ? 0.0 : v).ToString("R", CultureInfo.InvariantCulture));
                    }
                    writer.WriteLine(line);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new RequestException("samples_csv", $"cannot be written: {ex.Message}");
            }
        }

        arrays?.Add("samples", [.. final.Values], n, d);
        double outputSeconds = phase.Elapsed.TotalSeconds;
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("sampler", name);
            w.WriteString("path", path.Kind);
            w.WriteNumber("n", n);
            if (!adaptive) w.WriteNumber("steps", steps);
            Json.WriteNumber(w, "t_start", tStart);
            Json.WriteNumber(w, "t_end", tEnd);
            w.WriteString("grid", grid switch { null => "uniform", TimeGrid.Karras => "karras", TimeGrid.UniformLogSnr => "uniform_log_snr", TimeGrid.Explicit => "explicit", _ => "uniform" });
            if (mean is not null && second is not null)
            {
                var cov = second;
                w.WritePropertyName("mean"); Json.WriteVector(w, mean, "mean");
                w.WritePropertyName("covariance");
                w.WriteStartArray();
                for (int i = 0; i < d; i++) Json.WriteVector(w, Enumerable.Range(0, d).Select(j => cov[i, j]).ToArray(), "covariance");
                w.WriteEndArray();
            }
            else
            {
                w.WritePropertyName("mean"); Json.WriteVector(w, meanDiagonal!, "mean");
                w.WritePropertyName("variances"); Json.WriteVector(w, variances!, "variances");
            }
            Json.WriteNumber(w, "energy_distance", energy);
            Json.WriteNumber(w, "energy_distance_unbiased", energyUnbiased);
            w.WriteNumber("energy_points", energyPoints);
            w.WriteStartObject("energy");
            Json.WriteNumber(w, "estimate", energyEstimate);
            Json.WriteNumber(w, "standard_error", energyError);
            w.WriteNumber("pairs", n / 2);
            w.WriteString("meaning", "an unbiased estimate of the energy distance 2E|X-Y| - E|X-X'| - E|Y-Y'| between the samples' law and the data's "
                + "(zero exactly when they agree), from all n samples and n exact draws taken in pairs; it can be negative, "
                + "and an estimate within about 3 standard errors of zero shows no difference at this n");
            w.WriteEndObject();
            w.WritePropertyName("marginal_ks"); Json.WriteVector(w, ks, "marginal_ks");
            w.WritePropertyName("marginal_ks_p_value"); Json.WriteVector(w, ksP, "marginal_ks_p_value");
            // The mean Kolmogorov-Smirnov distance of an exact sample of n points, sqrt(pi/2) ln 2 / sqrt(n): the noise floor.
            Json.WriteNumber(w, "marginal_ks_noise_floor", Math.Sqrt(Math.PI / 2) * Math.Log(2) / Math.Sqrt(n));
            if (flowMapPoints > 0)
            {
                w.WriteStartObject("flow_map_error");
                Json.WriteNumber(w, "mean", flowMean);
                Json.WriteNumber(w, "max", flowMax);
                w.WriteNumber("points", flowMapPoints);
                w.WriteString("reference", "the probability-flow ODE from the same start by Dormand-Prince at rtol = atol = 1e-10");
                w.WriteEndObject();
            }
            Json.WriteNumber(w, "seconds", Clock.Elapsed);
            w.WriteStartObject("phases");
            Json.WriteNumber(w, "start", startSeconds);
            Json.WriteNumber(w, "draws", drawSeconds);
            Json.WriteNumber(w, "run", result.Seconds);
            Json.WriteNumber(w, "statistics", statisticsSeconds);
            Json.WriteNumber(w, "output", outputSeconds);
            w.WriteEndObject();
            double pathSteps = adaptive ? result.Evaluations / 6.0 : (double)n * steps;
            Json.WriteNumber(w, "path_steps_per_second", pathSteps / Math.Max(result.Seconds, 1e-9));
            w.WriteNumber("score_evaluations", result.Evaluations);
            Json.WriteNumber(w, "estimated_seconds", estimate);
            w.WriteString("start", "exact marginal p_t at t_start");
            w.WriteEndObject();
        }, arrays);
        return 0;
    }

    /// <summary>The flow-map error is measured on the first this many paths of a deterministic sampler.</summary>
    public const int FlowMapPoints = 256;

    /// <summary>
    /// The request's <c>grid</c>, as a function of the uniform schedule's ends (which <c>epsilon</c> sets): null when the
    /// request has none (the uniform grid of <c>steps</c>). An explicit grid takes its steps from its times.
    /// </summary>
    private static Func<Schedule, TimeGrid>? ReadGrid(Fields request, Paths.GaussianPath path, bool adaptive, ref int steps)
    {
        if (!request.TryGet("grid", out _)) return null;
        if (adaptive) throw new RequestException("grid", "the adaptive sampler chooses its own steps; drop grid");
        var g = request.Object("grid");
        string kind = g.Word("kind", null, "uniform", "karras", "uniform_log_snr", "explicit");
        int n = steps;
        Func<Schedule, TimeGrid> make;
        switch (kind)
        {
            case "karras":
                double rho = g.Number("rho", 7, 0, 100, "rho is the exponent of sigma^(1/rho)", openMin: true);
                make = s => new TimeGrid.Karras(s.TStart, s.TEnd, n, rho);
                break;
            case "uniform_log_snr":
                make = s => new TimeGrid.UniformLogSnr(s.TStart, s.TEnd, n);
                break;
            case "explicit":
                if (request.TryGet("steps", out _)) throw new RequestException("steps", "an explicit grid takes its steps from grid.times; drop steps");
                var times = Json.Vector(g.Required("times"), g.Path("times"));
                var points = Json.Library(g.Path("times"), () => new TimeGrid.Explicit(times));
                bool towardsData = path.DataEnd == Paths.DataEnd.Zero ? points.End < points.Start : points.End > points.Start;
                if (!towardsData) throw new RequestException(g.Path("times"), $"must run from the noise end of {path.Kind} towards its data end (t = {(path.DataEnd == Paths.DataEnd.Zero ? 0 : 1)})");
                steps = points.Steps;
                make = _ => points;
                break;
            default:
                make = s => new TimeGrid.Uniform(s.TStart, s.TEnd, n);
                break;
        }
        g.RejectUnknown($"a {kind} grid");
        return make;
    }

    /// <summary>
    /// Mean and largest Euclidean distance, over the first <paramref name="m"/> paths, between the sampler's end point and
    /// the exact flow map of the same start: the probability-flow ODE with the exact score by Dormand-Prince at 1e-10.
    /// </summary>
    private static (double Mean, double Max) FlowMapError(GaussianMixture data, Paths.GaussianPath path, Ensemble final, double tStart, double tEnd, int m, ulong seed)
    {
        var starts = Samplers.ExactMarginalSample(data, path, tStart, m, seed);
        var exact = Samplers.ExactFlowMap(data, path, Enumerable.Range(0, m).Select(starts.Row).ToArray(), tStart, tEnd);
        var distances = new double[m];
        for (int i = 0; i < m; i++)
        {
            var x = final.Row(i);
            double sum = 0;
            for (int j = 0; j < x.Length; j++) sum += (x[j] - exact[i][j]) * (x[j] - exact[i][j]);
            distances[i] = Math.Sqrt(sum);
        }
        return (distances.Average(), distances.Max());
    }

}
