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

    /// <summary>
    /// The cheaper mutation check of the slow tier: tools/plant-slips.py plants each slip of issue 11 in a scratch clone
    /// and runs the tests that should catch it (the pinned statistics, the precision references, the negative controls,
    /// the catalog on fixed seeds, the DDPM and guidance tests); it exits 0 only if every slip fails them. About two
    /// minutes a slip. Needs git and python3 (tools/mutation.sh is the full Stryker.NET run, outside CI).
    /// </summary>
    [Fact]
    public async Task EveryPlantedSlipFailsTheChecks()
    {
        var root = Path.GetDirectoryName(ReadmeTests.RepoFile("README.md"))!;
        const string filter = "FullyQualifiedName~StatisticsPinned|FullyQualifiedName~Precision|FullyQualifiedName~NegativeControls|FullyQualifiedName~MutationTier|FullyQualifiedName~DdpmTests|FullyQualifiedName~LossAndGuidanceTests";
        var info = new System.Diagnostics.ProcessStartInfo("python3") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "tools/plant-slips.py", "--no-verify", "--filter", filter }) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        output.WriteLine(await stdout);
        Assert.True(process.ExitCode == 0, $"a planted slip survived (exit {process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
