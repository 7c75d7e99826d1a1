using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>
/// The time grids against their definitions computed directly in their own variable: Karras' sigma_k from the EDM
/// formula in sigma = sigma_t / alpha_t (k-diffusion's get_sigmas_karras, without its appended zero), the log-SNR grid's
/// lambda_k equally spaced, the uniform grid equal to the samplers' schedule to the bit; and their validation.
/// Tolerance 1e-12 relative: sigma(t_k) and lambda(t_k) recompute, through the path's closed forms, what the grid
/// inverted through TimeOfLogSnr (each within a few eps of the conditioning bound, see LogSnrInverse), plus, for Karras,
/// the rounding of the EDM formula itself, whose interpolation in sigma^(1/rho) rounds at the scale of the larger end.
/// </summary>
public class TimeGrids
{
    public static TheoryData<string> Kinds => new(Identities.RandomInstances.Kinds);

    private static GaussianPath PathOf(string kind) => GaussianPath.All.First(p => p.Kind == kind);

    private static (double Start, double End) Ends(GaussianPath path) => path.NoisingDirection > 0 ? (0.999, 0.002) : (0.001, 0.998);

    [Theory, MemberData(nameof(Kinds))]
    public void KarrasIsUniformInSigmaToTheOneOverRho(string kind)
    {
        var path = PathOf(kind);
        var (start, end) = Ends(path);
        foreach (double rho in new[] { 7.0, 3.0, 1.0 })
        {
            var grid = new TimeGrid.Karras(start, end, 18, rho);
            var times = grid.Times(path);
            Assert.Equal(19, times.Length);
            Assert.Equal(start, times[0]);
            Assert.Equal(end, times[^1]);
            double Sig(double t) => path.Sigma(t) / path.Alpha(t);
            double max = Sig(start), min = Sig(end);
            for (int k = 0; k <= 18; k++)
            {
                double edm = Math.Pow(Math.Pow(max, 1 / rho) + k / 18.0 * (Math.Pow(min, 1 / rho) - Math.Pow(max, 1 / rho)), rho);
                // The formula's own rounding: the interpolation in sigma^(1/rho) rounds at the scale of the larger end.
                double rounding = 4 * rho * 2.2e-16 * Math.Max(Math.Pow(max, 1 / rho), Math.Pow(min, 1 / rho)) * Math.Pow(edm, 1 - 1 / rho);
                Assert.True(Math.Abs(Sig(times[k]) - edm) <= 1e-12 * edm + rounding, $"{kind} rho={rho} k={k}: sigma(t_k) = {Sig(times[k]):R}, EDM sigma_k = {edm:R}");
            }
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void UniformLogSnrIsEquallySpacedInLambda(string kind)
    {
        var path = PathOf(kind);
        var (start, end) = Ends(path);
        var times = new TimeGrid.UniformLogSnr(start, end, 25).Times(path);
        double l0 = path.LogSnr(start), l1 = path.LogSnr(end);
        for (int k = 0; k <= 25; k++)
        {
            double want = l0 + k / 25.0 * (l1 - l0);
            Assert.True(Math.Abs(path.LogSnr(times[k]) - want) <= 1e-12 * (Math.Abs(want) + 1), $"{kind} k={k}: lambda(t_k) = {path.LogSnr(times[k]):R}, wanted {want:R}");
        }
    }

    [Fact]
    public void UniformIsTheSamplersScheduleToTheBit()
    {
        var schedule = new Schedule(0.97, 0.013, 37);
        var times = new TimeGrid.Uniform(0.97, 0.013, 37).Times(GaussianPath.Vp);
        for (int k = 0; k <= 37; k++) Assert.Equal(schedule.Time(k), times[k]);
    }

    [Fact]
    public void ExplicitGridsAreValuesAndRefuseBadLists()
    {
        var a = new TimeGrid.Explicit([0.9, 0.5, 0.1]);
        var list = new List<double> { 0.9, 0.5, 0.1 };
        var b = new TimeGrid.Explicit(list);
        list[0] = 0.95; // the grid copied the list
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new TimeGrid.Explicit([0.9, 0.5, 0.2]));
        Assert.Equal(2, a.Steps);
        Assert.Equal(0.9, a.Start);
        Assert.Equal(0.1, a.End);
        Assert.Equal("Explicit { Points = [0.9, 0.5, 0.1] }", a.ToString());
        Assert.Equal([0.9, 0.5, 0.1], a.Times(GaussianPath.Vp).ToArray());
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.5])).ParamName);
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.9, 0.5, 0.6])).ParamName);
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.5, 0.5])).ParamName);
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.5, 1.0])).ParamName);
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit(null!)).ParamName);
    }

    [Fact]
    public void GridParametersAreCheckedNamingThem()
    {
        var vp = GaussianPath.Vp;
        Assert.Equal("Steps", Assert.Throws<ArgumentException>(() => new TimeGrid.Uniform(0.9, 0.1, 0).Times(vp)).ParamName);
        Assert.Equal("Start", Assert.Throws<ArgumentException>(() => new TimeGrid.Uniform(1.0, 0.1, 5).Times(vp)).ParamName);
        Assert.Equal("End", Assert.Throws<ArgumentException>(() => new TimeGrid.UniformLogSnr(0.5, 0.5, 5).Times(vp)).ParamName);
        Assert.Equal("Rho", Assert.Throws<ArgumentException>(() => new TimeGrid.Karras(0.9, 0.1, 5, 0).Times(vp)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => new TimeGrid.Karras(0.9, 0.1, 5).Times(null!)).ParamName);
        Assert.Equal(new TimeGrid.Karras(0.9, 0.1, 5), new TimeGrid.Karras(0.9, 0.1, 5, 7));
        Assert.Equal(new TimeGrid.Karras(0.9, 0.1, 5, 3), new TimeGrid.Karras(0.9, 0.1, 5) with { Rho = 3 });
        Assert.Equal(new TimeGrid.Uniform(0.9, 0.1, 12), new TimeGrid.Uniform(0.9, 0.1, 5) with { Steps = 12 });
        Assert.Equal(new TimeGrid.UniformLogSnr(0.8, 0.1, 5), new TimeGrid.UniformLogSnr(0.9, 0.1, 5) with { Start = 0.8 });
        Assert.Equal(new TimeGrid.Karras(0.9, 0.1, 9), new TimeGrid.Karras(0.9, 0.1, 5).WithSteps(9));
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.9, 0.1]).WithSteps(3)).ParamName);
        Assert.Equal("times", Assert.Throws<ArgumentException>(() => new TimeGrid.Explicit([0.9, 0.1]) with { Start = 0.8 }).ParamName);
    }
}
