namespace ScoreSpec.Identities;

/// <summary>
/// The outcome of checking an identity on one random instance: the residual (how far the two independently computed
/// sides are apart, in the identity's own units) and the tolerance it must not exceed.
/// </summary>
/// <param name="Residual">The worst discrepancy found on the instance.</param>
/// <param name="Tolerance">The bound the residual must stay under; its derivation is the identity's <see cref="Identity.ToleranceReason"/>.</param>
/// <param name="Detail">Where the worst discrepancy occurred (path, time, point), for replaying a failure.</param>
public sealed record CheckResult(double Residual, double Tolerance, string Detail)
{
    /// <summary>True when both numbers are finite and the residual is within the tolerance.</summary>
    public bool Passed => double.IsFinite(Residual) && double.IsFinite(Tolerance) && Residual <= Tolerance;

    /// <summary>Residual / tolerance, or +infinity when either is not finite.</summary>
    public double Ratio => double.IsFinite(Residual) && double.IsFinite(Tolerance) ? Residual / Tolerance : double.PositiveInfinity;
}

/// <summary>
/// An identity of the theory as a value: what it states, where the sources state it, how its tolerance is derived,
/// and a check that computes both sides independently on the random instance that a seed determines. The
/// <c>scorespec verify</c> command and the FsCheck property tests run the same checks.
/// </summary>
/// <param name="Id">A stable identifier, e.g. <c>tweedie</c>.</param>
/// <param name="Statement">The identity in one line of plain text.</param>
/// <param name="Source">Seed file and chapter that state it.</param>
/// <param name="ToleranceReason">Why the tolerance is what it is (an error bound, a standard error times z, a solver tolerance).</param>
/// <param name="Check">Builds the instance for a seed and returns the worst residual against its tolerance.</param>
/// <param name="Slow">True when the check is too slow for the quick tier.</param>
/// <param name="SlowInstances">For a slow identity, the instances of a default <c>verify</c> and of each master seed of the
/// slow tier (3; 1 for <c>sampler.registry</c>, whose one instance runs every registered sampler).</param>
public sealed record Identity(string Id, string Statement, string Source, string ToleranceReason, Func<int, CheckResult> Check, bool Slow = false, int SlowInstances = 3);

/// <summary>The result of running an identity on several seeded instances: the worst instance and its seed.</summary>
/// <param name="Identity">The identity.</param>
/// <param name="Instances">How many instances were checked.</param>
/// <param name="WorstSeed">The seed of the worst instance; <c>Identity.Check(WorstSeed)</c> replays it.</param>
/// <param name="Worst">The worst instance's result (largest residual / tolerance).</param>
/// <param name="Seconds">Wall-clock time of the run.</param>
public sealed record IdentityReport(Identity Identity, int Instances, int WorstSeed, CheckResult Worst, double Seconds)
{
    /// <summary>True when every instance passed (the worst one did).</summary>
    public bool Passed => Worst.Passed;
}

/// <summary>Keeps the instance with the largest residual / tolerance ratio.</summary>
internal sealed class WorstOf
{
    private CheckResult? worst;

    public void Add(double residual, double tolerance, string detail)
    {
        var candidate = new CheckResult(residual, tolerance, detail);
        if (worst is null || !(candidate.Ratio <= worst.Ratio)) worst = candidate;
    }

    public void Add(CheckResult result) => Add(result.Residual, result.Tolerance, result.Detail);

    public CheckResult Result => worst ?? new CheckResult(double.NaN, double.NaN, "no comparison was made");
}
