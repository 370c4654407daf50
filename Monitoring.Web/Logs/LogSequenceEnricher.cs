using Serilog.Core;
using Serilog.Events;

namespace Monitoring.Web.Logs;

/// <summary>Numbers every event of the host's logger. Enrichers run before any sink, so the ring buffer and the
/// files see the same number, and a search over both can tell an event it already has.</summary>
internal sealed class LogSequenceEnricher : ILogEventEnricher
{
    private long _last;

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        logEvent.AddPropertyIfAbsent(new LogEventProperty(LogEntry.SequenceProperty, new ScalarValue(Interlocked.Increment(ref _last))));
    }
}
