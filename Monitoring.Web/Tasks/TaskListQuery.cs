using Microsoft.AspNetCore.Mvc;
using Monitoring.Core.Tasks;
using Monitoring.Web.Api;

namespace Monitoring.Web.Tasks;

/// <summary>The task filters of <c>GET /api/v1/tasks</c>, shared by export, failures and bulk actions.
/// Bound as text so every bad value gets a 400 that names its field.</summary>
public sealed class TaskListQuery
{
    public const int DefaultPageSize = 50;

    /// <summary>One or more of Pending, Processing, Retrying, Completed, Failed, Cancelled (repeat or comma-separate).</summary>
    [FromQuery(Name = "status")] public string[]? Status { get; init; }
    /// <summary>One or more of Critical, High, Normal, Low.</summary>
    [FromQuery(Name = "priority")] public string[]? Priority { get; init; }
    [FromQuery(Name = "type")] public string[]? Type { get; init; }
    /// <summary>Created at or after (ISO 8601).</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }
    /// <summary>Created before (ISO 8601).</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }
    /// <summary>Text in parameters, error or type.</summary>
    [FromQuery(Name = "q")] public string? Q { get; init; }
    [FromQuery(Name = "id")] public string? Id { get; init; }
    /// <summary>A failure group's fingerprint, as <c>GET /api/v1/tasks/failures</c> lists them.</summary>
    [FromQuery(Name = "fingerprint")] public string? Fingerprint { get; init; }
    [FromQuery(Name = "page")] public string? Page { get; init; }
    [FromQuery(Name = "pageSize")] public string? PageSize { get; init; }

    public bool TryParse(out TaskFilter filter, out int page, out int pageSize, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var statuses = ParseEnums<TaskState>(Status, "status", errors);
        var priorities = ParseEnums<TaskPriority>(Priority, "priority", errors);
        var types = Split(Type).ToArray();
        var from = QueryFields.Time(From, "from", errors);
        var to = QueryFields.Time(To, "to", errors);
        if (from is not null && to is not null && from > to)
        {
            errors["from"] = ["from must not be after to."];
        }

        var id = QueryFields.Id(Id, "id", errors);

        var fingerprint = QueryFields.Text(Fingerprint);
        if (fingerprint is { } fp && (fp.Length != 16 || !fp.All(char.IsAsciiHexDigitLower)))
        {
            errors["fingerprint"] = ["fingerprint must be 16 lower-case hex digits, as /api/v1/tasks/failures lists them."];
        }

        if (Q is { Length: > 200 })
        {
            errors["q"] = ["q must be at most 200 characters."];
        }

        page = QueryFields.WholeNumber(Page, "page", 1, int.MaxValue, 1, errors);
        pageSize = QueryFields.WholeNumber(PageSize, "pageSize", 1, TaskReader.MaxPageSize, DefaultPageSize, errors);

        filter = new TaskFilter
        {
            Statuses = statuses,
            Priorities = priorities,
            Types = types,
            From = from,
            To = to,
            Text = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim(),
            Id = id,
            Fingerprint = fingerprint,
        };
        return errors.Count == 0;
    }

    private static IEnumerable<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static List<T> ParseEnums<T>(string[]? values, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        var result = new List<T>();
        foreach (var value in Split(values))
        {
            if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
            {
                result.Add(parsed);
            }
            else
            {
                errors[field] = [$"'{value}' is not a {field}; use one of {string.Join(", ", Enum.GetNames<T>())}."];
            }
        }

        return result;
    }
}
