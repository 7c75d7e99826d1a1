using System.Globalization;
using System.Text.Json;
using ScoreSpec.Examples;
using Spectre.Console;

namespace ScoreSpec.Cli;

/// <summary>`scorespec examples [--json]`: every worked example with the text's number beside the library's (shared/cli-contract.md).</summary>
internal static class ExamplesCommand
{
    public static int Run(bool json, TextWriter stdout)
    {
        var all = WorkedExamples.All;
        if (json)
        {
            Json.Answer(stdout, w =>
            {
                w.WriteStartArray();
                foreach (var e in all)
                {
                    w.WriteStartObject();
                    w.WriteString("id", e.Id);
                    w.WriteString("source", e.Source);
                    w.WriteString("quantity", e.Quantity);
                    if (double.IsNaN(e.TextValue)) w.WriteNull("text_value"); else w.WriteNumber("text_value", e.TextValue);
                    Json.WriteNumber(w, "library_value", e.LibraryValue);
                    w.WriteString("status", e.StatusWord);
                    w.WriteString("note", e.Note);
                    w.WriteString("text_as_printed", e.TextValueAsPrinted);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return 0;
        }
        var console = Json.PlainConsole(stdout);
        var table = new Table().AddColumns("id", "quantity", "text", "library", "status", "note");
        foreach (var e in all)
            table.AddRow(Markup.Escape(e.Id), Markup.Escape(e.Quantity), Markup.Escape(e.TextValueAsPrinted),
                e.LibraryValue.ToString("G6", CultureInfo.InvariantCulture), e.StatusWord, Markup.Escape(e.Note));
        console.Write(table);
        var errata = new Table().AddColumns("erratum", "case", "what is wrong", "listing prints", "corrected", "exact");
        foreach (var c in CodeErrata.All)
            errata.AddRow(Markup.Escape(c.Id), Markup.Escape(c.Case), Markup.Escape(c.Problem), c.ListingValue.ToString("F6", CultureInfo.InvariantCulture),
                c.CorrectValue.ToString("F6", CultureInfo.InvariantCulture), c.ExactValue.ToString("F6", CultureInfo.InvariantCulture));
        console.Write(errata);
        stdout.WriteLine($"{all.Count} examples: {all.Count(e => e.Status == ExampleStatus.Agrees)} agree, {all.Count(e => e.Status == ExampleStatus.Rounding)} differ by the text's rounding, {all.Count(e => e.Status == ExampleStatus.Differs)} are wrong in the text, {all.Count(e => e.Status == ExampleStatus.Answered)} answered where the text asks without answering.");
        return 0;
    }
}
