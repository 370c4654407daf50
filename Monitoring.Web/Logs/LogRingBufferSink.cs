using Serilog.Core;
using Serilog.Events;

namespace Monitoring.Web.Logs;

/// <summary>Feeds the <see cref="LogRingBuffer"/>. Registered in DI as an <see cref="ILogEventSink"/>, which
/// <c>ReadFrom.Services</c> adds to the host's logger: a further sink (a warning counter for metrics) is one
/// more such registration beside this one.</summary>
internal sealed class LogRingBufferSink(LogRingBuffer buffer) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => buffer.Add(LogEntry.From(logEvent));
}
