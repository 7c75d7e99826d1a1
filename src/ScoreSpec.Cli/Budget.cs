using Spectre.Console;

namespace ScoreSpec.Cli;

/// <summary>
/// Work is bounded before it starts. Each command estimates its cost from the request (n, d, K, steps, points, the form
/// of the covariances) in floating-point operations, turns it into seconds at a throughput measured on the reference
/// machine (2 cores; docs/cli.md gives the figures), and refuses a request over its budget with a message that says what
/// to lower; an accepted request estimated above a few seconds reports its progress on standard error.
/// </summary>
internal static class Budget
{
    /// <summary>The default budget: ten minutes of estimated work. A request may raise it with <c>budget_seconds</c>.</summary>
    public const double DefaultSeconds = 600;
    /// <summary>Memory the ensembles and statistics may take, in bytes.</summary>
    public const double MemoryBytes = 4e9;
    /// <summary>Floating-point operations per second of one core in the score loops (measured: docs/cli.md).</summary>
    public const double FlopsPerCore = 3.0e8;
    /// <summary>Above this estimate an accepted run reports progress.</summary>
    public const double ProgressSeconds = 3;

    /// <summary>Operations of one exact score (or denoiser) evaluation of a K-component mixture in d dimensions.</summary>
    public static double ScoreFlops(Densities.GaussianMixture data)
        => data.Components.Sum(c => c.IsDiagonal ? 8.0 * data.Dimension + 40 : 4.0 * data.Dimension * data.Dimension + 8.0 * data.Dimension + 40);

    /// <summary>Operations of preparing the mixture (a Cholesky factorisation and inverse, or an eigendecomposition, per full component).</summary>
    public static double SetupFlops(Densities.GaussianMixture data)
        => data.Components.Sum(c => c.IsDiagonal ? 10.0 * data.Dimension : 12.0 * Math.Pow(data.Dimension, 3));

    public static double Seconds(double flops, int threads) => flops / (FlopsPerCore * Math.Max(1, threads));

    public static double Read(Fields root) => root.Number("budget_seconds", DefaultSeconds, 1, 1e7, "seconds of estimated work");

    /// <summary>Refuses when the estimate exceeds the budget; <paramref name="change"/> says what to lower.</summary>
    public static void Check(string field, double seconds, double budget, string what, string change)
    {
        if (seconds > budget)
            throw new RequestException(field, $"{what} would take about {Duration(seconds)} here, over the budget of {Duration(budget)}; {change}, or raise budget_seconds");
    }

    public static void CheckMemory(string field, double bytes, string change)
    {
        if (bytes > MemoryBytes)
            throw new RequestException(field, $"needs about {G3(bytes / 1e9)} GB of memory, over the limit of {G3(MemoryBytes / 1e9)} GB; {change}");
    }

    public static string Duration(double seconds) => seconds switch
    {
        < 120 => $"{G3(seconds)} s",
        < 7200 => $"{G3(seconds / 60)} min",
        < 172800 => $"{G3(seconds / 3600)} h",
        _ => $"{G3(seconds / 86400)} days",
    };

    private static string G3(double v) => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture).Replace("E+", "e");
}

/// <summary>Progress lines on standard error ("scorespec: sample: 40%"), one per tenth of the work, from any thread.</summary>
internal sealed class ProgressLines(TextWriter stderr, string command) : IProgress<double>
{
    private int lastTenth;
    private readonly object gate = new();

    public void Report(double fraction)
    {
        int tenth = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * 10);
        lock (gate)
        {
            if (tenth <= lastTenth) return;
            lastTenth = tenth;
            stderr.WriteLine($"scorespec: {command}: {tenth * 10}%");
        }
    }
}

/// <summary>
/// Progress of long work on standard error: a Spectre.Console progress bar (description, bar, percentage, elapsed and
/// remaining time, cleared when done) when standard error is a terminal, the plain <see cref="ProgressLines"/> when it is
/// redirected (a log keeps one line per tenth), and nothing for work estimated under <see cref="Budget.ProgressSeconds"/>.
/// Never written to standard output, so the JSON answer stays clean.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> with the progress report it should use (null when none is shown).</summary>
    /// <param name="stderr">Where progress goes.</param>
    /// <param name="command">The command's name, shown before the progress.</param>
    /// <param name="estimatedSeconds">The work's estimate; below <see cref="Budget.ProgressSeconds"/> nothing is shown.</param>
    /// <param name="work">The work, given the progress report.</param>
    public static T Run<T>(TextWriter stderr, string command, double estimatedSeconds, Func<IProgress<double>?, T> work)
    {
        if (!(estimatedSeconds > Budget.ProgressSeconds)) return work(null);
        if (!IsTerminal(stderr)) return work(new ProgressLines(stderr, command));
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(Console.Error),
        });
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new Spectre.Console.TaskDescriptionColumn(), new Spectre.Console.ProgressBarColumn(), new Spectre.Console.PercentageColumn(),
                     new Spectre.Console.ElapsedTimeColumn(), new Spectre.Console.RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"scorespec {command}", maxValue: 1);
                result = work(new TaskProgress(task));
                task.Value = 1;
            });
        return result;
    }

    /// <summary>True when <paramref name="stderr"/> is the process's standard error and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter stderr) => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    private sealed class TaskProgress(Spectre.Console.ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = Math.Clamp(value, 0, 1);
    }
}
