using System.Collections.Concurrent;
using System.Diagnostics;

namespace Monitoring.Tests.Support;

/// <summary>Listens to one activity source, sampling everything, and keeps every span when it ends. Listeners are
/// process-wide and tests run in parallel: filter by trace id (<see cref="InTrace"/>).</summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public SpanRecorder(string source)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The ended spans of one trace, by start time.</summary>
    public IReadOnlyList<Activity> InTrace(string traceId) =>
        [.. _spans.Where(s => s.TraceId.ToHexString() == traceId).OrderBy(s => s.StartTimeUtc).ThenBy(s => s.OperationName == "task.enqueue" ? 0 : 1)];

    public void Dispose() => _listener.Dispose();
}
