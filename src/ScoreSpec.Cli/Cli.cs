using System.CommandLine;
using System.Text.Json;
using ScoreSpec.Identities;
using Spectre.Console;

namespace ScoreSpec.Cli;

/// <summary>The `scorespec` commands (shared/cli-contract.md). Exit codes: 0 success, 1 a failed identity, 2 bad input.</summary>
internal static class Cli
{
    private static readonly string[] Commands = ["verify", "examples", "eval", "likelihood", "sample", "plot", "samplers", "bench-samplers", "serve", "schema", "check"];

    /// <summary>
    /// The one boundary of the CLI. Bad input of any kind (a request field, a library argument error mapped to its field,
    /// a diverging sampler, an unreadable or unwritable file) exits 2 with one line on standard error; a failed identity
    /// exits 1; anything else is a defect of ScoreSpec and exits 3 with one line asking for a report. Standard output is
    /// written only when a command has its whole answer, so it is empty on every error.
    /// </summary>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine($"scorespec: a command is required: one of {string.Join(", ", Commands)} (scorespec --help describes them)");
            return 2;
        }
        if (!args[0].StartsWith('-') && !Commands.Contains(args[0]))
        {
            string hint = Fields.Nearest(args[0], Commands) is string near ? $"did you mean \"{near}\"? " : "";
            stderr.WriteLine($"scorespec: unknown command \"{args[0]}\"; {hint}commands: {string.Join(", ", Commands)}");
            return 2;
        }
        // The request commands given just their FILE need no parser: they are answered at once, exactly as the parser's
        // actions below answer them, which saves the parser's start-up (about 0.1 s of a whole `sample` command here).
        if (args.Length == 2 && (args[1] == "-" || !args[1].StartsWith('-')) && args[0] is "eval" or "sample" or "likelihood" or "check")
            return Request(args[0], args[1], stdin, stdout, stderr);
        // A root named scorespec whatever the executable is called (ScoreSpec.Cli when run from the repository).
        var root = new Command("scorespec", "ScoreSpec: exact reference values and identity checks for score-based diffusion. The request formats, answers and exit codes are in docs/cli.md.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };

        var seed = new Option<ulong>("--seed") { Description = "Master seed of the random instances (0 to 2^64 - 1).", DefaultValueFactory = _ => 0UL };
        var quick = new Option<bool>("--quick") { Description = "Check fewer instances per identity." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var full = new Option<bool>("--full") { Description = "Run the slow simulation identities on 40 instances too." };
        var verify = new Command("verify", "Check every identity of the catalog on random instances.") { seed, quick, json, full };
        verify.SetAction(r => Guarded(stderr, () => Verify(r.GetValue(seed), r.GetValue(quick), r.GetValue(full), r.GetValue(json), stdout)));
        root.Subcommands.Add(verify);

        var file = new Argument<string>("FILE") { Description = "The request: a JSON file, or - for standard input." };
        var eval = new Command("eval", Described("Exact quantities of a Gaussian-mixture data distribution carried along a path.", """{"data": {"weights": [1], "means": [[0]], "stds": [1]}, "path": {"kind": "vp"}, "t": 0.5, "points": [[0.3]]}""", "The request")) { file };
        eval.SetAction(r => Request("eval", r.GetValue(file)!, stdin, stdout, stderr));
        root.Subcommands.Add(eval);

        var sampleFile = new Argument<string>("FILE") { Description = "The request: a JSON file, or - for standard input." };
        var sample = new Command("sample", Described("Run a sampler with the exact score of the data distribution.", """{"data": {"weights": [1], "means": [[0]], "stds": [1]}, "path": {"kind": "vp"}, "sampler": "euler_maruyama", "n": 1000, "steps": 100}""", "sample")) { sampleFile };
        sample.SetAction(r => Request("sample", r.GetValue(sampleFile)!, stdin, stdout, stderr));
        root.Subcommands.Add(sample);

        var plotName = new Argument<string>("NAME") { Description = $"One of {string.Join(", ", Plots.Figures.Names)}." };
        var outDir = new Option<string>("--out") { Description = "Directory for NAME.svg and NAME.png.", DefaultValueFactory = _ => "." };
        var plot = new Command("plot", "Draw a figure as SVG and PNG.") { plotName, outDir };
        plot.SetAction(r => Guarded(stderr, () =>
        {
            string name = r.GetValue(plotName)!;
            if (!Plots.Figures.Names.Contains(name))
            {
                string hint = Fields.Nearest(name, Plots.Figures.Names) is string near ? $" (did you mean \"{near}\"?)" : "";
                throw new RequestException("NAME", $"must be one of {string.Join(", ", Plots.Figures.Names)}; got \"{name}\"{hint}");
            }
            string dir = r.GetValue(outDir)!;
            if (File.Exists(dir)) throw new RequestException("--out", $"names a file, not a directory: {dir}");
            IReadOnlyList<string> files;
            try
            {
                Directory.CreateDirectory(dir);
                files = Plots.Figures.Draw(name, dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new RequestException("--out", $"cannot write the figure there: {ex.Message}");
            }
            foreach (var f in files) stdout.WriteLine(f);
            return 0;
        }));
        root.Subcommands.Add(plot);

        var likelihoodFile = new Argument<string>("FILE") { Description = "The request: a JSON file, or - for standard input." };
        var likelihood = new Command("likelihood", Described("Log-likelihood by the probability-flow ODE.", """{"data": {"weights": [1], "means": [[0]], "stds": [1]}, "path": {"kind": "vp"}, "points": [[0.3]]}""", "likelihood")) { likelihoodFile };
        likelihood.SetAction(r => Request("likelihood", r.GetValue(likelihoodFile)!, stdin, stdout, stderr));
        root.Subcommands.Add(likelihood);

        var examplesJson = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var examples = new Command("examples", "Recompute every worked example of the source texts.") { examplesJson };
        examples.SetAction(r => Guarded(stderr, () => ExamplesCommand.Run(r.GetValue(examplesJson), stdout)));
        root.Subcommands.Add(examples);

        var benchJson = new Option<bool>("--json") { Description = "Print a JSON array instead of Markdown tables." };
        var benchStochastic = new Option<bool>("--stochastic") { Description = "With --json: the stochastic samplers' exact 2-Wasserstein distances on Gaussian data." };
        var bench = new Command("bench-samplers", "Measure every deterministic sampler against the exact flow map, and every stochastic one against the exact law on Gaussian data, at 5 to 200 score evaluations.") { benchJson, benchStochastic };
        bench.SetAction(r => Guarded(stderr, () => r.GetValue(benchStochastic) && !r.GetValue(benchJson)
            ? throw new RequestException("--stochastic", "goes with --json (the Markdown output shows both kinds)")
            : BenchSamplersCommand.Run(r.GetValue(benchJson), r.GetValue(benchStochastic), stdout)));
        root.Subcommands.Add(bench);

        var samplersJson = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var samplers = new Command("samplers", "List every sampler with its options, order and the path kinds it runs on.") { samplersJson };
        samplers.SetAction(r => Guarded(stderr, () => SamplersCommand.Run(r.GetValue(samplersJson), stdout)));
        root.Subcommands.Add(samplers);

        var checkFile = new Argument<string>("FILE") { Description = "The request: a JSON file, or - for standard input." };
        var check = new Command("check", Described("Judge a sampler's output or a model's values against the exact answer: a sample against p_t or the data distribution at a stated false-failure probability, or values of the score, denoiser, noise, velocity or log density at points and times.",
            """{"claim": "distribution", "data": {"weights": [1], "means": [[0]], "stds": [1]}, "samples": [[0.1], [-1.2], [0.4], [2.0], [-0.3], [0.9], [-0.7], [1.1]]}""", "check")) { checkFile };
        check.SetAction(r => Request("check", r.GetValue(checkFile)!, stdin, stdout, stderr));
        root.Subcommands.Add(check);

        var serve = new Command("serve", $"Answer requests from a client: one JSON line {{\"id\": ..., \"command\": ..., \"request\": {{...}}}} per request on standard input (command one of {string.Join(", ", Serve.Names)}), one JSON line {{\"id\": ..., \"ok\": ..., \"answer\" or \"error\": ...}} per answer on standard output, until standard input ends. A bad request gets an error line and the server goes on. Details: docs/cli.md, section \"serve\".");
        serve.SetAction(_ => Serve.Run(stdin, stdout, stderr));
        root.Subcommands.Add(serve);

        var schemaName = new Argument<string>("NAME") { Description = $"One of {string.Join(", ", Schemas.Names)}." };
        var schema = new Command("schema", "Print the JSON Schema (draft 2020-12) of a request: eval, likelihood, sample, or a serve line. The same files are in docs/schemas/.") { schemaName };
        schema.SetAction(r => Guarded(stderr, () =>
        {
            string name = r.GetValue(schemaName)!;
            if (!Schemas.Names.Contains(name))
            {
                string hint = Fields.Nearest(name, Schemas.Names) is string near ? $" (did you mean \"{near}\"?)" : "";
                throw new RequestException("NAME", $"must be one of {string.Join(", ", Schemas.Names)}; got \"{name}\"{hint}");
            }
            stdout.WriteLine(Schemas.Text(name));
            return 0;
        }));
        root.Subcommands.Add(schema);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // An unknown option is the likelier slip than a stray argument (the parser may take "--x" as FILE and
            // report the real FILE as the stray one), so report options first.
            var unmatched = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized command or argument '-", StringComparison.Ordinal))
                ?? parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"scorespec: {args[0]}: {Unrecognized(parsed, unmatched.Message) ?? Plain(OneLine(unmatched.Message))}");
            return 2;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return parsed.Invoke(config);
    }

    /// <summary>A command's help: what it does, a minimal request that runs, and where the whole contract is.</summary>
    private static string Described(string what, string minimalRequest, string section) =>
        $"{what}\nMinimal request (FILE, or - to read it from standard input):\n  {minimalRequest}\nEvery field, default, limit and the answer: docs/cli.md, section \"{section}\"."
        ;

    /// <summary>
    /// "unknown option "--sed"; did you mean "--seed"? options of verify: ..." for a token the command does not take, or
    /// null when the parser's message is about something else.
    /// </summary>
    private static string? Unrecognized(ParseResult parsed, string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "^Unrecognized command or argument '(.*)'");
        if (!m.Success) return null;
        string token = m.Groups[1].Value;
        var command = parsed.CommandResult.Command;
        var options = command.Options.Where(o => !o.Hidden).Select(o => o.Name).ToList();
        // The parser may have taken an unknown option ("--x") as the command's argument and reported the argument
        // after it instead; an unknown dash token is what to report.
        var known = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).Concat(["-h", "-?", "--help"]).ToHashSet();
        if (parsed.Tokens.Select(t => t.Value).FirstOrDefault(v => v.Length > 1 && v.StartsWith('-') && !known.Contains(v)
                && !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _)) is string dash)
            token = dash;
        if (!token.StartsWith('-'))
        {
            var arguments = command.Arguments.Select(a => a.Name).ToList();
            return arguments.Count == 0
                ? $"unexpected argument \"{token}\": {command.Name} takes none"
                : $"unexpected argument \"{token}\": {command.Name} takes {string.Join(" ", arguments)} only";
        }
        string hint = Fields.Nearest(token, options) is string near ? $"did you mean \"{near}\"? " : "";
        string list = options.Count == 0 ? $"{command.Name} takes no options" : $"options of {command.Name}: {string.Join(", ", options)}";
        return $"unknown option \"{token}\"; {hint}{list}";
    }

    /// <summary>The parser's messages name .NET types ("as expected type 'System.UInt64'"); say what is expected instead.</summary>
    private static string Plain(string message) => System.Text.RegularExpressions.Regex.Replace(message, @"as expected type 'System\.(\w+)'", m => m.Groups[1].Value switch
    {
        "UInt64" => "as a whole number from 0 to 18446744073709551615",
        "Int32" => "as a whole number",
        "Double" => "as a number",
        _ => "as the value the option takes",
    });

    private static Fields ReadRequest(string file, TextReader stdin)
    {
        string text;
        try { text = file == "-" ? stdin.ReadToEnd() : File.ReadAllText(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        { throw new RequestException("FILE", $"cannot be read: {OneLine(ex.Message)}"); }
        return Json.Parse(text);
    }

    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>Runs a command inside the boundary (see <see cref="Run"/>).</summary>
    /// <summary>Answers a request command (eval, sample, likelihood, check) on the request in <paramref name="file"/> (- for standard input).</summary>
    private static int Request(string command, string file, TextReader stdin, TextWriter stdout, TextWriter stderr) => Guarded(stderr, () => command switch
    {
        "eval" => EvalCommand.Run(ReadRequest(file, stdin), stdout),
        "sample" => SampleCommand.Run(ReadRequest(file, stdin), stdout, stderr),
        "likelihood" => LikelihoodCommand.Run(ReadRequest(file, stdin), stdout, stderr),
        _ => CheckCommand.Run(ReadRequest(file, stdin), stdout),
    });

    private static int Guarded(TextWriter stderr, Func<int> action)
    {
        try { return action(); }
        catch (Exception ex)
        {
            var (code, field, message) = Classify(ex);
            stderr.WriteLine(field is null ? $"scorespec: {message}" : $"scorespec: {field}: {message}");
            return code;
        }
    }

    /// <summary>
    /// The boundary's one mapping from an exception to an exit code, the field it names (null for a defect) and a one-line
    /// message; <see cref="Guarded"/> prints it and `serve` answers it as JSON.
    /// </summary>
    internal static (int Code, string? Field, string Message) Classify(Exception ex) => ex switch
    {
        RequestException r => (2, r.Field, OneLine(r.Message)),
        // A library argument error that no command mapped to a field: still bad input, still one line, named by the
        // library's parameter when it has one, without .NET's "(Parameter ...)" suffix.
        ArgumentException a => (2, a.ParamName ?? "request",
            OneLine(a.ParamName is null ? a.Message : a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal))),
        IOException or UnauthorizedAccessException => (2, "I/O", OneLine(ex.Message)),
        OutOfMemoryException => (2, "request", "not enough memory for this request; lower n or the number of points"),
        _ => (3, null, $"internal error ({ex.GetType().Name}: {OneLine(ex.Message)}); this is a defect of ScoreSpec, please report it with the request"),
    };

    private static int Verify(ulong seed, bool quick, bool full, bool json, TextWriter stdout)
    {
        var reports = Catalog.RunAll(seed, quick, full);
        if (json)
        {
            Json.Answer(stdout, w =>
            {
                w.WriteStartArray();
                foreach (var r in reports)
                {
                    w.WriteStartObject();
                    w.WriteString("id", r.Identity.Id);
                    w.WriteString("statement", r.Identity.Statement);
                    w.WriteString("source", r.Identity.Source);
                    // A failure may have no finite residual (a check threw or met a non-finite value): JSON gets null.
                    if (double.IsFinite(r.Worst.Residual)) w.WriteNumber("residual", r.Worst.Residual); else w.WriteNull("residual");
                    if (double.IsFinite(r.Worst.Tolerance)) w.WriteNumber("tolerance", r.Worst.Tolerance); else w.WriteNull("tolerance");
                    w.WriteBoolean("passed", r.Passed);
                    w.WriteString("tolerance_reason", r.Identity.ToleranceReason);
                    w.WriteNumber("instances", r.Instances);
                    w.WriteNumber("worst_seed", r.WorstSeed);
                    w.WriteString("detail", r.Worst.Detail);
                    w.WriteNumber("seconds", r.Seconds);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        }
        else
        {
            var console = Json.PlainConsole(stdout);
            var table = new Table().AddColumns("id", "statement", "source", "residual", "tolerance", "pass", "s");
            foreach (var r in reports)
                table.AddRow(
                    Markup.Escape(r.Identity.Id), Markup.Escape(r.Identity.Statement), Markup.Escape(r.Identity.Source),
                    r.Worst.Residual.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                    r.Worst.Tolerance.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                    r.Passed ? "yes" : "NO", r.Seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
            console.Write(table);
            int failed = reports.Count(r => !r.Passed);
            var slow = reports.Where(r => r.Identity.Slow).ToList();
            int most = slow.Select(r => r.Instances).DefaultIfEmpty(0).Max();
            var fewer = slow.Where(r => r.Instances < most).Select(r => $"{r.Identity.Id}: {r.Instances}").ToList();
            string exceptions = fewer.Count > 0 ? $" ({string.Join(", ", fewer)})" : "";
            stdout.WriteLine($"{reports.Count - failed} of {reports.Count} identities hold (seed {seed}; {reports.Max(r => r.Instances)} instances per fast identity, {most} per simulation{exceptions}).");
            foreach (var r in reports.Where(r => !r.Passed))
                stdout.WriteLine($"FAILED {r.Identity.Id} (replay seed {r.WorstSeed}): {r.Worst.Detail}");
        }
        return reports.All(r => r.Passed) ? 0 : 1;
    }
}
