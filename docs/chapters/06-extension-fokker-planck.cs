#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 6. The SDE extension trick and Fokker-Planck.
//
// Add noise sigma(t) dW to the ODE of a path and compensate with the drift sigma^2 score / 2: the marginals do not
// move. The proof is one line of the Fokker-Planck equation, using Laplacian p = div(p grad log p). Any sigma >= 0
// works; sigma = g is the reverse SDE, sigma = 0 the ODE (shared/seeds/002, Chapters 4 and 5).
// Run: dotnet run docs/chapters/06-extension-fokker-planck.cs
using ScoreSpec.Examples;
using ScoreSpec.Identities;

Console.WriteLine("Chapter 6: the extension trick and Fokker-Planck\n");
foreach (var id in new[] { "fp.path-marginals", "fp.extension", "fp.laplacian", "fp.ou-stationary", "sampler.extension" })
{
    var r = Catalog.Run(Catalog.Get(id), 3, id.StartsWith("sampler") ? 2 : 10);
    Console.WriteLine($"  {id}: worst {r.Worst.Residual:G3} / {r.Worst.Tolerance:G3} {(r.Passed ? "holds" : "FAILS")}");
}

Console.WriteLine("\nThe source's SDE sampling step (CondOT, t = 0.3), recomputed:");
foreach (var e in WorkedExamples.All.Where(e => e.Id.StartsWith("ch4.") || e.Id.StartsWith("ch5.")))
    Console.WriteLine($"  {e.Quantity}: text {e.TextValueAsPrinted}, library {e.LibraryValue:G6} ({e.StatusWord}) {e.Note}");

foreach (var name in new[] { "extension", "fokker-planck" })
    foreach (var file in ScoreSpec.Plots.Figures.Draw(name, "docs/figures")) Console.WriteLine($"figure: {file}");
