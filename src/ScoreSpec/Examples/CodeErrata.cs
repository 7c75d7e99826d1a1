using ScoreSpec.Densities;
using ScoreSpec.Likelihood;
using ScoreSpec.Paths;

namespace ScoreSpec.Examples;

/// <summary>
/// A slip in a code listing of a source, re-enacted on a small case: what the listing would print, what the correct
/// computation gives, and the exact value for comparison. All three are computed by the library.
/// </summary>
/// <param name="Id">A stable identifier.</param>
/// <param name="Source">Seed file and section.</param>
/// <param name="Case">The small case it is run on.</param>
/// <param name="Problem">What the listing gets wrong.</param>
/// <param name="ListingValue">What the listing would print on the case.</param>
/// <param name="CorrectValue">What the corrected computation prints.</param>
/// <param name="ExactValue">The exact value.</param>
/// <param name="Parts">The value with each slip corrected alone, to show what each costs.</param>
public sealed record CodeErratum(string Id, string Source, string Case, string Problem, double ListingValue, double CorrectValue, double ExactValue,
    IReadOnlyList<(string Fix, double Value)> Parts) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(CodeErratum? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(CodeErratum)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Id, Source, Case, Problem, ListingValue, CorrectValue, ExactValue, Parts];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}

/// <summary>The slips found in the code listings of the seeds, each re-enacted (docs/examples.md, "Errata in code listings").</summary>
public static class CodeErrata
{
    /// <summary>
    /// shared/seeds/003, "Likelihood Computation", <c>compute_log_likelihood</c>: its prior is <c>-0.5 * x_T.pow(2).sum()</c>,
    /// which omits -(d/2) log(2 pi), and it returns <c>log_p_T - delta_logp</c> where its own formula above (and the
    /// instantaneous change of variables) gives log p_0 = log p_T + integral of div f. Re-enacted on 1D data N(1, 0.5^2)
    /// along the VP path (beta 0.1 to 20) at x0 = 1.2 with the exact divergence (the expectation of its Hutchinson
    /// estimate) and the standard normal prior the listing assumes, integrating from t = 1e-5 to 1 - 1e-5.
    /// </summary>
    public static CodeErratum Likelihood003()
    {
        var data = GaussianMixture.Isotropic([1.0], [[1.0]], [0.5]);
        var r = ProbabilityFlowLikelihood.LogLikelihood(data, GaussianPath.Vp, [1.2], new LikelihoodOptions(Epsilon: 1e-5, Prior: PriorKind.Standard, Rtol: 1e-11, Atol: 1e-11));
        double xT = r.NoiseEndPoint[0], integral = r.LogDensity - r.PriorLogDensity;
        double listingPrior = -0.5 * xT * xT, normalisation = -0.5 * Math.Log(2 * Math.PI);
        return new CodeErratum("003.likelihood-code", "shared/seeds/003, \"Likelihood Computation\" (compute_log_likelihood)",
            "1D data N(1, 0.5^2), VP path (beta 0.1 to 20), x0 = 1.2, exact divergence, N(0, 1) prior",
            "the prior log density omits -(d/2) log(2 pi), and the divergence integral is subtracted where the change of variables (and the listing's own formula) adds it",
            ListingValue: listingPrior - integral,
            CorrectValue: listingPrior + normalisation + integral,
            ExactValue: r.ReferenceLogDensity,
            Parts: [("with -(d/2) log(2 pi) added only", listingPrior + normalisation - integral), ("with the sign of the integral fixed only", listingPrior + integral)]);
    }

    /// <summary>Every code erratum.</summary>
    public static IReadOnlyList<CodeErratum> All => [Likelihood003()];
}
