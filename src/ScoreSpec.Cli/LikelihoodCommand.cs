using System.Text.Json;
using ScoreSpec.Likelihood;

namespace ScoreSpec.Cli;

/// <summary>`scorespec likelihood FILE`: log-likelihood by the probability-flow ODE (docs/cli.md).</summary>
internal static class LikelihoodCommand
{
    public static int Run(Fields request, TextWriter stdout, TextWriter stderr)
    {
        var data = Json.Mixture(request);
        var path = Json.Path(request);
        var points = Json.Points(request, data.Dimension);
        double epsilon = Json.Epsilon(request, 1e-5);
        string prior = request.Word("prior", "exact", "exact", "standard");
        string divergence = request.Word("divergence", "exact", "exact", "hutchinson");
        string probeKind = "rademacher";
        long probes = 1;
        if (divergence == "hutchinson")
        {
            probeKind = request.Word("probe", "rademacher", "rademacher", "gaussian");
            probes = request.Whole("probes", 1, 1, 1_000_000);
        }
        long seed = request.Whole("seed", 0, 0, 1L << 53);
        const string tolerance = "tolerances below 1e-13 cannot be met in double precision";
        double rtol = request.Number("rtol", 1e-8, 1e-13, 1, tolerance), atol = request.Number("atol", 1e-8, 1e-13, 1, tolerance);
        double budget = Budget.Read(request);
        var arrays = ArrayFiles.Read(request);
        request.RejectUnknown("a likelihood request");

        // Dormand-Prince took 176 evaluations a point at rtol = 1e-8 and 62 at 1e-5 on the contract's mixture: about
        // 250 (1e-8 / rtol)^(1/5) bounds both. Each evaluation of the exact divergence carries the mixture to t again (the
        // setup cost, about 1000 operations of allocation and bookkeeping even in d = 2) and forms the d x d Hessian.
        // Measured: 2000 points of the contract's mixture at rtol = 1e-8, estimated 1.9 s, took 1.1 s.
        double nfe = 250 * Math.Pow(1e-8 / Math.Min(rtol, atol * 10), 0.2);
        double perEval = divergence == "exact"
            ? 1000 + Budget.SetupFlops(data) + data.Components.Length * 4.0 * data.Dimension * data.Dimension + Budget.ScoreFlops(data)
            : (2 * probes + 1) * Budget.ScoreFlops(data);
        double estimate = Budget.Seconds(points.Length * nfe * perEval, 1);
        Budget.Check("points", estimate, budget,
            $"{points.Length} likelihoods ({divergence} divergence, about {nfe:F0} evaluations each, d = {data.Dimension})",
            divergence == "exact" ? "ask for fewer points, or use \"divergence\": \"hutchinson\"" : "ask for fewer points or probes");

        var options = new LikelihoodOptions(epsilon, prior == "exact" ? PriorKind.Exact : PriorKind.Standard,
            divergence == "exact" ? DivergenceMethod.Exact : probeKind == "gaussian" ? DivergenceMethod.HutchinsonGaussian : DivergenceMethod.HutchinsonRademacher,
            (int)probes, (ulong)seed, rtol, atol);
        var results = new LikelihoodResult[points.Length];
        ProgressDisplay.Run(stderr, "likelihood", estimate, progress =>
        {
            for (int i = 0; i < points.Length; i++)
            {
                progress?.Report((double)i / points.Length);
                try { results[i] = Json.Library("epsilon", () => ProbabilityFlowLikelihood.LogLikelihood(data, path, points[i], options)); }
                catch (InvalidOperationException ex)
                {
                    throw new RequestException("rtol", $"the ODE solver stopped for points[{i}] ({ex.Message.TrimEnd('.')}); loosen rtol and atol or move epsilon away from the data end");
                }
            }
            progress?.Report(1);
            return 0;
        });
        Json.Answer(stdout, w =>
        {
            w.WriteStartObject();
            w.WriteString("path", path.Kind);
            try
            {
                w.WritePropertyName("log_density"); Json.WriteVector(w, results.Select(r => r.LogDensity).ToArray(), "log_density");
                w.WritePropertyName("reference_log_density"); Json.WriteVector(w, results.Select(r => r.ReferenceLogDensity).ToArray(), "reference_log_density");
                w.WritePropertyName("nfe"); w.WriteStartArray(); foreach (var r in results) w.WriteNumberValue(r.Evaluations); w.WriteEndArray();
                w.WritePropertyName("bits_per_dim"); Json.WriteVector(w, results.Select(r => r.BitsPerDimension).ToArray(), "bits_per_dim");
            }
            catch (NonFiniteAnswer ex)
            {
                int bad = Array.FindIndex(results, r => !double.IsFinite(r.LogDensity) || !double.IsFinite(r.ReferenceLogDensity));
                throw new RequestException(bad >= 0 ? $"points[{bad}]" : "points", $"{ex.Quantity} is not finite in double precision: the point lies too many standard deviations from the data");
            }
            Json.WriteNumber(w, "t_start", path.DataEnd == Paths.DataEnd.Zero ? epsilon : 1 - epsilon);
            Json.WriteNumber(w, "t_end", path.DataEnd == Paths.DataEnd.Zero ? 1 - epsilon : epsilon);
            w.WriteEndObject();
        }, arrays);
        return 0;
    }
}
