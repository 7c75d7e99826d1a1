using ScoreSpec.Densities;
using ScoreSpec.Paths;
using Snapshooter.Xunit;
using Xunit;

namespace ScoreSpec.Snapshots;

/// <summary>
/// Snapshots of reference values the library computes, rounded to 10 significant digits so that last-bit differences
/// between platforms cannot fail them. The values were reviewed by hand against an independent computation when the
/// snapshot was first written (see docs/verification.md). CI runs with SNAPSHOOTER_STRICT_MODE=true, so a missing
/// snapshot fails instead of being written.
/// </summary>
public class PathTableSnapshot
{
    private static double R(double v) => double.Parse(v.ToString("G10", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void PathCoefficients()
    {
        var table = GaussianPath.All.Select(path => new
        {
            Path = path.ToString(),
            DataEnd = path.DataEnd.ToString(),
            Rows = new[] { 0.1, 0.5, 0.9 }.Select(t => new
            {
                T = t,
                Alpha = R(path.Alpha(t)),
                Sigma = R(path.Sigma(t)),
                AlphaDot = R(path.AlphaDot(t)),
                SigmaDot = R(path.SigmaDot(t)),
                A = R(path.A(t)),
                B = R(path.At(t).B),
                DriftCoefficient = R(path.LogAlphaDot(t)),
                Diffusion = R(path.ForwardSde.Diffusion(t)),
            }).ToArray(),
        }).ToArray();
        Snapshot.Match(table);
    }

    [Fact]
    public void ContractEvalExample()
    {
        var cov = new double[,] { { 0.49, 0.0 }, { 0.0, 0.49 } };
        var data = GaussianMixture.Create([0.5, 0.5], [[-2.0, 0.0], [2.0, 0.0]], [cov, cov]);
        double[][] points = [[0.1, -0.3], [1.0, 2.0]];
        var answers = GaussianPath.All.Select(path =>
        {
            var m = data.Along(path, 0.5);
            return new
            {
                Path = path.ToString(),
                LogDensity = points.Select(x => R(m.LogDensity(x))).ToArray(),
                Score = points.Select(x => m.Score(x).Select(R).ToArray()).ToArray(),
                Noise = points.Select(x => m.Noise(x).Select(R).ToArray()).ToArray(),
                Denoiser = points.Select(x => m.Denoiser(x).Select(R).ToArray()).ToArray(),
                Velocity = points.Select(x => m.Velocity(x).Select(R).ToArray()).ToArray(),
            };
        }).ToArray();
        Snapshot.Match(answers);
    }
}
