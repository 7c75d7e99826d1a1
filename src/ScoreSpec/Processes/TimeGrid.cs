using System.Collections.Immutable;
using ScoreSpec.Paths;

namespace ScoreSpec.Processes;

/// <summary>
/// A time grid t_0, ..., t_N of a path, from the start time to the end time, strictly monotone and inside (0, 1): the
/// points where a sampler evaluates the score and steps. Four kinds, each a value:
/// <see cref="Uniform"/> in t; <see cref="Karras"/> (EDM, Karras et al. 2022), uniform in sigma^(1/rho) with
/// sigma = sigma_t / alpha_t; <see cref="UniformLogSnr"/>, uniform in lambda = log(alpha_t^2 / sigma_t^2)
/// (DPM-Solver, Lu et al. 2022); and <see cref="Explicit"/>, a list of times. Karras and log-SNR grids place their
/// interior points through <see cref="GaussianPath.TimeOfLogSnr"/>, so they depend on the path; the end points are
/// the requested times exactly. shared/seeds/003 ("Sampling"), shared/seeds/004 (the EDM and DPM-Solver samplers).
/// </summary>
public abstract record TimeGrid
{
    private TimeGrid() { }

    /// <summary>The number of steps N (the grid has N + 1 points).</summary>
    public abstract int Steps { get; init; }

    /// <summary>The first time t_0.</summary>
    public abstract double Start { get; init; }

    /// <summary>The last time t_N.</summary>
    public abstract double End { get; init; }

    /// <summary>The same kind of grid between the same ends with <paramref name="steps"/> steps (for F#, which has no <c>with</c> on C# records); an explicit grid cannot be refined and throws.</summary>
    /// <param name="steps">The new number of steps, at least 1.</param>
    public TimeGrid WithSteps(int steps) => this is Explicit
        ? throw new ArgumentException("an explicit grid has no step count to change; build a new one from its times.", nameof(steps))
        : With(steps: steps);

    /// <summary>
    /// A copy with the given members changed, the others kept: from F#, <c>grid.With(steps = 40)</c> or
    /// <c>grid.With(start = 0.999, ``end`` = 0.001)</c> (F# has no <c>with</c> for C# records). An explicit grid takes its ends
    /// and steps from its times and throws.
    /// </summary>
    /// <param name="start">The new first time, or null to keep it.</param>
    /// <param name="end">The new last time, or null to keep it.</param>
    /// <param name="steps">The new number of steps, or null to keep it.</param>
    public TimeGrid With(double? start = null, double? end = null, int? steps = null) => this switch
    {
        Uniform u => u with { Start = start ?? u.Start, End = end ?? u.End, Steps = steps ?? u.Steps },
        Karras k => k with { Start = start ?? k.Start, End = end ?? k.End, Steps = steps ?? k.Steps },
        UniformLogSnr l => l with { Start = start ?? l.Start, End = end ?? l.End, Steps = steps ?? l.Steps },
        _ => start is null && end is null && steps is null ? this
            : throw new ArgumentException("an explicit grid takes its ends and steps from its times; build a new one.", start is not null ? nameof(start) : end is not null ? nameof(end) : nameof(steps)),
    };

    /// <summary>
    /// Exhaustive case analysis: calls the function for this grid's kind. From F# the compiler then checks that every
    /// kind is handled, which a type test with a wildcard cannot.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="uniform">For <see cref="Uniform"/>.</param>
    /// <param name="karras">For <see cref="Karras"/>.</param>
    /// <param name="uniformLogSnr">For <see cref="UniformLogSnr"/>.</param>
    /// <param name="explicitTimes">For <see cref="Explicit"/>.</param>
    public T Match<T>(Func<Uniform, T> uniform, Func<Karras, T> karras, Func<UniformLogSnr, T> uniformLogSnr, Func<Explicit, T> explicitTimes)
    {
        Guard.Function(uniform, nameof(uniform)); Guard.Function(karras, nameof(karras));
        Guard.Function(uniformLogSnr, nameof(uniformLogSnr)); Guard.Function(explicitTimes, nameof(explicitTimes));
        return this switch
        {
            Uniform u => uniform(u),
            Karras k => karras(k),
            UniformLogSnr l => uniformLogSnr(l),
            Explicit e => explicitTimes(e),
            _ => throw new InvalidOperationException("unreachable: TimeGrid has four cases."),
        };
    }

