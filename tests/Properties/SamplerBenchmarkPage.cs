using ScoreSpec.Sampling;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>docs/samplers-measured.md shows what `scorespec bench-samplers` prints, table for table: numbers on a page are the library's.</summary>
public class SamplerBenchmarkPage
{
    [Fact]
    public void ThePageShowsTheMeasuredTables()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScoreSpec.sln"))) dir = dir.Parent;
        var page = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "samplers-measured.md"));
        const string Begin = "<!-- BEGIN bench-samplers -->\n", End = "<!-- END bench-samplers -->";
        int b = page.IndexOf(Begin, StringComparison.Ordinal), e = page.IndexOf(End, StringComparison.Ordinal);
        Assert.True(b >= 0 && e > b, "the page lacks its bench-samplers markers");
        string shown = page[(b + Begin.Length)..e].Replace("\r\n", "\n");
        Assert.Equal((FlowMapBenchmark.Markdown(FlowMapBenchmark.All()) + FlowMapBenchmark.StochasticMarkdown(FlowMapBenchmark.StochasticAll())).Replace("\r\n", "\n"), shown);
    }
}
