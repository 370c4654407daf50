using System.Diagnostics.Metrics;
using System.Reflection;

namespace Monitoring.Web.Metrics;

/// <summary>The app's one <see cref="Meter"/> and the instruments that code pushes to (requests, circuits,
/// finished tasks). Gauges over the product's state live in <see cref="StateGauges"/>.</summary>
/// <remarks>Instrument names and units follow OpenTelemetry conventions (<c>monitoring.task.duration</c>,
/// unit <c>s</c>); <see cref="PrometheusNaming"/> turns them into Prometheus names the way OpenTelemetry's
/// Prometheus exporter does (<c>monitoring_task_duration_seconds</c>), so switching exporters later keeps
/// every series name.</remarks>
public sealed class MonitoringMeters
{
    public const string MeterName = "Monitoring";

    /// <summary>Seconds; OpenTelemetry's HTTP server advice, so an SLO of 100 ms or 1 s lands on a bucket edge.</summary>
    internal static readonly double[] HttpBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Seconds, from an immediate claim or a sub-second demo task to hour-long renders (the default task
    /// timeout is 3600 s).</summary>
    private static readonly double[] s_taskBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

    private int _activeCircuits;

    public MonitoringMeters(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Version = BuildVersion();
        Meter = meterFactory.Create(new MeterOptions(MeterName) { Version = Version });

        HttpRequests = Meter.CreateCounter<long>("monitoring.http.requests", "{request}",
            "HTTP requests served, by method, route template and status code.");
        HttpRequestDuration = Meter.CreateHistogram("monitoring.http.request.duration", "s",
            "Time to serve an HTTP request (WebSocket sessions excluded), by method, route template and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HttpBuckets });

        HttpReceived = Meter.CreateCounter<long>("monitoring.http.received", "By",
            "Request body bytes received (as declared by Content-Length; WebSocket traffic excluded).");
        HttpSent = Meter.CreateCounter<long>("monitoring.http.sent", "By",
            "Response body bytes sent (WebSocket traffic excluded).");
        LogEvents = Meter.CreateCounter<long>("monitoring.log.events", "{event}",
            "Log events at Warning and above, by level and source (the logging class; past 64 sources, 'other').");

        CircuitsOpened = Meter.CreateCounter<long>("monitoring.circuits", "{circuit}",
            "Blazor circuits (browser sessions of the console) opened since the process started.");
        Meter.CreateObservableGauge("monitoring.circuits.active", () => Volatile.Read(ref _activeCircuits), "{circuit}",
            "Blazor circuits (browser sessions of the console) open now.");

        TasksFinished = Meter.CreateCounter<long>("monitoring.tasks.finished", "{task}",
            "Tasks that reached a final state (completed, failed, cancelled) since the process started, by type and status. " +
            "The database stays the source of truth for statistics; this counter restarts with the process.");
        TaskDuration = Meter.CreateHistogram("monitoring.task.duration", "s",
            "Run time of completed tasks, claim to completion, by type (the console's duration percentiles use the same runs).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_taskBuckets });
        TaskQueueWait = Meter.CreateHistogram("monitoring.task.queue_wait", "s",
            "Time a task waited in the queue before a worker claimed it, by type (each attempt counts).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_taskBuckets });

        Meter.CreateObservableGauge("monitoring.build.info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", Version)),
            description: "The running build; always 1.");
    }

    public Meter Meter { get; }

    /// <summary>The app's informational version (with the source revision when the build had one).</summary>
    public string Version { get; }

    public Counter<long> HttpRequests { get; }

    public Histogram<double> HttpRequestDuration { get; }

    public Counter<long> HttpReceived { get; }

    public Counter<long> HttpSent { get; }

    public Counter<long> LogEvents { get; }

    public Counter<long> CircuitsOpened { get; }

    public Counter<long> TasksFinished { get; }

    public Histogram<double> TaskDuration { get; }

    public Histogram<double> TaskQueueWait { get; }

    public int ActiveCircuits => Volatile.Read(ref _activeCircuits);

    public void CircuitOpened()
    {
        Interlocked.Increment(ref _activeCircuits);
        CircuitsOpened.Add(1);
    }

    public void CircuitClosed() => Interlocked.Decrement(ref _activeCircuits);

    private static string BuildVersion()
    {
        var assembly = typeof(MonitoringMeters).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }
}
