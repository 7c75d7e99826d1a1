using ScoreSpec.Identities;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The catalog on two fixed seeds per identity: the part of the catalog that tools/mutation.sh runs for every mutant,
/// where IdentityProperties' hundred FsCheck instances per identity would cost minutes per mutant in Stryker's
/// instrumented build (numerical code runs about nine times slower there). Of the simulation identities only
/// sampler.discrete-law is here (10 steps, a fraction of a second); the ensembles of the others are left to
/// IdentityProperties and the slow tier. In the default run too (a few seconds), so a catalog entry that breaks on a
/// fixed seed is reported by name.
/// </summary>
[Trait("Category", "Mutation")]
public class MutationTier
{
    public static TheoryData<string> Ids
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var identity in Catalog.All.Where(i => !i.Slow || i.Id == "sampler.discrete-law")) data.Add(identity.Id);
            return data;
        }
    }

    [Theory, MemberData(nameof(Ids))]
    public void IdentityHoldsOnFixedSeeds(string id)
    {
        var identity = Catalog.Get(id);
        foreach (int seed in new[] { 11, 12 })
        {
            var result = identity.Check(seed);
            Assert.True(result.Passed, $"{id} seed={seed}: residual {result.Residual:G4} > tolerance {result.Tolerance:G4} ({result.Detail})");
        }
    }
}
