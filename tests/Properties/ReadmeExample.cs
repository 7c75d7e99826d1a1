// BEGIN README USINGS
using ScoreSpec.Densities;
using ScoreSpec.Paths;
// END README USINGS
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>The README's C# example, compiled and run here; ReadmeTests checks that README.md shows exactly this code.</summary>
public static class ReadmeExample
{
    public static (double[] Score, double[] Denoiser, double[] Tweedie) Run(TextWriter Console)
    {
        // BEGIN README BODY
        var data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
        var pt = data.Along(GaussianPath.Vp, 0.5);               // exact marginal p_t, again a mixture
        double[] x = [0.1, -0.3];
        double[] score = pt.Score(x);                            // grad log p_t(x)
        double[] z = pt.Denoiser(x);                             // E[z | x_t = x], Bayes posterior
        double[] u = pt.Velocity(x);                             // probability-flow dx/dt
        double[] tweedie = pt.Point.DenoiserFromScore(x, score); // equals z to round-off
        Console.WriteLine($"log p = {pt.LogDensity(x):F4}, score = ({score[0]:F4}, {score[1]:F4})");
        Console.WriteLine($"denoiser = ({z[0]:F4}, {z[1]:F4}), velocity = ({u[0]:F4}, {u[1]:F4})");
        // END README BODY
        return (score, z, tweedie);
    }
}

public class ReadmeTests
{
    internal static string RepoFile(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScoreSpec.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir!.FullName, name);
    }

    internal static string[] Block(string markdown, string language)
    {
        var lines = markdown.Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == "```" + language);
        Assert.True(start >= 0, $"README.md has no ```{language} block");
        int end = Array.FindIndex(lines, start + 1, l => l.Trim() == "```");
        return lines[(start + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    internal static string[] Region(string source, string name)
    {
        var lines = source.Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"// BEGIN {name}");
        int end = Array.FindIndex(lines, l => l.Trim() == $"// END {name}");
        return lines[(start + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    [Fact]
    public void ReadmeShowsTheCompiledCSharpExample()
    {
        var readme = File.ReadAllText(RepoFile("README.md"));
        var source = File.ReadAllText(RepoFile("tests/Properties/ReadmeExample.cs"));
        var expected = Region(source, "README USINGS").Concat(Region(source, "README BODY")).ToArray();
        Assert.Equal(expected, Block(readme, "csharp"));
        Assert.InRange(expected.Length, 5, 12);
    }

    [Fact]
    public void CSharpExampleRunsAndAgreesWithTweedie()
    {
        var output = new StringWriter();
        var (_, z, tweedie) = ReadmeExample.Run(output);
        Assert.Contains("log p = ", output.ToString());
        for (int i = 0; i < z.Length; i++) Assert.Equal(z[i], tweedie[i], 1e-12); // both O(1): 1e-12 is 1e4 ulps of slack for two closed forms
    }
}

public class DocsTests
{
    [Fact]
    public void IdentitiesPageListsEveryCatalogEntry()
    {
        var page = File.ReadAllText(ReadmeTests.RepoFile("docs/identities.md"));
        foreach (var identity in Identities.Catalog.All)
            Assert.Contains($"## `{identity.Id}`", page);
    }

    [Fact]
    public void ClaimsPageMapsEveryIdentityThatCitesASeed()
    {
        // docs/claims.md is written by tools/claims-page.py; an identity added without rerunning it fails here.
        var page = File.ReadAllText(ReadmeTests.RepoFile("docs/claims.md"));
        foreach (var identity in Identities.Catalog.All.Where(i => i.Source.Contains("shared/seeds/")))
            Assert.Contains($"| `{identity.Id}` |", page);
    }
}
