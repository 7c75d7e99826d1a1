using ScoreSpec.Examples;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace ScoreSpec.Snapshots;

/// <summary>
/// One snapshot per worked example: the text's number, the library's number rounded to 6 significant digits (so that
/// last-bit platform differences cannot fail it), the status and the note. Reviewed by hand when first written
/// (docs/examples.md lists the three wrong numbers and the three rounded ones with their derivations).
/// </summary>
public class ExampleSnapshots
{
    public static TheoryData<string> Ids => new(WorkedExamples.All.Select(e => e.Id));

    [Theory, MemberData(nameof(Ids))]
    public void Example(string id)
    {
        var e = WorkedExamples.All.Single(x => x.Id == id);
        var rounded = double.Parse(e.LibraryValue.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
        Snapshot.Match(new { e.Id, e.Source, e.Quantity, Text = e.TextValueAsPrinted, Library = rounded, Status = e.StatusWord, e.Note },
            SnapshotNameExtension.Create(id));
    }
}
