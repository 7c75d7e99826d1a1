using ScoreSpec.Sampling;
using Xunit;

namespace ScoreSpec.Properties;

/// <summary>Ensembles are values: the constructor copies, nothing public can change the coordinates, equality and hashing see every coordinate.</summary>
public class EnsembleValues
{
    [Fact]
    public void EnsemblesAreImmutableValues()
    {
        var raw = new[] { 1.0, 2.0, 3.0, 4.0 };
        var e = new Ensemble(2, 2, raw);
        raw[0] = 99;
        Assert.Equal(1.0, e.Values[0]);
        var copy = e.ToArray();
        copy[1] = 99;
        Assert.Equal(2.0, e.Values[1]);
        var other = new Ensemble(2, 2, [1.0, 2.0, 3.0, 5.0]); // differs in the last coordinate only
        Assert.NotEqual(e, other);
        Assert.NotEqual(e.GetHashCode(), other.GetHashCode());
        Assert.Equal(e, Ensemble.FromRows([[1.0, 2.0], [3.0, 4.0]]));
        Assert.Equal(e.GetHashCode(), Ensemble.FromRows([[1.0, 2.0], [3.0, 4.0]]).GetHashCode());
        Assert.Equal("Ensemble { Count = 2, Dimension = 2, First = [1, 2] }", e.ToString());
        Assert.Equal([2.0, 4.0], e.Column(1));
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => new Ensemble(2, 2, [1.0])).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentException>(() => new Ensemble(0, 2, [])).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentException>(() => new Ensemble(1, 0, [])).ParamName);
    }
}
