using System.Globalization;

namespace ScoreSpec.Examples;

/// <summary>How a number printed in a source text compares with the library's computation.</summary>
public enum ExampleStatus
{
    /// <summary>The text's number is the library's, to the digits the text prints.</summary>
    Agrees,
    /// <summary>The text's number differs only because it rounded an intermediate value; redoing its chain with that rounding reproduces it.</summary>
    Rounding,
    /// <summary>The text's number is wrong; the note says why and gives the correct derivation.</summary>
    Differs,
    /// <summary>The text asks for the number (a quiz) but prints no answer; the library's value is the answer.</summary>
    Answered,
}

/// <summary>
/// A worked example of a source text, recomputed by the library: the number the text prints, the number the library
/// computes, and a status derived by computation (see <see cref="Status"/>).
/// </summary>
public sealed record Example : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(Example? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(Example)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Id, Source, Quantity, TextValueAsPrinted, compute, textChain, roundingNote, errorNote];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>Defines an example; nothing is computed until <see cref="LibraryValue"/> or <see cref="Status"/> is read.</summary>
    /// <param name="id">A stable identifier.</param>
    /// <param name="source">Seed file and chapter.</param>
    /// <param name="quantity">What the number is, in words.</param>
    /// <param name="textValue">The number as the text prints it (its decimals set the precision of the comparison), or empty for a question the text asks without printing the answer.</param>
    /// <param name="compute">The library's computation.</param>
    /// <param name="textChain">The text's own chain of arithmetic with the intermediates it rounded, if it rounded any.</param>
    /// <param name="roundingNote">Which intermediates the text rounded (used when the status is <see cref="ExampleStatus.Rounding"/>).</param>
    /// <param name="errorNote">Why the text is wrong and the correct derivation (used when the status is <see cref="ExampleStatus.Differs"/>).</param>
    public Example(string id, string source, string quantity, string textValue, Func<double> compute,
        Func<double>? textChain = null, string roundingNote = "", string errorNote = "")
    {
        Id = id; Source = source; Quantity = quantity; TextValueAsPrinted = textValue;
        TextValue = textValue.Length == 0 ? double.NaN : double.Parse(textValue, CultureInfo.InvariantCulture);
        int dot = textValue.IndexOf('.');
        Decimals = dot < 0 ? 0 : textValue.Length - dot - 1;
        this.compute = compute; this.textChain = textChain; this.roundingNote = roundingNote; this.errorNote = errorNote;
        value = new Lazy<double>(compute);
    }

    private readonly Func<double> compute;
    private readonly Func<double>? textChain;
    private readonly string roundingNote, errorNote;
    private readonly Lazy<double> value;

    /// <summary>A stable identifier.</summary>
    public string Id { get; }
    /// <summary>Seed file and chapter.</summary>
    public string Source { get; }
    /// <summary>What the number is.</summary>
    public string Quantity { get; }
    /// <summary>The number as printed.</summary>
    public string TextValueAsPrinted { get; }
    /// <summary>The number the text gives (NaN when it prints none: see <see cref="ExampleStatus.Answered"/>).</summary>
    public double TextValue { get; }
    /// <summary>Decimals the text prints.</summary>
    public int Decimals { get; }
    /// <summary>The number the library computes.</summary>
    public double LibraryValue => value.Value;

    private bool Matches(double v) => Math.Abs(Math.Round(v, Decimals, MidpointRounding.AwayFromZero) - TextValue) <= 0.5 * Math.Pow(10, -Decimals) * (1 + 1e-9);

    /// <summary>
    /// Agrees when the library's value rounds to the text's printed digits (within half a unit of the last digit);
    /// otherwise Rounding when the text's own chain with its rounded intermediates reproduces the printed number;
    /// otherwise Differs.
    /// </summary>
    public ExampleStatus Status =>
        double.IsNaN(TextValue) ? ExampleStatus.Answered
        : Matches(LibraryValue) ? ExampleStatus.Agrees
        : textChain is not null && Matches(textChain()) ? ExampleStatus.Rounding
        : ExampleStatus.Differs;

    /// <summary>The explanation that goes with the status.</summary>
    public string Note => Status switch
    {
        ExampleStatus.Agrees => "",
        ExampleStatus.Answered => "the text asks this and prints no answer; the library's value is the answer",
        ExampleStatus.Rounding => roundingNote,
        _ => errorNote.Length > 0 ? errorNote : "the text's value does not follow from its inputs",
    };

    /// <summary>The contract's status word: agrees, rounding, differs, or answered (a question the text leaves open).</summary>
    public string StatusWord => Status.ToString().ToLowerInvariant();
}
