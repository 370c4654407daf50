using Microsoft.EntityFrameworkCore;

namespace Monitoring.Core.Tasks;

/// <summary>Which tasks a list, an export or a bulk action covers. Every filter is a query (SPEC rule 6).</summary>
public sealed record TaskFilter
{
    public IReadOnlyList<TaskState> Statuses { get; init; } = [];
    public IReadOnlyList<TaskPriority> Priorities { get; init; } = [];
    public IReadOnlyList<string> Types { get; init; } = [];
    /// <summary>Inclusive lower bound on <see cref="TaskItem.CreatedAt"/>.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound on <see cref="TaskItem.CreatedAt"/>.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Text searched in parameters and error messages (case-insensitive substring).</summary>
    public string? Text { get; init; }
    public long? Id { get; init; }
    /// <summary>One failure group (<see cref="TaskItem.ErrorFingerprint"/>).</summary>
    public string? Fingerprint { get; init; }

    public static readonly TaskFilter All = new();

    /// <summary>True when the counter roll-up can answer the count without touching the task table.</summary>
    public bool IsCountableFromRollup => From is null && To is null && string.IsNullOrEmpty(Text) && Id is null && Fingerprint is null;

    public IQueryable<TaskItem> Apply(IQueryable<TaskItem> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (Id is { } id)
        {
            tasks = tasks.Where(t => t.Id == id);
        }

        if (Fingerprint is { } fingerprint)
        {
            tasks = tasks.Where(t => t.ErrorFingerprint == fingerprint);
        }

        if (Statuses.Count > 0)
        {
            var statuses = Statuses.Distinct().ToArray();
            tasks = tasks.Where(t => statuses.Contains(t.Status));
        }

        if (Priorities.Count > 0)
        {
            var priorities = Priorities.Distinct().ToArray();
            tasks = tasks.Where(t => priorities.Contains(t.Priority));
        }

        if (Types.Count > 0)
        {
            var types = Types.Distinct().ToArray();
            tasks = tasks.Where(t => types.Contains(t.Type));
        }

        if (From is { } from)
        {
            tasks = tasks.Where(t => t.CreatedAt >= from);
        }

        if (To is { } to)
        {
            tasks = tasks.Where(t => t.CreatedAt < to);
        }

        if (!string.IsNullOrEmpty(Text))
        {
            var pattern = "%" + EscapeLike(Text) + "%";
            tasks = tasks.Where(t =>
                EF.Functions.Like(t.Parameters, pattern, "\\") ||
                (t.Error != null && EF.Functions.Like(t.Error, pattern, "\\")) ||
                EF.Functions.Like(t.Type, pattern, "\\"));
        }

        return tasks;
    }

    /// <summary>A short human description, for audit entries of bulk actions.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Id is { } id) parts.Add($"id={id}");
        if (Fingerprint is { } fp) parts.Add($"fingerprint={fp}");
        if (Statuses.Count > 0) parts.Add("status=" + string.Join(',', Statuses));
        if (Priorities.Count > 0) parts.Add("priority=" + string.Join(',', Priorities));
        if (Types.Count > 0) parts.Add("type=" + string.Join(',', Types));
        if (From is { } from) parts.Add($"from={from:O}");
        if (To is { } to) parts.Add($"to={to:O}");
        if (!string.IsNullOrEmpty(Text)) parts.Add($"q={Text}");
        return parts.Count == 0 ? "all tasks" : string.Join(' ', parts);
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
}
