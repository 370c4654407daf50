namespace Monitoring.Core.Jobs;

public enum JobOutcome
{
    NeverRan,
    Running,
    Succeeded,
    Failed,
}

public sealed record JobStatus(
    string Name, TimeSpan Interval, DateTimeOffset RegisteredAt, DateTimeOffset? LastStartedAt, TimeSpan? LastDuration,
    JobOutcome LastOutcome, string? LastError, long Runs, bool IsStale);

/// <summary>Every periodic job reports here (SPEC rule 5): last start, duration and outcome. A job whose
/// last start is more than three intervals ago — or that never started within three intervals of
/// registration — is stale, and readiness turns degraded naming it. One entry per job: bounded.</summary>
public sealed class PeriodicJobMonitor(TimeProvider clock)
{
    public const int StaleAfterIntervals = 3;

    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);

    public void Register(string name, TimeSpan interval)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(name, out var entry))
            {
                entry.Interval = interval;
            }
            else
            {
                _jobs[name] = new Entry(name, interval, clock.GetUtcNow());
            }
        }
    }

    public void Started(string name)
    {
        lock (_lock)
        {
            var entry = Get(name);
            entry.LastStartedAt = clock.GetUtcNow();
            entry.Outcome = JobOutcome.Running;
            entry.Runs++;
        }
    }

    public void Finished(string name, Exception? error)
    {
        lock (_lock)
        {
            var entry = Get(name);
            entry.LastDuration = clock.GetUtcNow() - entry.LastStartedAt;
            entry.Outcome = error is null ? JobOutcome.Succeeded : JobOutcome.Failed;
            entry.LastError = error?.Message;
        }
    }

    public IReadOnlyList<JobStatus> Snapshot()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            return _jobs.Values
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .Select(e => new JobStatus(e.Name, e.Interval, e.RegisteredAt, e.LastStartedAt, e.LastDuration, e.Outcome, e.LastError, e.Runs,
                    now - (e.LastStartedAt ?? e.RegisteredAt) > e.Interval * StaleAfterIntervals))
                .ToList();
        }
    }

    private Entry Get(string name) =>
        _jobs.TryGetValue(name, out var entry) ? entry : throw new InvalidOperationException($"Periodic job '{name}' was never registered.");

    private sealed class Entry(string name, TimeSpan interval, DateTimeOffset registeredAt)
    {
        public string Name { get; } = name;
        public TimeSpan Interval { get; set; } = interval;
        public DateTimeOffset RegisteredAt { get; } = registeredAt;
        public DateTimeOffset? LastStartedAt { get; set; }
        public TimeSpan? LastDuration { get; set; }
        public JobOutcome Outcome { get; set; } = JobOutcome.NeverRan;
        public string? LastError { get; set; }
        public long Runs { get; set; }
    }
}
