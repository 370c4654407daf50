using System.Globalization;

namespace Monitoring.Web.Api;

/// <summary>Parsing of query-string values that records a message naming the field when a value is bad.
/// An empty or blank value (<c>?page=</c>) reads as absent everywhere, as a form left empty would send it.</summary>
public static class QueryFields
{
    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], <paramref name="absent"/> when
    /// blank; anything else adds an error and returns <paramref name="absent"/>.</summary>
    public static int WholeNumber(string? value, string field, int min, int max, int absent, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            return absent;
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var parsed) &&
            parsed >= min && parsed <= max)
        {
            return parsed;
        }

        errors[field] = [max == int.MaxValue ? $"{field} must be a whole number of at least {min}." : $"{field} must be a whole number from {min} to {max}."];
        return absent;
    }

    /// <summary>A positive id, null when blank.</summary>
    public static long? Id(string? value, string field, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
        {
            return parsed;
        }

        errors[field] = [$"{field} must be a positive whole number."];
        return null;
    }

    /// <summary>The trimmed text, null when blank.</summary>
    public static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>An ISO 8601 time (assumed UTC without an offset), null when absent; a bad value adds an error.</summary>
    public static DateTimeOffset? Time(string? value, string field, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        errors[field] = [$"{field} must be an ISO 8601 time, e.g. 2026-11-22T17:00:00Z."];
        return null;
    }
}
