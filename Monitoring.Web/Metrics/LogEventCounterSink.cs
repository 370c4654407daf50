using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Monitoring.Web.Metrics;

/// <summary>Counts log events at Warning and above by level and source (<c>monitoring_log_events_total</c>): the
/// "errors by component and severity" of SPEC §5. Sources are logging classes, a set the code bounds; a cap keeps a
/// surprise (a category per tenant, say) from becoming a series each.</summary>
internal sealed class LogEventCounterSink(MonitoringMeters meters) : ILogEventSink
{
    public const int MaxSources = 64;
    public const string OtherSource = "other";

    private readonly ConcurrentDictionary<string, byte> _sources = new(StringComparer.Ordinal);

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Level < LogEventLevel.Warning)
        {
            return;
        }

        meters.LogEvents.Add(1,
            new KeyValuePair<string, object?>("level", logEvent.Level.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("source", Source(logEvent)));
    }

    private string Source(LogEvent logEvent)
    {
        var source = logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) && value is ScalarValue { Value: string name }
            ? name
            : "unknown";
        if (_sources.ContainsKey(source))
        {
            return source;
        }

        // Racy by a few entries at most; the cap is a guard, not an exact limit.
        if (_sources.Count >= MaxSources)
        {
            return OtherSource;
        }

        _sources.TryAdd(source, 0);
        return source;
    }
}
