using ScoreSpec.Densities;
using ScoreSpec.Identities;
using ScoreSpec.Paths;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The checks are not vacuous: the comparison machinery the catalog uses rejects a score with a flipped sign, a
/// dropped factor of 2, or a relative error of 1e-6, and a mis-scaled Proposition 1 coefficient.
/// </summary>
public class Sensitivity
{
    private static readonly GaussianMixture Data = GaussianMixture.Isotropic([0.3, 0.7], [[-2.0, 0.5], [1.5, -1.0]], [0.6, 0.9]);

    [Theory]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(1 + 1e-6)]
    public void GradientComparisonRejectsAWrongScore(double factor)
    {
        foreach (var path in GaussianPath.All)
        {
            var m = Data.Along(path, 0.4).Density;
            double[] x = [0.3, -0.2];
            var wrong = m.Score(x).Select(v => v * factor).ToArray();
            var worst = new WorstOf();
            Helpers.CompareGradient(worst, m.LogDensity, wrong, x, Helpers.Step(m), 1 / Helpers.SmallestStd(m), path.Kind);
            Assert.False(worst.Result.Passed, $"{path}: a score scaled by {factor} passed ({worst.Result.Detail})");

            var right = new WorstOf();
            Helpers.CompareGradient(right, m.LogDensity, m.Score(x), x, Helpers.Step(m), 1 / Helpers.SmallestStd(m), path.Kind);
            Assert.True(right.Result.Passed, right.Result.Detail);
        }
    }

    [Fact]
    public void CloseComparisonRejectsAMisScaledCoefficient()
    {
        foreach (var path in GaussianPath.All)
        {
            var mt = Data.Along(path, 0.3);
            var pt = mt.Point;
            double[] x = [0.1, 0.4];
            var s = mt.Score(x);
            var wrong = x.Select((v, i) => pt.A * (1 + 1e-8) * s[i] + pt.B * v).ToArray();
            var worst = new WorstOf();
            Helpers.CompareClose(worst, mt.Velocity(x), wrong, Helpers.Kappa(pt), Helpers.Norm(x) + 1, path.Kind);
            Assert.False(worst.Result.Passed, $"{path}: a velocity with a_t off by 1e-8 passed");
        }
    }
}
