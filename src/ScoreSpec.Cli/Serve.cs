using System.Text;
using System.Text.Json;

namespace ScoreSpec.Cli;

/// <summary>
/// `scorespec serve`: one long-lived process for clients (the Python client in clients/python). It reads one JSON request
/// per line on standard input, <c>{"id": ANY, "command": "eval", "request": {...}}</c>, and writes one JSON answer per
/// line on standard output, <c>{"id": ANY, "ok": true, "answer": {...}}</c> or <c>{"id": ANY, "ok": false, "error":
/// {"code": 2, "field": "data.weights", "message": "..."}}</c>, with the same answers and the same errors as the command
/// run on that request alone. A bad line never stops the server; it ends when standard input ends.
/// </summary>
internal static class Serve
{
    /// <summary>The commands served, each with how it runs a request.</summary>
    private static readonly Dictionary<string, Func<Fields, TextWriter, TextWriter, int>> Commands = new()
    {
        ["eval"] = (request, stdout, _) => EvalCommand.Run(request, stdout),
        ["likelihood"] = LikelihoodCommand.Run,
        ["sample"] = SampleCommand.Run,
        ["check"] = (request, stdout, _) => CheckCommand.Run(request, stdout),
        ["samplers"] = (request, stdout, _) => { request.RejectUnknown("a samplers request"); return SamplersCommand.Run(true, stdout); },
    };

    /// <summary>Names of the commands `serve` answers.</summary>
    public static IReadOnlyCollection<string> Names => Commands.Keys;

    public static int Run(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        string? line;
        while ((line = stdin.ReadLine()) is not null)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            Clock.RequestArrived();
            stdout.WriteLine(Answer(line, stderr));
            stdout.Flush();
        }
        return 0;
    }

    /// <summary>The one-line answer to one request line.</summary>
    internal static string Answer(string line, TextWriter stderr)
    {
        string? idJson = null;
        try
        {
            Fields envelope;
            try { envelope = Json.Parse(line); }
            catch (RequestException ex) when (ex.Field is "FILE" or "request") { throw new RequestException("line", ex.Message); }
            if (envelope.TryGet("id", out var id)) idJson = id.GetRawText();
            // Every key of the line is known before any is judged, so a misspelt "comand" is named as such.
            envelope.TryGet("command", out _);
            string requestText = envelope.TryGet("request", out var r) ? r.GetRawText() : "{}";
            envelope.RejectUnknown("a serve line (id, command, request)");
            string command = envelope.Word("command", null, [.. Commands.Keys]);
            if (r.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
                throw new RequestException("request", "must be a JSON object");
            var output = new StringWriter();
            int code = Commands[command](Json.Parse(requestText), output, stderr);
            using var answer = JsonDocument.Parse(output.ToString());
            return Line(idJson, w =>
            {
                w.WriteBoolean("ok", code == 0);
                w.WritePropertyName("answer");
                answer.RootElement.WriteTo(w);
            });
        }
        catch (Exception ex)
        {
            var (code, field, message) = Cli.Classify(ex);
            return Line(idJson, w =>
            {
                w.WriteBoolean("ok", false);
                w.WriteStartObject("error");
                w.WriteNumber("code", code);
                if (field is null) w.WriteNull("field"); else w.WriteString("field", field);
                w.WriteString("message", message);
                w.WriteEndObject();
            });
        }
    }

    private static string Line(string? idJson, Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        // Relaxed escaping: quotes and apostrophes in messages stay readable (a JSON line is never embedded in HTML).
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (idJson is null) w.WriteNull("id");
            else
            {
                w.WritePropertyName("id");
                w.WriteRawValue(idJson);
            }
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
