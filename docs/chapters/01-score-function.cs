#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 1. The score function.
//
// The score of a density p is the gradient of its logarithm, s(x) = grad log p(x) = grad p(x) / p(x). It needs no
// normalising constant, it points uphill in probability, and for a Gaussian N(mu, Sigma) it is the straight line
// back to the mean, -Sigma^{-1}(x - mu). For a mixture it is the average of the component scores weighted by how
// probable each component is at x (shared/seeds/002, Chapter 1; shared/seeds/003, "The Score Function").
// Run: dotnet run docs/chapters/01-score-function.cs
using ScoreSpec.Densities;
using ScoreSpec.Examples;
using ScoreSpec.Identities;

Console.WriteLine("Chapter 1: the score function\n");
var gaussian = Gaussian.Isotropic([3.0], 1.0);
foreach (double x in new[] { 5.0, 1.0, 3.0 })
    Console.WriteLine($"N(3, 1): score at x = {x} is {gaussian.Score([x])[0]:G6}  (it points to the mean)");

var mixture = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
foreach (var x in new[] { new[] { 0.0, 0.0 }, new[] { 3.0, 0.0 }, new[] { 0.0, 1.0 } })
{
    var s = mixture.Score(x);
    var w = mixture.PosteriorWeights(x);
    Console.WriteLine($"mixture at ({x[0]}, {x[1]}): posterior weights ({w[0]:F4}, {w[1]:F4}), score ({s[0]:F4}, {s[1]:F4})");
}

Console.WriteLine("\nTwo properties, checked on random mixtures (residual / tolerance of the worst of 10 instances):");
foreach (var id in new[] { "score.gradient", "score.zero-mean.quadrature", "score.fisher.quadrature" })
{
    var r = Catalog.Run(Catalog.Get(id), 1, 10);
    Console.WriteLine($"  {id}: {r.Worst.Residual:G3} / {r.Worst.Tolerance:G3}  {(r.Passed ? "holds" : "FAILS")}");
}

Console.WriteLine("\nThe chapter's numbers in the source, recomputed:");
foreach (var e in WorkedExamples.All.Where(e => e.Id.StartsWith("ch1.")))
    Console.WriteLine($"  {e.Quantity}: text {e.TextValueAsPrinted}, library {e.LibraryValue:G6} ({e.StatusWord})");

foreach (var file in ScoreSpec.Plots.Figures.Draw("score-field", "docs/figures")) Console.WriteLine($"figure: {file}");
