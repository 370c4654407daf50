using Microsoft.AspNetCore.Mvc;
using Monitoring.Web.Api;

namespace Monitoring.Web.Logs;

/// <summary>The filters of <c>GET /api/v1/system/logs</c>, bound as text so every bad value gets a 400 that names its field.</summary>
public sealed class LogSearchQuery
{
    private const int MaxTextLength = 200;

    /// <summary>At or after (ISO 8601).</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }
    /// <summary>Before (ISO 8601).</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }
    /// <summary>Minimum level: Verbose, Debug, Information, Warning, Error or Fatal (any case).</summary>
    [FromQuery(Name = "level")] public string? Level { get; init; }
    /// <summary>Text in the message or the exception (case-insensitive).</summary>
    [FromQuery(Name = "search")] public string? Search { get; init; }
    /// <summary>Start of the source context, e.g. <c>Monitoring.Core.Scheduling</c>.</summary>
    [FromQuery(Name = "source")] public string? Source { get; init; }
    /// <summary>1 to 5000; default 200.</summary>
    [FromQuery(Name = "limit")] public string? Limit { get; init; }

    public bool TryParse(out LogQuery query, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var from = QueryFields.Time(From, "from", errors);
        var to = QueryFields.Time(To, "to", errors);
        if (from is not null && to is not null && from > to)
        {
            errors["from"] = ["from must not be after to."];
        }

        var level = LogLevels.Parse(Level);
        if (!string.IsNullOrWhiteSpace(Level) && level is null)
        {
            errors["level"] = [$"'{Level}' is not a level; use one of {string.Join(", ", LogLevels.Names)}."];
        }

        CheckLength(Search, "search", errors);
        CheckLength(Source, "source", errors);

        var limit = QueryFields.WholeNumber(Limit, "limit", 1, LogQuery.MaxLimit, LogQuery.DefaultLimit, errors);

        query = new LogQuery
        {
            From = from,
            To = to,
            MinimumLevel = level,
            Search = string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
            Source = string.IsNullOrWhiteSpace(Source) ? null : Source.Trim(),
            Limit = limit,
        };
        return errors.Count == 0;
    }

    private static void CheckLength(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is { Length: > MaxTextLength })
        {
            errors[field] = [$"{field} must be at most {MaxTextLength} characters."];
        }
    }
}
