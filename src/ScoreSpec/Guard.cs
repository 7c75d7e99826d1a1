namespace ScoreSpec;

/// <summary>
/// Argument checks shared by every public entry point. Each throws an <see cref="ArgumentException"/>
/// that names the parameter and the rule it broke, so that no NaN or infinity leaks out silently.
/// </summary>
internal static class Guard
{
    public static double Finite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{name} must be a finite number, got {value}.", name);
        return value;
    }

    public static double Positive(double value, string name)
    {
        Finite(value, name);
        if (value <= 0)
            throw new ArgumentException($"{name} must be positive, got {value}.", name);
        return value;
    }

    public static double NonNegative(double value, string name)
    {
        Finite(value, name);
        if (value < 0)
            throw new ArgumentException($"{name} must be non-negative, got {value}.", name);
        return value;
    }

    /// <summary>Throws when a function argument is null.</summary>
    public static void Function(Delegate? function, string name)
    {
        if (function is null) throw new ArgumentException($"{name} must not be null.", name);
    }

    /// <summary>Time must lie strictly inside (0, 1): at the ends alpha or sigma vanishes and scores or Proposition 1 coefficients are infinite.</summary>
    public static double OpenUnit(double t, string name = "t")
    {
        if (double.IsNaN(t) || t <= 0 || t >= 1)
            throw new ArgumentException($"{name} must lie strictly inside (0, 1), got {t}.", name);
        return t;
    }

    public static T[] NotNull<T>(T[]? array, string name)
        => array ?? throw new ArgumentException($"{name} must not be null.", name);

    public static double[] FiniteVector(double[]? x, int dimension, string name)
    {
        NotNull(x, name);
        if (x!.Length != dimension)
            throw new ArgumentException($"{name} must have dimension {dimension}, got {x.Length}.", name);
        for (int i = 0; i < x.Length; i++)
            if (!double.IsFinite(x[i]))
                throw new ArgumentException($"{name}[{i}] must be finite, got {x[i]}.", name);
        return x;
    }

    public static void FiniteVector(ReadOnlySpan<double> x, int dimension, string name)
    {
        if (x.Length != dimension)
            throw new ArgumentException($"{name} must have dimension {dimension}, got {x.Length}.", name);
        for (int i = 0; i < x.Length; i++)
            if (!double.IsFinite(x[i]))
                throw new ArgumentException($"{name}[{i}] must be finite, got {x[i]}.", name);
    }

    /// <summary>A finite initial state from an immutable array, as a fresh working copy; names the parameter when it is default or not finite.</summary>
    public static double[] Initial(System.Collections.Immutable.ImmutableArray<double> x, string name)
    {
        if (x.IsDefault) throw new ArgumentException($"{name} must not be null.", name);
        FiniteVector(x.AsSpan(), x.Length, name);
        return x.ToArray();
    }

    /// <summary>Wraps a buffer that nobody else holds as an immutable array, without copying.</summary>
    public static System.Collections.Immutable.ImmutableArray<double> Own(double[] buffer) => System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(buffer);
}
