using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The help a new user reads (issue 16): it names the command as installed (scorespec, not the assembly), and the minimal
/// request each command's help shows runs as shown and answers JSON.
/// </summary>
public class HelpTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(args, new StringReader(stdin), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void TheRootHelpNamesScorespecAndTheContract()
    {
        var (code, output, err) = Run("", "--help");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("scorespec [command] [options]", output);
        Assert.DoesNotContain("ScoreSpec.Cli", output);
        Assert.Contains("docs/cli.md", output);
    }

    [Theory]
    [InlineData("eval", "log_density")]
    [InlineData("sample", "mean")]
    [InlineData("likelihood", "reference_log_density")]
    [InlineData("check", "verdict")]
    public void EachCommandsHelpShowsAMinimalRequestThatRuns(string command, string answerField)
    {
        var (code, help, _) = Run("", command, "--help");
        Assert.Equal(0, code);
        Assert.Contains($"scorespec {command} <FILE>", help);
        Assert.Contains("docs/cli.md", help);
        var line = help.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith('{'));
        var (runCode, answer, err) = Run(line, command, "-");
        Assert.True(runCode == 0, $"the help's request failed: {err}");
        using var doc = JsonDocument.Parse(answer);
        Assert.True(doc.RootElement.TryGetProperty(answerField, out _), $"no {answerField} in {answer[..Math.Min(200, answer.Length)]}");
    }

    [Fact]
    public void VersionIsTheTaggedOrDerivedVersion()
    {
        var (code, output, _) = Run("", "--version");
        Assert.Equal(0, code);
        // MinVer: a tag v1.2.3 gives 1.2.3, commits after it 1.2.4-alpha.0.N; the commit follows '+'.
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?(\+[0-9a-f]+)?$"), output.Trim());
        Assert.NotEqual("1.0.0", output.Trim().Split('+')[0]);
    }
}
