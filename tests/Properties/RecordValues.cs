using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using ScoreSpec.Densities;
using ScoreSpec.Discrete;
using ScoreSpec.FokkerPlanck;
using ScoreSpec.Guidance;
using ScoreSpec.Likelihood;
using ScoreSpec.Losses;
using ScoreSpec.Paths;
using ScoreSpec.Processes;
using ScoreSpec.Sampling;
using ScoreSpec.Solvers;
using ScoreSpec.Statistics;
using Xunit;
using Xunit.Abstractions;

namespace ScoreSpec.Properties;

/// <summary>
/// Records are values: two records built from equal numbers in distinct arrays are equal with equal hashes, and a
/// record differing in one element of one sequence is not. A compiler-made Equals compares an ImmutableArray, a
/// dictionary or a private array by reference, so every public record that holds one must write its own.
/// </summary>
public class RecordValues(ITestOutputHelper output)
{
    private static bool HoldsASequence(Type type)
    {
        static bool IsSequence(Type t) =>
            t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() is var g &&
                (g == typeof(ImmutableArray<>) || g == typeof(ImmutableDictionary<,>) || g == typeof(IReadOnlyList<>) || g == typeof(Lazy<>)));
        return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(f => IsSequence(f.FieldType));
    }

    private static bool EqualsIsCompilerMade(Type type) =>
        type.GetMethod("Equals", [type])!.GetCustomAttribute<CompilerGeneratedAttribute>() is not null;

    [Fact]
    public void EveryPublicRecordThatHoldsASequenceHasItsOwnValueEquality()
    {
        var records = typeof(GaussianPath).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && t.GetMethod("<Clone>$") is not null).ToArray();
        // Controls: the check sees a compiler-made Equals where there is one, and sees the sequences in records that hold them.
        Assert.True(EqualsIsCompilerMade(typeof(LossEstimate)));
        Assert.True(HoldsASequence(typeof(OdeSolution)));
        Assert.True(HoldsASequence(typeof(MixtureMarginal))); // a private double[][]
        var holding = records.Where(HoldsASequence).ToArray();
        output.WriteLine($"{records.Length} public records, {holding.Length} hold sequences: {string.Join(", ", holding.Select(t => t.Name))}");
        var missing = holding.Where(EqualsIsCompilerMade).Select(t => t.FullName).ToArray();
        Assert.True(missing.Length == 0, "records comparing sequences by reference: " + string.Join(", ", missing));
    }

    private static void ValueEqual<T>(T a, T b, T different) where T : notnull
    {
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, different);
        // Printing shows the numbers, not the type name of the collection that holds them.
        string printed = a.ToString()!;
        Assert.DoesNotContain("System.Collections", printed);
        Assert.DoesNotContain("`", printed);
    }

    [Fact]
    public void RecordsPrintTheirNumbers()
    {
        Assert.Equal("OdeSolution { Final = [0.25, -1.5], Nfe = 42, AcceptedSteps = 7, RejectedSteps = 0 }", new OdeSolution(V(0.25, -1.5), 42, 7, 0).ToString());
        Assert.Equal("OrderFit { Order = 1, Intercept = 0, Steps = [1, 2, 3, 4, 5, 6, 7, 8, ... (10 in all)], Errors = [] }",
            new OrderFit(1, 0, V(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), V()).ToString());
        Assert.Equal("SamplerSettings { Numbers = { eta: 0.5, snr: 0.16 }, Words = {}, Flags = { corrector: False } }",
            (new SamplerSettings(ImmutableDictionary<string, double>.Empty.Add("snr", 0.16).Add("eta", 0.5), ImmutableDictionary<string, string>.Empty)
            { Flags = ImmutableDictionary<string, bool>.Empty.Add("corrector", false) }).ToString());
        Assert.Contains("Weights = [0.5, 0.5], Components = [Gaussian { Dimension = 1, Mean = [-1], Variances = [0.09] }",
            GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [1.0]], [0.3, 0.3]).ToString());
    }

    private static ImmutableArray<double> V(params double[] values) => [.. values];

    [Fact]
    public void RecordsBuiltFromEqualNumbersAreEqual()
    {
        VectorField field = (t, x, dx) => dx[0] = -x[0];
        ValueEqual(new OdeProblem(field, V(1, 2), 0, 1), new OdeProblem(field, V(1, 2), 0, 1), new OdeProblem(field, V(1, 3), 0, 1));
        ValueEqual(new OdeSolution(V(1, 2), 5, 4, 0), new OdeSolution(V(1, 2), 5, 4, 0), new OdeSolution(V(1, 2.5), 5, 4, 0));
        ValueEqual(new SdeSolution(V(1), 5), new SdeSolution(V(1), 5), new SdeSolution(V(-1), 5));
        ValueEqual(new OrderFit(1, 0, V(8, 16), V(0.1, 0.05)), new OrderFit(1, 0, V(8, 16), V(0.1, 0.05)), new OrderFit(1, 0, V(8, 16), V(0.1, 0.06)));
        ValueEqual(new DdpmSchedule([0.1, 0.2]), new DdpmSchedule([0.1, 0.2]), new DdpmSchedule([0.1, 0.3]));
        var mixture = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [1.0]], [0.3, 0.3]);
        var same = GaussianMixture.Isotropic([0.5, 0.5], [[-1.0], [1.0]], [0.3, 0.3]);
        ValueEqual(new LabeledMixture(mixture, [0, 1]), new LabeledMixture(same, [0, 1]), new LabeledMixture(mixture, [1, 0]));
        ValueEqual(mixture.Along(GaussianPath.Vp, 0.3), same.Along(GaussianPath.Vp, 0.3), mixture.Along(GaussianPath.Vp, 0.31));
        var grid = new Grid1D(-1, 1, 4);
        ValueEqual(new FokkerPlanck1DSolution(grid, V(1, 2, 3, 4), 1), new FokkerPlanck1DSolution(grid, V(1, 2, 3, 4), 1), new FokkerPlanck1DSolution(grid, V(1, 2, 3, 5), 1));
        ValueEqual(new LikelihoodResult(-1, -1, 10, 2, V(0.5), -0.9), new LikelihoodResult(-1, -1, 10, 2, V(0.5), -0.9), new LikelihoodResult(-1, -1, 10, 2, V(0.6), -0.9));
        ValueEqual(new LossSample(0.5, V(1), V(2), V(3), GaussianPath.Vp.At(0.5)), new LossSample(0.5, V(1), V(2), V(3), GaussianPath.Vp.At(0.5)), new LossSample(0.5, V(1), V(2.5), V(3), GaussianPath.Vp.At(0.5)));
        ValueEqual(new TimeGrid.Explicit([0.9, 0.5, 0.1]), new TimeGrid.Explicit([0.9, 0.5, 0.1]), new TimeGrid.Explicit([0.9, 0.4, 0.1]));
        var settings = new SamplerSettings(ImmutableDictionary<string, double>.Empty.Add("snr", 0.16).Add("steps", 1), ImmutableDictionary<string, string>.Empty.Add("variant", "score-sde"));
        var rebuilt = new SamplerSettings(settings.Numbers.ToImmutableDictionary(), settings.Words.ToImmutableDictionary());
        ValueEqual(settings, rebuilt, settings with { Numbers = settings.Numbers.SetItem("snr", 0.2) });
        var words = new SamplerOption.Word("method", "rk4", ["euler", "rk4"]);
        ValueEqual(words, new SamplerOption.Word("method", "rk4", ["euler", "rk4"]), new SamplerOption.Word("method", "rk4", ["heun", "rk4"]));
        var e = new Ensemble(1, 2, [1.0, 2.0]);
        ValueEqual(new Trajectory(V(0.9, 0.1), [e, e]), new Trajectory(V(0.9, 0.1), [e, new Ensemble(1, 2, [1.0, 2.0])]), new Trajectory(V(0.9, 0.2), [e, e]));
    }
}
