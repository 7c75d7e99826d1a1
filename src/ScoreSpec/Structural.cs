using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace ScoreSpec;

/// <summary>A record whose value is the list of its members, compared by <see cref="Structural"/>.</summary>
internal interface IStructural
{
    /// <summary>Every member that makes up the value, sequences included as they are.</summary>
    object?[] Members { get; }
}

/// <summary>
/// Value equality for the records that hold sequences. An ImmutableArray compares by the reference of its backing array,
/// so a record's compiler-made Equals would call two copies of the same numbers different. Such a record lists its
/// members (<see cref="IStructural"/>) and delegates Equals and GetHashCode here: sequences element by element,
/// dictionaries entry by entry in any order, everything else by its own Equals (double.Equals: NaN equals NaN, 0
/// equals -0). The hash sees every element.
/// </summary>
internal static class Structural
{
    public static bool Equal<T>(T self, T? other) where T : class, IStructural =>
        ReferenceEquals(self, other) || (other is not null && Same(self.Members, other.Members));

    public static int Hash(IStructural self) => HashOf(self.Members);

    private static bool Same(object? a, object? b)
    {
        if (a is IDictionary da && b is IDictionary db)
        {
            if (da.Count != db.Count) return false;
            foreach (DictionaryEntry e in da)
                if (!db.Contains(e.Key) || !Same(e.Value, db[e.Key])) return false;
            return true;
        }
        if (a is IEnumerable ea && b is IEnumerable eb && a is not string && b is not string)
        {
            if (IsDefaultArray(a) || IsDefaultArray(b)) return IsDefaultArray(a) && IsDefaultArray(b);
            var ia = ea.GetEnumerator();
            var ib = eb.GetEnumerator();
            while (true)
            {
                bool more = ia.MoveNext();
                if (more != ib.MoveNext()) return false;
                if (!more) return true;
                if (!Same(ia.Current, ib.Current)) return false;
            }
        }
        return Equals(a, b);
    }

    private static int HashOf(object? a)
    {
        if (a is IDictionary d)
        {
            int sum = 0; // order-independent
            foreach (DictionaryEntry e in d) sum += HashCode.Combine(e.Key, HashOf(e.Value));
            return HashCode.Combine(d.Count, sum);
        }
        if (a is IEnumerable e2 && a is not string)
        {
            if (IsDefaultArray(a)) return -1;
            var hash = new HashCode();
            foreach (var v in e2) hash.Add(HashOf(v));
            return hash.ToHashCode();
        }
        return a?.GetHashCode() ?? 0;
    }

    /// <summary>A default ImmutableArray throws when enumerated; it equals only another default one.</summary>
    private static bool IsDefaultArray(object a) =>
        a.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>) &&
        (bool)t.GetProperty("IsDefault")!.GetValue(a)!;

    /// <summary>
    /// The printing of a record's public properties (what the compiler's printer lists) with sequences written out:
    /// <c>OdeSolution { Final = [0.25, -1.5], Nfe = 42, ... }</c> rather than the type name of an ImmutableArray. At most 8
    /// elements of a sequence are written, then the count; dictionaries by sorted key; functions as &lt;function&gt;.
    /// </summary>
    public static bool Print(object record, StringBuilder builder)
    {
        bool first = true;
        foreach (var p in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            if (!first) builder.Append(", ");
            first = false;
            builder.Append(p.Name).Append(" = ");
            Format(p.GetValue(record), builder);
        }
        return !first;
    }

    private static void Format(object? value, StringBuilder builder)
    {
        switch (value)
        {
            case null: builder.Append("null"); return;
            case string s: builder.Append(s); return;
            case double d: builder.Append(d.ToString(CultureInfo.InvariantCulture)); return;
            case Delegate: builder.Append("<function>"); return;
            case IDictionary d:
                builder.Append('{');
                bool firstEntry = true;
                var entries = new List<DictionaryEntry>();
                foreach (DictionaryEntry entry in d) entries.Add(entry); // the IDictionary enumerator: DictionaryEntry, not KeyValuePair
                foreach (var e in entries.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal))
                {
                    builder.Append(firstEntry ? " " : ", ").Append(e.Key).Append(": ");
                    Format(e.Value, builder);
                    firstEntry = false;
                }
                builder.Append(firstEntry ? "}" : " }");
                return;
            case IEnumerable e when !IsDefaultArray(value):
                builder.Append('[');
                int count = 0;
                foreach (var v in e)
                {
                    if (count < 8)
                    {
                        if (count > 0) builder.Append(", ");
                        Format(v, builder);
                    }
                    count++;
                }
                if (count > 8) builder.Append($", ... ({count} in all)");
                builder.Append(']');
                return;
            case IEnumerable: builder.Append("default"); return;
            case IFormattable f: builder.Append(f.ToString(null, CultureInfo.InvariantCulture)); return;
            default: builder.Append(value); return;
        }
    }
}
