using ScoreSpec.Identities;
using ScoreSpec.Paths;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// GaussianPath.TimeOfLogSnr inverts the log-SNR: the closed form of each kind and the generic root finder (MathNet's
/// Brent on LogSnr(t) - lambda, no closed form involved) both return the time the log-SNR was computed from, to the
/// accuracy the problem allows. That accuracy is the conditioning of lambda(t): lambda = LogSnr(t) carries a rounding
/// error of order eps (|lambda| + 1), which moves the root by that over |lambda'(t)|, with lambda' = 2 (alphadot/alpha -
/// sigmadot/sigma) from the paths' closed-form derivatives; plus the rounding of t itself. The bound asserted is 16 eps
/// ((|lambda| + 1) / |lambda'(t)| + t) (the worst measured is 1.5 of these units), plus Brent's absolute x-accuracy of
/// 1e-16 for the root finder. t runs from 1e-12 to 1 - 1e-9.
/// </summary>
public class LogSnrInverse(ITestOutputHelper output)
{
    private const double Eps = 2.220446049250313e-16;
    private static readonly double[] Times = [1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9];

    public static TheoryData<string> Kinds => new(RandomInstances.Kinds);

    private static double Bound(GaussianPath path, double t)
    {
        double lambda = path.LogSnr(t), slope = 2 * (path.AlphaDot(t) / path.Alpha(t) - path.SigmaDot(t) / path.Sigma(t));
        return 16 * Eps * ((Math.Abs(lambda) + 1) / Math.Abs(slope) + t);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void ClosedFormAndRootFinderReturnTheTime(string kind)
    {
        var rng = new Random(kind.Length * 7919 + 3);
        double worstClosed = 0, worstRoot = 0;
        foreach (var path in Enumerable.Range(0, 20).Select(_ => RandomInstances.Path(rng, kind)).Append(GaussianPath.All.First(p => p.Kind == kind)))
            foreach (double t in Times)
            {
                double lambda = path.LogSnr(t), bound = Bound(path, t);
                double closed = path.TimeOfLogSnr(lambda), root = path.TimeOfLogSnrByRootFinding(lambda);
                worstClosed = Math.Max(worstClosed, Math.Abs(closed - t) / bound);
                worstRoot = Math.Max(worstRoot, Math.Abs(root - t) / (bound + 1e-16));
                Assert.True(Math.Abs(closed - t) <= bound, $"{path} t={t:R} lambda={lambda:R}: closed form {closed:R}");
                Assert.True(Math.Abs(root - t) <= bound + 1e-16, $"{path} t={t:R} lambda={lambda:R}: root finder {root:R}");
            }
        output.WriteLine($"{kind}: worst error of the closed form {worstClosed * 16:G3} and of the root finder {worstRoot * 16:G3} in units of eps ((|lambda| + 1) / |lambda'| + t)");
    }

    [Theory, MemberData(nameof(Kinds))]
    public void TheSnrInverseIsTheLogSnrInverse(string kind)
    {
        var path = GaussianPath.All.First(p => p.Kind == kind);
        foreach (double t in new[] { 0.05, 0.4, 0.8 })
            Assert.Equal(path.TimeOfLogSnr(Math.Log(path.Snr(t))), path.TimeOfSnr(path.Snr(t)));
    }

    [Fact]
    public void LambdaOutsideThePathsRangeIsRefusedNamingIt()
    {
        // VP's log-SNR falls from +infinity at t = 0 to about -10 at t = 1; VE's runs between -2 log sigma_max and
        // -2 log sigma_min; condot's and cosine's cover every real number.
        foreach (var (path, lambda) in new (GaussianPath, double)[] { (GaussianPath.Vp, -20), (GaussianPath.Ve, 10), (GaussianPath.Ve, -8), (GaussianPath.SubVp, -30) })
        {
            var ex = Assert.Throws<ArgumentException>(() => path.TimeOfLogSnr(lambda));
            Assert.Equal("lambda", ex.ParamName);
            Assert.True(double.IsNaN(path.TimeOfLogSnrByRootFinding(lambda)), $"{path}: the root finder found a root for {lambda}");
        }
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => GaussianPath.CondOt.TimeOfLogSnr(double.NaN)).ParamName);
        Assert.Equal("snr", Assert.Throws<ArgumentException>(() => GaussianPath.CondOt.TimeOfSnr(0)).ParamName);
        Assert.Equal(0.5, GaussianPath.CondOt.TimeOfLogSnr(0)); // alpha = sigma at t = 1/2 exactly
    }
}
