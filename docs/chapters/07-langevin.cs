#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 7. Langevin dynamics.
//
// With the path frozen (u = 0) the extension trick leaves only dX = (sigma^2/2) score dt + sigma dW, which has p as its
// stationary law whatever sigma is: a sampler that needs nothing but the score. Discretised with step h it is biased
// by O(h); a Metropolis-Hastings correction (MALA) removes the bias (shared/seeds/002, Chapter 6).
// Run: dotnet run docs/chapters/07-langevin.cs
using MathNet.Numerics.Distributions;
using ScoreSpec.Densities;
using ScoreSpec.Examples;
using ScoreSpec.Sampling;
using ScoreSpec.Statistics;

Console.WriteLine("Chapter 7: Langevin dynamics\n");
foreach (var e in WorkedExamples.All.Where(e => e.Id.StartsWith("ch6.")))
    Console.WriteLine($"  {e.Quantity}: text {e.TextValueAsPrinted}, library {e.LibraryValue:G6} ({e.StatusWord})");

var target = GaussianMixture.Isotropic([0.4, 0.6], [[-1.0], [1.2]], [0.7, 0.8]);
ScoreFunction score = (t, x, s) => s[0] = target.Score([x[0]])[0];
var rng = new Random(3);
var start = Ensemble.FromRows(Enumerable.Range(0, 20000).Select(_ => new[] { Normal.Sample(rng, 0, 3) }).ToArray());
double Cdf(double x) => 0.4 * Normal.CDF(-1, 0.7, x) + 0.6 * Normal.CDF(1.2, 0.8, x);
Console.WriteLine("\nStep-size bias: 20000 particles, 400 steps from N(0, 9):");
foreach (double h in new[] { 0.05, 0.2, 0.8 })
{
    var ula = Samplers.Langevin(score, start, h, 400, 3);
    var mala = Samplers.Langevin(score, start, h, 400, 3, 0, x => target.LogDensity(x));
    Console.WriteLine($"  h = {h}: KS unadjusted {SampleTests.KolmogorovSmirnov(ula.Final.Column(0), Cdf):F4}, MALA {SampleTests.KolmogorovSmirnov(mala.Final.Column(0), Cdf):F4} (acceptance {mala.AcceptanceRate:F2}); critical value at 1e-6: {SampleTests.KolmogorovCritical(1e-6, 20000):F4}");
}
foreach (var file in ScoreSpec.Plots.Figures.Draw("langevin", "docs/figures")) Console.WriteLine($"figure: {file}");
