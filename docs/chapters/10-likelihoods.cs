#:project ../../src/ScoreSpec.Plots/ScoreSpec.Plots.csproj
// Chapter 10. Likelihoods from the probability-flow ODE.
//
// Along an ODE dx/dt = v(x, t) the log density changes by minus the divergence of v (instantaneous change of
// variables). Integrating the probability-flow ODE from a data point to the noise end and adding the integral of
// div v to the log density there gives the exact log-likelihood; for the probability-flow drift
// v = F x - D g^2 score/2 the divergence is d F - D g^2 Laplacian(log p_t)/2 (shared/seeds/003, "Likelihood
// Computation"; shared/seeds/001). Here the divergence is exact, from the mixture's Hessian.
// Run: dotnet run docs/chapters/10-likelihoods.cs
using ScoreSpec.Densities;
using ScoreSpec.Likelihood;
using ScoreSpec.Paths;

Console.WriteLine("Chapter 10: likelihoods\n");
var data = GaussianMixture.Create([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [new double[,] { { 0.49, 0.2 }, { 0.2, 0.49 } }, new double[,] { { 0.49, -0.1 }, { -0.1, 0.3 } }]);
foreach (var path in GaussianPath.All)
    foreach (var x in new[] { new[] { 2.0, 0.3 }, new[] { 0.0, 0.0 } })
    {
        var exact = ProbabilityFlowLikelihood.LogLikelihood(data, path, x, new LikelihoodOptions(Rtol: 1e-10, Atol: 1e-10));
        // One Gaussian probe per solve is unbiased but noisy: average 20 independent solves.
        var hutch = Enumerable.Range(0, 20).Select(seed => ProbabilityFlowLikelihood.LogLikelihood(data, path, x, new LikelihoodOptions(Divergence: DivergenceMethod.HutchinsonGaussian, Probes: 1, Seed: (ulong)seed)).LogDensity).ToArray();
        double hutchMean = hutch.Average(), hutchSe = Math.Sqrt(hutch.Select(v => (v - hutchMean) * (v - hutchMean)).Sum() / (hutch.Length - 1) / hutch.Length);
        var standard = ProbabilityFlowLikelihood.LogLikelihood(data, path, x, new LikelihoodOptions(Prior: PriorKind.Standard));
        Console.WriteLine($"{path.Kind,-7} x = ({x[0]}, {x[1]}): exact log p {exact.ReferenceLogDensity:F8}; ODE {exact.LogDensity:F8} ({exact.Evaluations} evaluations); " +
                          $"Hutchinson, mean of 20 one-probe solves {hutchMean:F3} +- {hutchSe:F3}; standard prior {standard.LogDensity:F5}; {exact.BitsPerDimension:F4} bits per dimension");
    }
