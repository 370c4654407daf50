using Serilog.Events;

namespace Monitoring.Web.Logs;

/// <summary>What a log search or a tail view asks for; every field is optional.</summary>
public sealed record LogQuery
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 5000;

    public static LogQuery All { get; } = new();

    /// <summary>At or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Before.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>This level and above.</summary>
    public LogEventLevel? MinimumLevel { get; init; }

    /// <summary>Case-insensitive text in the message or the exception.</summary>
    public string? Search { get; init; }

    /// <summary>Case-insensitive prefix of the source context.</summary>
    public string? Source { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    public bool Matches(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (From is null || entry.At >= From)
            && (To is null || entry.At < To)
            && (MinimumLevel is null || entry.ParsedLevel >= MinimumLevel)
            && (string.IsNullOrEmpty(Source) || entry.Source.StartsWith(Source, StringComparison.OrdinalIgnoreCase))
            && (string.IsNullOrEmpty(Search)
                || entry.Message.Contains(Search, StringComparison.OrdinalIgnoreCase)
                || (entry.Exception?.Contains(Search, StringComparison.OrdinalIgnoreCase) ?? false));
    }
}
