using System.Globalization;
using Serilog.Events;

namespace Monitoring.Web.Logs;

/// <summary>One log event as the tail and the search API show it.</summary>
/// <param name="Level">A Serilog level name: Verbose, Debug, Information, Warning, Error, Fatal.</param>
/// <param name="Source">The source context (the logger's category), empty when there is none.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Sequence">Numbers the events of one logger (one process run) from 1; with <paramref name="At"/>
/// it identifies an event in both the buffer and the files. 0 when a file line carries none.</param>
public sealed record LogEntry(DateTimeOffset At, string Level, string Source, string Message, string? Exception, long Sequence)
{
    /// <summary>The property <see cref="LogSequenceEnricher"/> adds and the files keep.</summary>
    public const string SequenceProperty = "LogSequence";

    public static LogEntry From(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        return new LogEntry(
            logEvent.Timestamp,
            logEvent.Level.ToString(),
            ScalarText(logEvent, "SourceContext") ?? "",
            logEvent.RenderMessage(CultureInfo.InvariantCulture),
            logEvent.Exception?.ToString(),
            logEvent.Properties.TryGetValue(SequenceProperty, out var sequence) && sequence is ScalarValue { Value: long number } ? number : 0);
    }

    internal LogEventLevel ParsedLevel => LogLevels.Parse(Level) ?? LogEventLevel.Information;

    /// <summary>Identity across the buffer and the files: a process restart reuses sequence numbers, never with the same tick.</summary>
    internal (long Ticks, long Sequence, string Message) Identity => (At.UtcTicks, Sequence, Message);

    private static string? ScalarText(LogEvent logEvent, string property) =>
        logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: string text } ? text : null;
}
