using ScoreSpec.Identities;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// The slow tier (trait Category=Slow, excluded from the default run): every simulation identity of the catalog on 40
/// seeded instances, as `scorespec verify --full` runs them. Each instance fails falsely with probability at most 1e-6,
/// so one identity's 40 instances at most 4e-5.
/// </summary>
[Trait("Category", "Slow")]
public class SlowTier(ITestOutputHelper output)
{
    public static TheoryData<string> Slow => new(Catalog.All.Where(i => i.Slow).Select(i => i.Id));

    [Theory, MemberData(nameof(Slow))]
    public void SimulationIdentityHoldsOnFortyInstances(string id)
    {
        var report = Catalog.Run(Catalog.Get(id), 2026, 40);
        output.WriteLine($"{id}: worst residual {report.Worst.Residual:G4} / tolerance {report.Worst.Tolerance:G4} at seed {report.WorstSeed}, {report.Seconds:F1}s");
        Assert.True(report.Passed, $"{id} seed {report.WorstSeed}: {report.Worst.Detail}");
    }
}
