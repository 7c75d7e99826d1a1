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
// The low-density trap (shared/seeds/004; Song and Ermon 2019). Langevin visits the modes in proportion to their weights
// only once it has mixed, and between well-separated modes it mixes on the Kramers time scale, about exp(barrier): here the
// density between the modes is e^-32 of its peak, so no chain crosses. Started broad, a plain chain stays in the basin it
// started in, and the shares come out near one half whatever the weights. Annealing over noise levels sets the shares while
// the noisy marginals still overlap. Both runs below spend 2000 score evaluations (catalog identity langevin.low-density-trap).
var trapped = GaussianMixture.Isotropic([0.2, 0.8], [[-4.0], [4.0]], [0.5, 0.5]);
var ve = new ScoreSpec.Paths.VePath(0.01, 10);
var levels = Schedule.For(ve, 20);
var broad = Samplers.ExactMarginalSample(trapped, ve, levels.TStart, 20000, 5);
var plainRun = Samplers.Langevin((t, x, s) => s[0] = trapped.Score([x[0]])[0], broad, 0.1 * 0.25, 2000, 6);
var annealedRun = Samplers.RunFromExactMarginal(trapped, ve, new Sampler.AnnealedLangevin(100, 2e-5), levels, 20000, 5, 0,
    Samplers.ExactScore(new MarginalField(trapped, ve)));
double LightShare(Ensemble e) => e.Column(0).Count(v => v < 0) / (double)e.Count;
Console.WriteLine($"\nLow-density trap, 0.2 N(-4, 0.5^2) + 0.8 N(4, 0.5^2), 20000 chains from the ve law at sigma = 10:");
Console.WriteLine($"  light mode's share: plain Langevin {LightShare(plainRun.Final):F3}, annealed Langevin {LightShare(annealedRun.Final):F3}, weight 0.2");

