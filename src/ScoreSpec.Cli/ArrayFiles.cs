using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScoreSpec.Cli;

/// <summary>
/// The request field <c>"arrays": {"dir": DIR, "format": "npy" | "csv"}</c> of eval, likelihood and sample: every array of
/// the answer is also written to DIR/NAME.npy (NumPy's format 1.0, little-endian float64, or int64 for counts) or
/// DIR/NAME.csv, and the answer gains <c>"files": {NAME: path}</c>. The numbers in the files are the doubles of the JSON
/// answer, bit for bit. sample also writes its final points as <c>samples</c> (n x d), which the JSON does not carry.
/// </summary>
internal sealed class ArrayFiles
{
    private readonly List<(string Name, double[] Values, int[] Shape, bool Integer)> extra = [];

    private ArrayFiles(string dir, string format)
    {
        Dir = dir;
        Format = format;
    }

    /// <summary>The folder the files go to (created if missing).</summary>
    public string Dir { get; }

    /// <summary>"npy" or "csv".</summary>
    public string Format { get; }

    /// <summary>Reads <c>arrays</c> from the request, or null when absent.</summary>
    public static ArrayFiles? Read(Fields request)
    {
        if (!request.TryGet("arrays", out _)) return null;
        var o = request.Object("arrays");
        if (!o.TryGet("dir", out var dir) || dir.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(dir.GetString()))
            throw new RequestException("arrays.dir", "is required: the folder for the array files (created if missing)");
        string format = o.Word("format", "npy", "npy", "csv");
        return new ArrayFiles(dir.GetString()!, format);
    }

    /// <summary>An array that the JSON answer does not carry (sample's final points), written beside the others.</summary>
    public void Add(string name, double[] values, params int[] shape) => extra.Add((name, values, shape, false));

