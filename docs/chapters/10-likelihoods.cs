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
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Paths;
using ScoreSpec.Solvers;

Console.WriteLine("Chapter 10: likelihoods\n");
var data = GaussianMixture.Isotropic([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [0.7, 0.7]);
foreach (var path in new GaussianPath[] { GaussianPath.Vp, GaussianPath.SubVp, GaussianPath.Ve, GaussianPath.Cosine })
{
    int D = path.NoisingDirection;
    double tData = 1e-3, tNoise = 0.999;
    foreach (var x0 in new[] { new[] { 2.0, 0.3 }, new[] { 0.0, 0.0 } })
    {
        // State (x_1, x_2, integral of div v): integrated from the data end to the noise end.
        VectorField augmented = (t, state, d) =>
        {
            var m = data.Along(path, t);
            double[] x = [state[0], state[1]];
            var s = m.Score(x);
            double F = path.LogAlphaDot(t), g2 = path.DiffusionSquared(t);
            d[0] = F * x[0] - D * g2 / 2 * s[0];
            d[1] = F * x[1] - D * g2 / 2 * s[1];
            d[2] = 2 * F - D * g2 / 2 * FokkerPlanckOperator.Trace(m.Hessian(x));
        };
        var sol = Ode.Solve(new OdeProblem(augmented, [x0[0], x0[1], 0], tData, tNoise), new OdeAlgorithm.DormandPrince(1e-10, 1e-10));
        double logNoise = data.Along(path, tNoise).LogDensity([sol.Final[0], sol.Final[1]]);
        double estimate = logNoise + sol.Final[2], exact = data.Along(path, tData).LogDensity(x0);
        Console.WriteLine($"{path.Kind,-7} x = ({x0[0]}, {x0[1]}): ODE log-likelihood {estimate:F10}, exact {exact:F10}, difference {estimate - exact:E2}, {sol.Nfe} evaluations, {-estimate / (2 * Math.Log(2)):F4} bits per dimension");
    }
}
