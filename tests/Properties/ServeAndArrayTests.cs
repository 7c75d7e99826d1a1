using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// Issue 16's many-answers features: eval over a list of times, array files (.npy and CSV) beside the JSON, and
/// `scorespec serve`, which must answer each line as the command would answer the request alone and survive bad lines.
/// </summary>
public class ServeAndArrayTests
{
    private const string Data = """{"weights": [0.3, 0.7], "means": [[-2.0, 0.5], [1.5, -1.0]], "stds": [0.6, 0.9]}""";
    private const string Points = "[[0.1, -0.3], [1.0, 2.0], [-2.5, 0.0]]";

    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Cli.Run(args, new StringReader(stdin), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Eval(string time, string extra = "") =>
        $$"""{"data": {{Data}}, "path": {"kind": "vp"}, {{time}}, "points": {{Points}}{{extra}}}""";

    [Fact]
    public void EvalOverTimesEqualsOneEvalPerTime()
    {
        double[] times = [0.05, 0.5, 0.95];
        var (code, output, err) = Run(Eval("\"times\": [0.05, 0.5, 0.95]"), "eval", "-");
        Assert.True(code == 0, err);
        using var many = JsonDocument.Parse(output);
        var root = many.RootElement;
        Assert.False(root.TryGetProperty("t", out _));
        Assert.Equal(times, root.GetProperty("times").EnumerateArray().Select(e => e.GetDouble()));
        for (int k = 0; k < times.Length; k++)
        {
            var (c1, single, e1) = Run(Eval($"\"t\": {times[k].ToString("R", CultureInfo.InvariantCulture)}"), "eval", "-");
            Assert.True(c1 == 0, e1);
            using var one = JsonDocument.Parse(single);
            foreach (var p in one.RootElement.EnumerateObject())
            {
                if (p.Name is "t" or "path" or "data_end") continue;
                var entry = root.GetProperty(p.Name)[k];
                // Bit for bit: the same computation at the same time.
                Assert.Equal(p.Value.GetRawText().Replace(" ", "").Replace("\n", "").Replace("\r", ""),
                             entry.GetRawText().Replace(" ", "").Replace("\n", "").Replace("\r", ""));
            }
        }
    }

    [Theory]
    [InlineData("\"t\": 0.5, \"times\": [0.5]", "times")]
    [InlineData("\"times\": []", "times")]
    [InlineData("\"times\": [0.5, 1.0]", "times[1]")]
    [InlineData("\"times\": [0.5, \"x\"]", "times[1]")]
    public void BadTimesAreNamed(string time, string field)
    {
        var (code, output, err) = Run(Eval(time), "eval", "-");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"scorespec: {field}: ", err);
    }

