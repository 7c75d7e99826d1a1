using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ScoreSpec.Properties.Figures;

/// <summary>
/// Reads a drawn figure back from its SVG text, with no help from the code that drew it: the data area is the clip
/// rectangle of the plottables; the map from pixels to data coordinates is fitted to the tick labels (each a text element
/// whose position and number are both in the SVG); every plottable is a group clipped to the data area, holding polyline
/// paths ("M x y L x y ...") or ellipse markers. What a figure claims is then checked against the library's numbers.
/// </summary>
public sealed class SvgFigure
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public (double Left, double Top, double Right, double Bottom) DataArea { get; }
    public (double Slope, double Intercept, double Residual) XMap { get; }
    public (double Slope, double Intercept, double Residual) YMap { get; }
    /// <summary>Each plottable in drawing order: its stroke (or fill) colour, its polylines and its markers, in data coordinates.</summary>
    public IReadOnlyList<Series> Plottables { get; }
    /// <summary>Every text element outside the data area, with its pixel position.</summary>
    public IReadOnlyList<(double X, double Y, string Text)> Texts { get; }
    /// <summary>Rectangles drawn outside any clip group (the legend box among them), in pixels.</summary>
    public IReadOnlyList<(double X, double Y, double W, double H)> Rectangles { get; }

    public sealed record Series(string Colour, IReadOnlyList<(double X, double Y)[]> Lines, IReadOnlyList<(double X, double Y)> Markers);

    public SvgFigure(string file)
    {
        var doc = XDocument.Load(file);
        var clip = doc.Descendants(Svg + "clipPath").First().Element(Svg + "rect")!;
        double cx = D(clip, "x"), cy = D(clip, "y"), cw = D(clip, "width"), ch = D(clip, "height");
        DataArea = (cx, cy, cx + cw, cy + ch);

        var texts = new List<(double, double, string)>();
        foreach (var t in doc.Descendants(Svg + "text"))
        {
            var m = Regex.Match((string?)t.Attribute("transform") ?? "", @"translate\(([-\d.]+) ([-\d.]+)\)");
            if (m.Success) texts.Add((P(m.Groups[1].Value), P(m.Groups[2].Value), t.Value.Trim()));
        }
        Texts = texts;
        // Tick labels: numbers below the data area (x axis) or left of it (y axis).
        var xTicks = texts.Where(t => t.Item2 > DataArea.Bottom && t.Item2 < DataArea.Bottom + 20 && Number(t.Item3) is not null).Select(t => (t.Item1, Number(t.Item3)!.Value)).ToList();
        var yTicks = texts.Where(t => t.Item1 < DataArea.Left && t.Item1 > DataArea.Left - 20 && Number(t.Item3) is not null).Select(t => (t.Item2, Number(t.Item3)!.Value)).ToList();
        XMap = Fit(xTicks);
        YMap = Fit(yTicks);

        // Plottables are the groups clipped to the data area; the legend's own clipped group is not one of them.
        var dataClips = doc.Descendants(Svg + "clipPath")
            .Where(c => c.Element(Svg + "rect") is { } r && Math.Abs(D(r, "x") - cx) < 1e-3 && Math.Abs(D(r, "y") - cy) < 1e-3 && Math.Abs(D(r, "width") - cw) < 1e-3)
            .Select(c => $"url(#{(string)c.Attribute("id")!})").ToHashSet();
        var series = new List<Series>();
        foreach (var g in doc.Descendants(Svg + "g").Where(g => dataClips.Contains((string?)g.Attribute("clip-path") ?? "")))
        {
            string colour = "";
            var lines = new List<(double, double)[]>();
            foreach (var path in g.Elements(Svg + "path"))
            {
                // A dashed line is written as the filled outline of its dashes (no stroke, default fill black): its points
                // lie within half a line width of the curve, so it reads as a polyline all the same.
                colour = (string?)path.Attribute("stroke") ?? (string?)path.Attribute("fill") ?? "black";
                foreach (var sub in ((string?)path.Attribute("d") ?? "").Split('M', StringSplitOptions.RemoveEmptyEntries))
                {
                    var pts = Regex.Matches(sub, @"([-\d.]+) ([-\d.]+)").Select(m => ToData(P(m.Groups[1].Value), P(m.Groups[2].Value))).ToArray();
                    if (pts.Length > 0) lines.Add(pts);
                }
            }
            var markers = new List<(double, double)>();
            foreach (var e in g.Elements(Svg + "ellipse"))
            {
                colour = (string?)e.Attribute("fill") ?? colour;
                markers.Add(ToData(D(e, "cx"), D(e, "cy")));
            }
            if (lines.Count + markers.Count > 0) series.Add(new Series(colour, lines, markers));
        }
        Plottables = series;
        Rectangles = doc.Root!.Elements(Svg + "rect").Where(r => r.Attribute("x") is not null)
            .Select(r => (D(r, "x"), D(r, "y"), D(r, "width"), D(r, "height"))).ToList();
    }

    /// <summary>Data coordinates of a pixel.</summary>
    public (double X, double Y) ToData(double px, double py) => (XMap.Slope * px + XMap.Intercept, YMap.Slope * py + YMap.Intercept);

    /// <summary>How much one pixel is in data units along x and y.</summary>
    public (double X, double Y) Pixel => (Math.Abs(XMap.Slope), Math.Abs(YMap.Slope));

    /// <summary>The data range shown on the axes.</summary>
    public (double XMin, double XMax, double YMin, double YMax) Limits
    {
        get
        {
            var a = ToData(DataArea.Left, DataArea.Bottom);
            var b = ToData(DataArea.Right, DataArea.Top);
            return (a.X, b.X, a.Y, b.Y);
        }
    }

    private static (double, double, double) Fit(List<(double Pixel, double Value)> ticks)
    {
        if (ticks.Count < 2) throw new InvalidOperationException("fewer than two tick labels");
        double mp = ticks.Average(t => t.Pixel), mv = ticks.Average(t => t.Value);
        double sxy = ticks.Sum(t => (t.Pixel - mp) * (t.Value - mv)), sxx = ticks.Sum(t => (t.Pixel - mp) * (t.Pixel - mp));
        double slope = sxy / sxx, intercept = mv - slope * mp;
        double residual = ticks.Max(t => Math.Abs(slope * t.Pixel + intercept - t.Value)) / Math.Abs(slope); // in pixels
        return (slope, intercept, residual);
    }

    private static double? Number(string s)
        => double.TryParse(s.Replace('\u2212', '-'), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
    private static double P(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    private static double D(XElement e, string name) => P((string)e.Attribute(name)!);
}
