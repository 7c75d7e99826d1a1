namespace ScoreSpec.Cli;

/// <summary>
/// When the work a user waits for began: the process start for a command line (so that <c>seconds</c> includes the
/// runtime's start-up, JIT compilation and reading the request), the arrival of the line for <c>scorespec serve</c>.
/// </summary>
internal static class Clock
{
    private static DateTime? requestStart;

    /// <summary>Marks the arrival of a served request.</summary>
    public static void RequestArrived() => requestStart = DateTime.UtcNow;

    /// <summary>The start of the work: the served request's arrival, or the process start.</summary>
    public static DateTime Start => requestStart ?? System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>Seconds since <see cref="Start"/>.</summary>
    public static double Elapsed => Math.Max(0, (DateTime.UtcNow - Start).TotalSeconds);
}
