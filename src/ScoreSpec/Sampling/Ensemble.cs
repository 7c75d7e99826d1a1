namespace ScoreSpec.Sampling;

/// <summary>A score model s(t, x) ~ grad log p_t(x), written into <c>score</c>; it must be safe to call from several threads.</summary>
public delegate void ScoreFunction(double t, ReadOnlySpan<double> x, Span<double> score);

/// <summary>
/// N points in d dimensions stored contiguously, row-major: point i is Values[i d .. (i + 1) d). Immutable: the
/// constructor copies the coordinates it is given, and <see cref="Values"/> is read-only.
/// </summary>
public sealed record Ensemble
{
    private readonly double[] values;

    /// <summary>The ensemble of <paramref name="count"/> points in <paramref name="dimension"/> dimensions with coordinates <paramref name="values"/> (copied).</summary>
    /// <param name="count">N, at least 1.</param>
    /// <param name="dimension">d, at least 1.</param>
    /// <param name="values">The N d coordinates, row-major.</param>
    public Ensemble(int count, int dimension, double[] values) : this(count, dimension, Check(count, dimension, values), copy: true) { }

    private Ensemble(int count, int dimension, double[] values, bool copy)
    {
        Count = count; Dimension = dimension;
        this.values = copy ? (double[])values.Clone() : values;
    }

    private static double[] Check(int count, int dimension, double[] values)
    {
        if (count < 1) throw new ArgumentException($"count must be at least 1, got {count}.", nameof(count));
        if (dimension < 1) throw new ArgumentException($"dimension must be at least 1, got {dimension}.", nameof(dimension));
        if (values is null) throw new ArgumentException("values must not be null.", nameof(values));
        if (values.Length != (long)count * dimension) throw new ArgumentException($"values must hold count x dimension = {(long)count * dimension} numbers, got {values.Length}.", nameof(values));
        return values;
    }

    /// <summary>Takes ownership of <paramref name="values"/> without copying (for buffers nobody else holds).</summary>
    internal static Ensemble Wrap(int count, int dimension, double[] values) => new(count, dimension, Check(count, dimension, values), copy: false);

    /// <summary>N.</summary>
    public int Count { get; }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <summary>The N d coordinates, row-major, read-only.</summary>
    public ReadOnlySpan<double> Span => values;

    /// <summary>The N d coordinates, row-major, as an immutable array (no copy).</summary>
    public System.Collections.Immutable.ImmutableArray<double> Values => System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(values);

    /// <summary>A fresh copy of the coordinates, for callers that will change them.</summary>
    public double[] ToArray() => (double[])values.Clone();

    /// <summary>Point i as a fresh array.</summary>
    public double[] Row(int i) => values.AsSpan(i * Dimension, Dimension).ToArray();

    /// <summary>All points as fresh arrays.</summary>
    public double[][] Rows() => Enumerable.Range(0, Count).Select(Row).ToArray();

    /// <summary>Coordinate j of every point.</summary>
    public double[] Column(int j)
    {
        if (j < 0 || j >= Dimension) throw new ArgumentException($"j must lie in [0, {Dimension}), got {j}.", nameof(j));
        var column = new double[Count];
        for (int i = 0; i < column.Length; i++) column[i] = values[i * Dimension + j];
        return column;
    }

    /// <summary>An ensemble built from rows of equal length.</summary>
    public static Ensemble FromRows(double[][] rows)
    {
        if (rows is null || rows.Length == 0) throw new ArgumentException("rows must not be empty.", nameof(rows));
        int d = rows[0].Length;
        var v = new double[rows.Length * d];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException($"rows[{i}] has {rows[i].Length} entries, rows[0] has {d}.", nameof(rows));
            rows[i].CopyTo(v, i * d);
        }
        return Wrap(rows.Length, d, v);
    }

    /// <summary>Value equality on the shape and the coordinates, bit for bit.</summary>
    public bool Equals(Ensemble? other) => other is not null && Count == other.Count && Dimension == other.Dimension && values.AsSpan().SequenceEqual(other.values);

    /// <summary>A hash of the shape and every coordinate.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Count); h.Add(Dimension);
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return h.ToHashCode();
    }

    /// <summary>The shape and the first point, e.g. <c>Ensemble { Count = 1000, Dimension = 2, First = [0.1, -0.3] }</c>.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Count = {Count}, Dimension = {Dimension}, First = [")
               .AppendJoin(", ", Row(0).Take(8).Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))
               .Append(Dimension > 8 ? ", ...]" : "]");
        return true;
    }
}