    /// <summary>Reads a .npy file of format 1.0 by the specification, apart from the writer.</summary>
    private static (string Descr, int[] Shape, byte[] Data) ReadNpy(string file)
    {
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
        Assert.Equal(0, (10 + headerLength) % 64); // data aligned as NumPy writes it
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header);
        var descr = System.Text.RegularExpressions.Regex.Match(header, "'descr': '([^']*)'").Groups[1].Value;
        Assert.Contains("'fortran_order': False", header);
        var shapeText = System.Text.RegularExpressions.Regex.Match(header, @"'shape': \(([^)]*)\)").Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (descr, shape, bytes[(10 + headerLength)..]);
    }

    [Fact]
    public void NpyFilesHoldTheJsonNumbersBitForBit()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"scorespec-npy-{Guid.NewGuid():N}");
        try
        {
            var (code, output, err) = Run(Eval("\"times\": [0.2, 0.7]", $", \"arrays\": {{\"dir\": {JsonSerializer.Serialize(dir)}}}"), "eval", "-");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var files = doc.RootElement.GetProperty("files");
            var (descr, shape, data) = ReadNpy(files.GetProperty("score").GetString()!);
            Assert.Equal("<f8", descr);
            Assert.Equal([2, 3, 2], shape);
            var json = doc.RootElement.GetProperty("score").EnumerateArray().SelectMany(a => a.EnumerateArray()).SelectMany(a => a.EnumerateArray()).Select(e => e.GetDouble()).ToArray();
            var fromFile = Enumerable.Range(0, json.Length).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(8 * i, 8))).ToArray();
            Assert.Equal(json.Select(BitConverter.DoubleToInt64Bits), fromFile.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(8 * json.Length, data.Length);
            var (d2, s2, _) = ReadNpy(files.GetProperty("alpha").GetString()!);
            Assert.Equal("<f8", d2);
            Assert.Equal([2], s2);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void LikelihoodCountsAreIntegersAndSampleWritesItsPoints()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"scorespec-arrays-{Guid.NewGuid():N}");
        try
        {
            string arrays = $", \"arrays\": {{\"dir\": {JsonSerializer.Serialize(dir)}, \"format\": \"csv\"}}";
            var (code, output, err) = Run($$"""{"data": {{Data}}, "path": {"kind": "vp"}, "points": {{Points}}{{arrays}}}""", "likelihood", "-");
            Assert.True(code == 0, err);
            var lines = File.ReadAllLines(Path.Combine(dir, "nfe.csv"));
            Assert.Equal("# shape: 3", lines[0]);
            using (var doc = JsonDocument.Parse(output))
                Assert.Equal(doc.RootElement.GetProperty("nfe").EnumerateArray().Select(e => e.GetInt64().ToString(CultureInfo.InvariantCulture)), lines[1..]);

            string npy = $", \"arrays\": {{\"dir\": {JsonSerializer.Serialize(dir)}}}";
            (code, output, err) = Run($$"""{"data": {{Data}}, "path": {"kind": "vp"}, "sampler": "ddim", "n": 500, "steps": 20, "seed": 3{{npy}}}""", "sample", "-");
            Assert.True(code == 0, err);
            var (descr, shape, data) = ReadNpy(Path.Combine(dir, "samples.npy"));
            Assert.Equal("<f8", descr);
            Assert.Equal([500, 2], shape);
            // The samples' mean, computed here from the file, is the answer's mean (to the rounding of the summation order).
            using var answer = JsonDocument.Parse(output);
            var mean = answer.RootElement.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int j = 0; j < 2; j++)
            {
                double sum = 0;
                for (int i = 0; i < 500; i++) sum += BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(8 * (2 * i + j), 8));
                Assert.Equal(mean[j], sum / 500, 1e-12);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void ArraysIntoAFileIsAnErrorOnArraysDir()
    {
        string file = typeof(ServeAndArrayTests).Assembly.Location;
        var (code, output, err) = Run(Eval("\"t\": 0.5", $", \"arrays\": {{\"dir\": {JsonSerializer.Serialize(file)}}}"), "eval", "-");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("scorespec: arrays.dir: cannot be written", err);
        (code, _, err) = Run(Eval("\"t\": 0.5", ", \"arrays\": {\"dir\": \"x\", \"format\": \"hdf5\"}"), "eval", "-");
        Assert.Equal(2, code);
        Assert.StartsWith("scorespec: arrays.format: must be one of npy, csv", err);
    }

    [Fact]
    public void ServeAnswersEachLineAsTheCommandWouldAndSurvivesBadLines()
    {
        string good = Eval("\"t\": 0.5");
        string badWeights = good.Replace("[0.3, 0.7]", "[0.3, 0.6]");
        string[] lines =
        [
            $$"""{"id": 1, "command": "eval", "request": {{good}}}""",
            "this is not JSON",
            $$"""{"id": "two", "command": "evl", "request": {{good}}}""",
            $$"""{"id": 3, "command": "eval", "request": {{badWeights}}}""",
            $$"""{"id": 4, "comand": "eval"}""",
            "",
            $$"""{"id": [5], "command": "eval", "request": {{good}}}""",
        ];
        var (code, output, err) = Run(string.Join("\n", lines) + "\n", "serve");
        Assert.True(code == 0, err);
        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToArray();
        Assert.Equal(6, answers.Length); // the empty line is skipped

        var (c1, alone, _) = Run(good, "eval", "-");
        Assert.Equal(0, c1);
        using var aloneDoc = JsonDocument.Parse(alone);
        foreach (var (answer, id) in new[] { (answers[0], "1"), (answers[5], "[5]") })
        {
            Assert.Equal(id, answer.RootElement.GetProperty("id").GetRawText());
            Assert.True(answer.RootElement.GetProperty("ok").GetBoolean());
            Assert.True(JsonElement.DeepEquals(aloneDoc.RootElement, answer.RootElement.GetProperty("answer")));
        }
        void Error(JsonDocument answer, string id, string field, string message)
        {
            Assert.Equal(id, answer.RootElement.GetProperty("id").GetRawText());
            Assert.False(answer.RootElement.GetProperty("ok").GetBoolean());
            var e = answer.RootElement.GetProperty("error");
            Assert.Equal(2, e.GetProperty("code").GetInt32());
            Assert.Equal(field, e.GetProperty("field").GetString());
            Assert.StartsWith(message, e.GetProperty("message").GetString());
        }
        Error(answers[1], "null", "line", "is not valid JSON at line 1");
        Error(answers[2], "\"two\"", "command", "must be one of eval, likelihood, sample, check, samplers; got \"evl\" (did you mean \"eval\"?)");
        // The same field and message as the command line prints for the request alone.
        var (c3, _, alone3) = Run(badWeights, "eval", "-");
        Assert.Equal(2, c3);
        Error(answers[3], "3", "data.weights", alone3.Trim()["scorespec: data.weights: ".Length..]);
        Error(answers[4], "4", "comand", "is not a field of a serve line");
    }
}