    /// <summary>
    /// Writes every numeric array at the top level of <paramref name="answer"/> and every added one, and returns the
    /// answer with the "files" object appended.
    /// </summary>
    public byte[] WriteAll(byte[] answer)
    {
        using var doc = JsonDocument.Parse(answer);
        var arrays = new List<(string Name, double[] Values, int[] Shape, bool Integer)>();
        foreach (var p in doc.RootElement.EnumerateObject())
            if (p.Value.ValueKind == JsonValueKind.Array && Rectangular(p.Value) is { } shape)
            {
                var values = new List<double>();
                bool integer = true;
                Flatten(p.Value, values, ref integer);
                arrays.Add((p.Name, values.ToArray(), shape, integer));
            }
        arrays.AddRange(extra);
        var files = new List<(string Name, string File)>();
        try
        {
            Directory.CreateDirectory(Dir);
            foreach (var (name, values, shape, integer) in arrays)
            {
                string file = System.IO.Path.Combine(Dir, $"{name}.{Format}");
                if (Format == "npy") WriteNpy(file, values, shape, integer);
                else WriteCsv(file, values, shape, integer);
                files.Add((name, file));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new RequestException("arrays.dir", $"cannot be written: {ex.Message}");
        }
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var p in doc.RootElement.EnumerateObject()) p.WriteTo(w);
            w.WriteStartObject("files");
            foreach (var (name, file) in files) w.WriteString(name, file);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>The shape of a nested array of numbers with equal lengths at each depth, or null for anything else.</summary>
    private static int[]? Rectangular(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number) return [];
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0) return null;
        int[]? inner = null;
        foreach (var item in e.EnumerateArray())
        {
            var s = Rectangular(item);
            if (s is null || (inner is not null && !s.SequenceEqual(inner))) return null;
            inner = s;
        }
        return [e.GetArrayLength(), .. inner!];
    }

    private static void Flatten(JsonElement e, List<double> into, ref bool integer)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            into.Add(e.GetDouble());
            if (!e.TryGetInt64(out _)) integer = false;
            return;
        }
        foreach (var item in e.EnumerateArray()) Flatten(item, into, ref integer);
    }

    /// <summary>
    /// NumPy's .npy format 1.0: the magic string, version 1.0, a little-endian 2-byte header length, a Python dict literal
    /// padded with spaces and a newline so that the data starts at a multiple of 64 bytes, then the data in C order.
    /// </summary>
    internal static void WriteNpy(string file, double[] values, int[] shape, bool integer)
    {
        string dims = shape.Length switch { 0 => "()", 1 => $"({shape[0]},)", _ => $"({string.Join(", ", shape)})" };
        string header = $"{{'descr': '{(integer ? "<i8" : "<f8")}', 'fortran_order': False, 'shape': {dims}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var stream = File.Create(file);
        using var w = new BinaryWriter(stream);
        w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        w.Write((ushort)header.Length); // BinaryWriter writes little-endian
        w.Write(Encoding.ASCII.GetBytes(header));
        foreach (double v in values)
        {
            if (integer) w.Write((long)v);
            else w.Write(v == 0 ? 0.0 : v);
        }
    }

    /// <summary>
    /// Reads a .npy file (format 1.0, 2.0 or 3.0) of little-endian float64, float32, int64 or int32 in C order, as
    /// doubles with its shape. Throws <see cref="InvalidDataException"/> for anything else.
    /// </summary>
    internal static (double[] Values, int[] Shape) ReadNpy(string file)
    {
        using var stream = File.OpenRead(file);
        using var r = new BinaryReader(stream);
        var magic = r.ReadBytes(8);
        if (magic.Length < 8 || magic[0] != 0x93 || Encoding.ASCII.GetString(magic, 1, 5) != "NUMPY")
            throw new InvalidDataException("no NumPy magic string: not a .npy file");
        int headerLength = magic[6] == 1 ? r.ReadUInt16() : (int)r.ReadUInt32();
        string header = Encoding.ASCII.GetString(r.ReadBytes(headerLength));
        string descr = System.Text.RegularExpressions.Regex.Match(header, @"'descr':\s*'([^']*)'").Groups[1].Value;
        if (System.Text.RegularExpressions.Regex.IsMatch(header, @"'fortran_order':\s*True"))
            throw new InvalidDataException("Fortran-ordered arrays are not read; save with np.ascontiguousarray");
        var shapeText = System.Text.RegularExpressions.Regex.Match(header, @"'shape':\s*\(([^)]*)\)");
        if (!shapeText.Success) throw new InvalidDataException("the header has no shape");
        var shape = shapeText.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count > 100_000_000) throw new InvalidDataException($"holds {count} numbers; at most 1e8 are read");
        var values = new double[count];
        for (long i = 0; i < count; i++)
            values[i] = descr switch
            {
                "<f8" => r.ReadDouble(),
                "<f4" => r.ReadSingle(),
                "<i8" => r.ReadInt64(),
                "<i4" => r.ReadInt32(),
                _ => throw new InvalidDataException($"dtype '{descr}' is not read; save as float64 ('<f8')"),
            };
        return (values, shape);
    }

    /// <summary>
    /// Reads a CSV of numbers: lines starting with '#' are skipped except "# shape: a,b,c" (which reshapes the rows), a
    /// first line that is not numeric is taken as a header, and every other line is one row of equal length.
    /// </summary>
    internal static (double[] Values, int[] Shape) ReadCsv(string file)
    {
        var values = new List<double>();
        int[]? declared = null;
        int columns = -1, rows = 0, lineNumber = 0;
        foreach (var raw in File.ReadLines(file))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, @"^#\s*shape:\s*([0-9,\s]+)$");
                if (m.Success) declared = m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                continue;
            }
            var cells = line.Split(',');
            var row = new double[cells.Length];
            bool numeric = true;
            for (int j = 0; j < cells.Length && numeric; j++)
                numeric = double.TryParse(cells[j].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]);
            if (!numeric)
            {
                if (rows == 0 && columns < 0) { columns = cells.Length; continue; } // a header
                throw new InvalidDataException($"line {lineNumber} holds something that is not a number");
            }
            if (columns >= 0 && cells.Length != columns) throw new InvalidDataException($"line {lineNumber} has {cells.Length} columns, the first row {columns}");
            columns = cells.Length;
            values.AddRange(row);
            rows++;
            if (values.Count > 100_000_000) throw new InvalidDataException("holds more than 1e8 numbers");
        }
        if (rows == 0) throw new InvalidDataException("holds no rows of numbers");
        int[] shape = columns == 1 ? [rows] : [rows, columns];
        if (declared is not null)
        {
            if (declared.Aggregate(1L, (a, b) => a * b) != values.Count) throw new InvalidDataException($"its # shape line says {string.Join(",", declared)} but it holds {values.Count} numbers");
            shape = declared;
        }
        return ([.. values], shape);
    }

    /// <summary>
    /// CSV: a first line "# shape: a,b,c", then one row per index of the leading axes holding the last axis (a vector is
    /// one column); round-trip numbers. NumPy reads it with loadtxt(file, delimiter=",").reshape(shape).
    /// </summary>
    internal static void WriteCsv(string file, double[] values, int[] shape, bool integer)
    {
        using var w = new StreamWriter(file);
        w.WriteLine($"# shape: {string.Join(",", shape)}");
        int last = shape.Length <= 1 ? 1 : shape[^1];
        var line = new StringBuilder();
        for (int i = 0; i < values.Length; i += last)
        {
            line.Clear();
            for (int j = 0; j < last; j++)
            {
                if (j > 0) line.Append(',');
                double v = values[i + j];
                line.Append(integer ? ((long)v).ToString(CultureInfo.InvariantCulture) : (v == 0 ? 0.0 : v).ToString("R", CultureInfo.InvariantCulture));
            }
            w.WriteLine(line);
        }
    }
}
