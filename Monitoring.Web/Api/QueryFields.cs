using System.Globalization;

namespace Monitoring.Web.Api;

/// <summary>Parsing of query-string values that records a message naming the field when a value is bad.</summary>
public static class QueryFields
{
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
