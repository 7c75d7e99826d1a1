#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 2. Gaussian paths and the score-noise relation.
//
// A Gaussian path mixes data z with noise e as x_t = alpha_t z + sigma_t e. Given z the point is Gaussian, so its
// conditional score is -(x - alpha_t z)/sigma_t^2 = -e/sigma_t: the score is the noise, rescaled and reversed. The
// marginal score is the posterior average of these, -E[e | x]/sigma_t, which is why a noise predictor is a score
// model (shared/seeds/002, Chapter 2; shared/seeds/003, "Complete Derivation: Score-Noise Relationship").
// Run: dotnet run docs/chapters/02-gaussian-paths.cs
using ScoreSpec.Densities;
using ScoreSpec.Examples;
using ScoreSpec.Paths;

Console.WriteLine("Chapter 2: Gaussian paths\n");
Console.WriteLine($"{"path",-40} {"t",5} {"alpha",10} {"sigma",10} {"a_t",10} {"b_t",10}");
foreach (var path in GaussianPath.All)
    foreach (double t in new[] { 0.1, 0.5, 0.9 })
    {
        var p = path.At(t);
        Console.WriteLine($"{path,-40} {t,5} {p.Alpha,10:G5} {p.Sigma,10:G5} {p.A,10:G5} {p.B,10:G5}");
    }

Console.WriteLine("\nCondOT: the conditional score -e/sigma_t blows up as t -> 1 (e = 1):");
foreach (double t in new[] { 0.1, 0.5, 0.9, 0.99 })
    Console.WriteLine($"  t = {t}: {GaussianPath.CondOt.At(t).ConditionalTarget(Quantity.Score, [0.0], [1.0])[0]:G6}");

var data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
var marginal = data.Along(GaussianPath.Vp, 0.3);
double[] x = [0.4, -0.2];
var score = marginal.Score(x);
var noise = marginal.Noise(x);
Console.WriteLine($"\nVP, t = 0.3, x = (0.4, -0.2): score ({score[0]:F6}, {score[1]:F6}); -E[e|x]/sigma ({-noise[0] / marginal.Point.Sigma:F6}, {-noise[1] / marginal.Point.Sigma:F6})");

Console.WriteLine("\nThe chapter's numbers in the source, recomputed:");
foreach (var e in WorkedExamples.All.Where(e => e.Id.StartsWith("ch2.")))
    Console.WriteLine($"  {e.Quantity}: text {e.TextValueAsPrinted}, library {e.LibraryValue:G6} ({e.StatusWord})");