/// <summary>A uniform time grid t_n = TStart + n (TEnd - TStart)/Steps, n = 0..Steps; TEnd &lt; TStart runs backward.</summary>
/// <param name="TStart">Where sampling starts (near the noise end).</param>
/// <param name="TEnd">Where it stops (near the data end).</param>
/// <param name="Steps">The number of steps.</param>
public sealed record Schedule(double TStart, double TEnd, int Steps)
{
    /// <summary>The step h = (TEnd - TStart)/Steps, negative when running backward.</summary>
    public double H => (TEnd - TStart) / Steps;

    /// <summary>The time of grid point n.</summary>
    public double Time(int n) => n == Steps ? TEnd : TStart + n * H;

    /// <summary>The same grid as a <see cref="Processes.TimeGrid"/> value.</summary>
    public Processes.TimeGrid.Uniform Grid => new(TStart, TEnd, Steps);

    /// <summary>
    /// From epsilon inside the noise end to epsilon inside the data end of <paramref name="path"/>, in
    /// <paramref name="steps"/> steps (shared/cli-contract.md, <c>sample</c>: epsilon 1e-3). Both ends are pulled in
    /// because every path function needs t strictly inside (0, 1).
    /// </summary>
    public static Schedule For(Paths.GaussianPath path, int steps, double epsilon = 1e-3)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        if (!(epsilon > 0 && epsilon < 0.5)) throw new ArgumentException($"epsilon must lie in (0, 0.5), got {epsilon}.", nameof(epsilon));
        return path.DataEnd == Paths.DataEnd.Zero ? new Schedule(1 - epsilon, epsilon, steps) : new Schedule(epsilon, 1 - epsilon, steps);
    }
}

/// <summary>The outcome of a sampler run.</summary>
/// <param name="Final">The ensemble at the end of the schedule.</param>
/// <param name="Evaluations">Score evaluations, summed over all paths.</param>
/// <param name="Seconds">Wall-clock time.</param>
/// <param name="AcceptanceRate">For Metropolis-adjusted Langevin, the fraction of accepted proposals; otherwise 1.</param>
public sealed record SampleResult(Ensemble Final, long Evaluations, double Seconds, double AcceptanceRate = 1)
{
    /// <summary>The ensemble at the recorded grid points of the run (empty unless recording was asked for).</summary>
    public Trajectory Trajectory { get; init; } = Trajectory.None;
}

/// <summary>
/// The ensemble of a run at chosen grid points, recorded from the run itself (the same noise as its final state):
/// <c>States[k]</c> is the ensemble at <c>Times[k]</c>.
/// </summary>
/// <param name="Times">The recorded grid times, in the order the run reached them.</param>
/// <param name="States">The ensembles at those times.</param>
public sealed record Trajectory(System.Collections.Immutable.ImmutableArray<double> Times, System.Collections.Immutable.ImmutableArray<Ensemble> States) : IStructural
{
    /// <summary>Nothing recorded.</summary>
    public static Trajectory None { get; } = new([], []);

    /// <summary>The number of recorded points.</summary>
    public int Count => Times.Length;

    /// <summary>Path i's recorded positions, one row per recorded time.</summary>
    /// <param name="i">The path index.</param>
    public double[][] PathOf(int i) => States.Select(e => e.Row(i)).ToArray();

    /// <summary>Equal when the times and the states are equal, element by element.</summary>
    /// <param name="other">The trajectory to compare with.</param>
    public bool Equals(Trajectory? other) => Structural.Equal(this, other);
    /// <summary>A hash of every time and every state.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Times, States];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);
}
