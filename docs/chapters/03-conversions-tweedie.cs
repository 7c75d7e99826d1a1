#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 3. Conversions and Tweedie's formula.
//
// Score, noise, denoiser, velocity and v-prediction carry the same information: each is a linear function of the
// others at fixed x and t. Proposition 1 writes the velocity as a_t score + b_t x; Tweedie's formula writes the
// denoiser as (x + sigma_t^2 score)/alpha_t. Both hold for conditional targets and for marginal predictions alike
// (shared/seeds/002, Chapters 3 and 8; shared/seeds/003, "Tweedie's Formula").
// Run: dotnet run docs/chapters/03-conversions-tweedie.cs
using ScoreSpec.Densities;
using ScoreSpec.Examples;
using ScoreSpec.Paths;

Console.WriteLine("Chapter 3: conversions and Tweedie\n");
var p = GaussianPath.CondOt.At(0.6);
double[] z = [5.0], e = [-1.0];
var x = p.Mix(z, e);
foreach (var q in Enum.GetValues<Quantity>())
    Console.WriteLine($"CondOT t = 0.6, z = 5, e = -1: {q,-12} = {p.ConditionalTarget(q, z, e)[0],8:G6}   (from the score: {p.Convert(Quantity.Score, q, x, p.ConditionalTarget(Quantity.Score, z, e))[0]:G6})");

var data = GaussianMixture.Isotropic([0.3, 0.7], [[-1.5], [1.0]], [0.4, 0.6]);
foreach (var path in GaussianPath.All)
{
    var m = data.Along(path, 0.4);
    double[] y = [0.2];
    double tweedie = m.Point.DenoiserFromScore(y, m.Score(y))[0], bayes = m.Denoiser(y)[0];
    Console.WriteLine($"{path.Kind,-7} t = 0.4, x = 0.2: Tweedie {tweedie:G12}, Bayes posterior mean {bayes:G12}");
}

Console.WriteLine("\nThe chapter's numbers in the source, recomputed:");
foreach (var ex in WorkedExamples.All.Where(ex => ex.Id.StartsWith("ch3.")))
    Console.WriteLine($"  {ex.Quantity}: text {ex.TextValueAsPrinted}, library {ex.LibraryValue:G6} ({ex.StatusWord}) {ex.Note}");