    /// <summary>The N + 1 times t_0 .. t_N on <paramref name="path"/> (which only Karras and log-SNR grids need).</summary>
    /// <param name="path">The path whose log-SNR places the points of a Karras or log-SNR grid.</param>
    public ImmutableArray<double> Times(GaussianPath path) => ImmutableArray.Create(TimesArray(path));

    /// <summary>The times as a fresh array, validated: strictly monotone, inside (0, 1).</summary>
    internal double[] TimesArray(GaussianPath path)
    {
        if (path is null) throw new ArgumentException("path must not be null.", nameof(path));
        var times = Compute(path);
        for (int i = 0; i < times.Length; i++)
        {
            if (!(times[i] > 0 && times[i] < 1)) throw new ArgumentException($"grid time {i} is {times[i]:R}, outside (0, 1).", "grid");
            if (i > 0 && !(Math.Sign(times[i] - times[i - 1]) == Math.Sign(End - Start)))
                throw new ArgumentException($"grid times must be strictly monotone; t_{i - 1} = {times[i - 1]:R}, t_{i} = {times[i]:R}.", "grid");
        }
        return times;
    }

    private protected abstract double[] Compute(GaussianPath path);

    /// <summary>The signed steps h_k = t_{k+1} - t_k of <paramref name="times"/>; the uniform grid's are all (End - Start) / N.</summary>
    internal virtual double[] StepSizes(double[] times) => Differences(times);

    /// <summary>t_{k+1} - t_k for any list of times.</summary>
    internal static double[] Differences(double[] times) => Enumerable.Range(0, times.Length - 1).Select(k => times[k + 1] - times[k]).ToArray();

    private static void CheckEnds(double start, double end, int steps)
    {
        Guard.OpenUnit(start, "Start");
        Guard.OpenUnit(end, "End");
        if (start == end) throw new ArgumentException($"End must differ from Start, both are {start:R}.", "End");
        if (steps < 1) throw new ArgumentException($"Steps must be at least 1, got {steps}.", "Steps");
    }

    /// <summary>Equal steps in t: t_k = Start + k (End - Start) / N, with t_N = End exactly.</summary>
    /// <param name="Start">t_0, in (0, 1).</param>
    /// <param name="End">t_N, in (0, 1).</param>
    /// <param name="Steps">N &gt;= 1.</param>
    public sealed record Uniform(double Start, double End, int Steps) : TimeGrid
    {
        private protected override double[] Compute(GaussianPath path)
        {
            CheckEnds(Start, End, Steps);
            double h = (End - Start) / Steps;
            return Enumerable.Range(0, Steps + 1).Select(k => k == Steps ? End : Start + k * h).ToArray();
        }

        /// <summary>Every step is h = (End - Start) / N exactly (the last grid point is End itself).</summary>
        internal override double[] StepSizes(double[] times) => Enumerable.Repeat((End - Start) / Steps, Steps).ToArray();
    }

    /// <summary>
    /// Karras et al. (2022, eq. 5): with sigma = sigma_t / alpha_t = exp(-lambda / 2), the points are
    /// sigma_k = (sigma_0^(1/rho) + k / N (sigma_N^(1/rho) - sigma_0^(1/rho)))^rho, and t_k the time of sigma_k on the path;
    /// rho = 7 crowds the steps near the data end. rho = 1 is uniform in sigma_t / alpha_t.
    /// </summary>
    /// <param name="Start">t_0, in (0, 1).</param>
    /// <param name="End">t_N, in (0, 1).</param>
    /// <param name="Steps">N &gt;= 1.</param>
    /// <param name="Rho">rho &gt; 0 (7 in EDM).</param>
    public sealed record Karras(double Start, double End, int Steps, double Rho = 7) : TimeGrid
    {
        private protected override double[] Compute(GaussianPath path)
        {
            CheckEnds(Start, End, Steps);
            if (!(Rho > 0) || !double.IsFinite(Rho)) throw new ArgumentException($"Rho must be positive and finite, got {Rho}.", "Rho");
            // sigma^(1/rho) = exp(-lambda / (2 rho)); interpolate it linearly and map back through lambda.
            double a = Math.Exp(-path.LogSnr(Start) / (2 * Rho)), b = Math.Exp(-path.LogSnr(End) / (2 * Rho));
            var times = new double[Steps + 1];
            times[0] = Start; times[Steps] = End;
            for (int k = 1; k < Steps; k++)
            {
                double root = a + (double)k / Steps * (b - a);
                times[k] = path.TimeOfLogSnr(-2 * Rho * Math.Log(root));
            }
            return times;
        }
    }

