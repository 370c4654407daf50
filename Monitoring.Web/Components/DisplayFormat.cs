using System.Globalization;

namespace Monitoring.Web.Components;

/// <summary>Figures as the console shows them: binary byte units, and "n/a" for a reading the probe could not take.</summary>
public static class DisplayFormat
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary><c>512 B</c>, <c>1.5 GiB</c>, <c>23.9 GiB</c>.</summary>
    public static string Bytes(double bytes)
    {
        var unit = 0;
        var value = Math.Abs(bytes);
        while (value >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Math.Sign(bytes) * value:0.#} {s_units[unit]}");
    }

    public static string Bytes(double? bytes) => bytes is { } b ? Bytes(b) : "n/a";

    public static string BytesPerSecond(double? bytes) => bytes is { } b ? Bytes(b) + "/s" : "n/a";

    /// <summary><c>71 °C</c>, <c>250 W</c>, or <c>n/a</c>.</summary>
    public static string Reading(double? value, string unit) =>
        value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.#} {unit}") : "n/a";
}
