using System.Collections.Immutable;

namespace ScoreSpec.Paths;

/// <summary>A parameter of a path kind, as the CLI reads it from a request.</summary>
/// <param name="Name">The request key (contract name).</param>
/// <param name="Default">The value when the key is absent.</param>
/// <param name="Min">The smallest value allowed.</param>
/// <param name="Max">The largest value allowed.</param>
/// <param name="OpenMin">True when Min itself is excluded.</param>
/// <param name="Why">Why the range is what it is, for the error message; empty for none.</param>
public sealed record PathParameter(string Name, double Default, double Min, double Max, bool OpenMin = false, string Why = "");

/// <summary>One path kind: its contract name, source, parameters, and how to build it and a random instance of it.</summary>
/// <param name="Name">The contract name (docs/cli.md, <c>path.kind</c>).</param>
/// <param name="Summary">One line: alpha_t and sigma_t.</param>
/// <param name="Source">Where the path is stated.</param>
/// <param name="Parameters">The parameters, in contract order.</param>
/// <param name="VariancePreserving">True when alpha_t^2 + sigma_t^2 = 1 for every t.</param>
/// <param name="Create">Builds the path from parameter values by name (absent names take the defaults).</param>
/// <param name="Random">A random instance around the defaults, for the catalog and the property tests.</param>
public sealed record PathKind(string Name, string Summary, string Source, ImmutableArray<PathParameter> Parameters, bool VariancePreserving,
    Func<IReadOnlyDictionary<string, double>, GaussianPath> Create, Func<Random, GaussianPath> Random) : IStructural
{
    /// <summary>Value equality: every member equal, sequences element by element.</summary>
    /// <param name="other">The record to compare with.</param>
    public bool Equals(PathKind? other) => Structural.Equal(this, other);
    /// <summary>A hash consistent with <see cref="Equals(PathKind)"/>.</summary>
    public override int GetHashCode() => Structural.Hash(this);
    object?[] IStructural.Members => [Name, Summary, Source, Parameters, VariancePreserving, Create, Random];
    private bool PrintMembers(System.Text.StringBuilder builder) => Structural.Print(this, builder);

    /// <summary>The path with its default parameters.</summary>
    public GaussianPath Default => Create(ImmutableDictionary<string, double>.Empty);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// Every path kind, by contract name: the one list that the CLI, the catalog and the tests enumerate. Adding a kind is
/// its file under Paths/Kinds and one entry here (docs/contributing.md).
/// </summary>
public static class PathRegistry
{
    private const string Large = "larger values leave alpha_t = 0 at every t the float grid can name";
    private const string Finite = "so that sigma^2 stays finite and positive";

    private static double Get(IReadOnlyDictionary<string, double> p, string name, double fallback) => p.TryGetValue(name, out double v) ? v : fallback;

    /// <summary>The kinds, in the order of the contract table.</summary>
    public static ImmutableArray<PathKind> All { get; } =
    [
        new("vp", "alpha = exp(-B(t)/2), sigma = sqrt(1 - alpha^2), beta(t) linear", "shared/seeds/003 'From Discrete to Continuous' (VP SDE)",
            [new("beta_min", 0.1, 0, 1e6, Why: Large), new("beta_max", 20, 0, 1e6, OpenMin: true, Why: Large)], true,
            p => new VpPath(Get(p, "beta_min", 0.1), Get(p, "beta_max", 20)),
            rng => new VpPath(0.05 + 0.25 * rng.NextDouble(), 10 + 15 * rng.NextDouble())),
        new("subvp", "alpha = exp(-B(t)/2), sigma = 1 - alpha^2", "Song et al. 2021 (sub-VP SDE); shared/seeds/003",
            [new("beta_min", 0.1, 0, 1e6, Why: Large), new("beta_max", 20, 0, 1e6, OpenMin: true, Why: Large)], false,
            p => new SubVpPath(Get(p, "beta_min", 0.1), Get(p, "beta_max", 20)),
            rng => new SubVpPath(0.05 + 0.25 * rng.NextDouble(), 10 + 15 * rng.NextDouble())),
        new("ve", "alpha = 1, sigma = sigma_min (sigma_max / sigma_min)^t", "shared/seeds/003 (VE SDE)",
            [new("sigma_min", 0.01, 1e-100, 1e100, Why: Finite), new("sigma_max", 50, 1e-100, 1e100, Why: Finite)], false,
            p => new VePath(Get(p, "sigma_min", 0.01), Get(p, "sigma_max", 50)),
            rng => new VePath(0.005 + 0.05 * rng.NextDouble(), 20 + 60 * rng.NextDouble())),
        new("cosine", "alpha = cos(pi/2 (t + s)/(1 + s)) / cos(pi/2 s/(1 + s)), sigma = sqrt(1 - alpha^2)", "Nichol and Dhariwal 2021; shared/seeds/002 Ch. 8",
            [new("s", 0.008, 0, 1000)], true,
            p => new CosinePath(Get(p, "s", 0.008)),
            rng => new CosinePath(0.001 + 0.02 * rng.NextDouble())),
        new("condot", "alpha = t, sigma = 1 - t (data at t = 1)", "shared/seeds/002 Ch. 2 (conditional optimal transport)",
            [], false, _ => GaussianPath.CondOt, _ => GaussianPath.CondOt),
        new("polynomial", "alpha = t^n, sigma = 1 - t^n (data at t = 1)", "flow matching with a polynomial schedule (docs/contributing.md)",
            [new("n", 2, 0, 100, OpenMin: true)], false,
            p => new PolynomialPath(Get(p, "n", 2)),
            rng => new PolynomialPath(1 + 2 * rng.NextDouble())),
    ];

    /// <summary>The contract names, in order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. All.Select(k => k.Name)];

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <param name="name">A contract name.</param>
    /// <exception cref="ArgumentException">No kind has that name.</exception>
    public static PathKind Get(string name)
        => All.FirstOrDefault(k => k.Name == name) ?? throw new ArgumentException($"kind must be one of {string.Join(", ", Names)}; got '{name}'.", nameof(name));
}