    /// <summary>Equal steps in lambda = log(alpha_t^2 / sigma_t^2): lambda_k = lambda_0 + k / N (lambda_N - lambda_0), DPM-Solver's grid.</summary>
    /// <param name="Start">t_0, in (0, 1).</param>
    /// <param name="End">t_N, in (0, 1).</param>
    /// <param name="Steps">N &gt;= 1.</param>
    public sealed record UniformLogSnr(double Start, double End, int Steps) : TimeGrid
    {
        private protected override double[] Compute(GaussianPath path)
        {
            CheckEnds(Start, End, Steps);
            double l0 = path.LogSnr(Start), l1 = path.LogSnr(End);
            var times = new double[Steps + 1];
            times[0] = Start; times[Steps] = End;
            for (int k = 1; k < Steps; k++) times[k] = path.TimeOfLogSnr(l0 + (double)k / Steps * (l1 - l0));
            return times;
        }
    }

    /// <summary>A given list of at least two times, strictly monotone, inside (0, 1). The list is copied.</summary>
    public sealed record Explicit : TimeGrid
    {
        private readonly double[] times;

        /// <summary>The grid through <paramref name="times"/>.</summary>
        /// <param name="times">t_0 .. t_N, N &gt;= 1.</param>
        public Explicit(IEnumerable<double> times)
        {
            this.times = (times ?? throw new ArgumentException("times must not be null.", nameof(times))).ToArray();
            if (this.times.Length < 2) throw new ArgumentException($"times must hold at least two points, got {this.times.Length}.", nameof(times));
            for (int i = 0; i < this.times.Length; i++)
            {
                Guard.OpenUnit(this.times[i], nameof(times));
                if (i > 0 && !(Math.Sign(this.times[i] - this.times[i - 1]) == Math.Sign(this.times[1] - this.times[0]) && this.times[i] != this.times[i - 1]))
                    throw new ArgumentException($"times must be strictly monotone; t_{i - 1} = {this.times[i - 1]:R}, t_{i} = {this.times[i]:R}.", nameof(times));
            }
        }

        /// <summary>The times, read-only.</summary>
        public ImmutableArray<double> Points => ImmutableArray.Create(times);
        /// <inheritdoc/>
        public override double Start { get => times[0]; init => throw Fixed(); }
        /// <inheritdoc/>
        public override double End { get => times[^1]; init => throw Fixed(); }
        /// <inheritdoc/>
        public override int Steps { get => times.Length - 1; init => throw Fixed(); }

        private static ArgumentException Fixed() => new("an explicit grid takes its ends and steps from its times; build a new one.", "times");

        private protected override double[] Compute(GaussianPath path) => (double[])times.Clone();

        /// <summary>Equal when the times are equal, element by element.</summary>
        public bool Equals(Explicit? other) => other is not null && times.AsSpan().SequenceEqual(other.times);

        /// <inheritdoc/>
        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (double t in times) hash.Add(t);
            return hash.ToHashCode();
        }

        /// <summary>The times, e.g. <c>Explicit { Points = [0.9, 0.5, 0.1] }</c>.</summary>
        protected override bool PrintMembers(System.Text.StringBuilder builder)
        {
            builder.Append("Points = [").AppendJoin(", ", times.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture))).Append(']');
            return true;
        }
    }
}
