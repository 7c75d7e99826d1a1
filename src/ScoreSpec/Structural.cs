using System.Collections.Immutable;

namespace ScoreSpec;

/// <summary>
/// Value equality for the records that hold sequences. <see cref="ImmutableArray{T}"/> compares by the reference of its
/// backing array, so a record's compiler-made Equals would call two copies of the same numbers different; each such
/// record overrides Equals and GetHashCode with these, element by element (double.Equals: NaN equals NaN, 0 equals -0).
/// </summary>
internal static class Structural
{
    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        a.IsDefault || b.IsDefault ? a.IsDefault && b.IsDefault : a.AsSpan().SequenceEqual(b.AsSpan());

    public static bool Same<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b));

    public static bool Same<TKey, TValue>(ImmutableDictionary<TKey, TValue> a, ImmutableDictionary<TKey, TValue> b) where TKey : notnull =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Count == b.Count &&
            a.All(kv => b.TryGetValue(kv.Key, out var v) && EqualityComparer<TValue>.Default.Equals(kv.Value, v)));

    public static void Add<T>(ref HashCode hash, ImmutableArray<T> a)
    {
        if (a.IsDefault) { hash.Add(-1); return; }
        hash.Add(a.Length);
        foreach (var v in a) hash.Add(v);
    }

    public static void Add<T>(ref HashCode hash, IReadOnlyList<T> a)
    {
        hash.Add(a?.Count ?? -1);
        if (a is not null) foreach (var v in a) hash.Add(v);
    }

    /// <summary>Order-independent: the sum of the entries' hashes.</summary>
    public static void Add<TKey, TValue>(ref HashCode hash, ImmutableDictionary<TKey, TValue> a) where TKey : notnull
    {
        hash.Add(a?.Count ?? -1);
        if (a is null) return;
        int sum = 0;
        foreach (var kv in a) sum += HashCode.Combine(kv.Key, kv.Value);
        hash.Add(sum);
    }
}
