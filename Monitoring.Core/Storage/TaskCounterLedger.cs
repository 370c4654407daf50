using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Storage;

/// <summary>Collects counter deltas during one write and applies them in that write's transaction.</summary>
internal sealed class TaskCounterLedger
{
    private readonly Dictionary<(string Type, TaskPriority Priority, TaskState Status), (long Current, long Entered)> _deltas = [];

    public void Created(TaskItem task) => Add(task.Type, task.Priority, task.Status, current: 1, entered: 1);

    public void Moved(TaskItem task, TaskState from, TaskState to, long count = 1)
    {
        Add(task.Type, task.Priority, from, current: -count, entered: 0);
        Add(task.Type, task.Priority, to, current: count, entered: count);
    }

    public void Moved(string type, TaskPriority priority, TaskState from, TaskState to, long count)
    {
        Add(type, priority, from, current: -count, entered: 0);
        Add(type, priority, to, current: count, entered: count);
    }

    public void Removed(string type, TaskPriority priority, TaskState status, long count = 1) =>
        Add(type, priority, status, current: -count, entered: 0);

    private void Add(string type, TaskPriority priority, TaskState status, long current, long entered)
    {
        var key = (type, priority, status);
        _deltas.TryGetValue(key, out var d);
        _deltas[key] = (d.Current + current, d.Entered + entered);
    }

    public async Task ApplyAsync(MonitoringDbContext db, CancellationToken cancellationToken)
    {
        foreach (var ((type, priority, status), (current, entered)) in _deltas)
        {
            if (current == 0 && entered == 0)
            {
                continue;
            }

            // An upsert understood by SQLite and PostgreSQL alike.
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO TaskCounters (Type, Priority, Status, InStatus, EnteredTotal)
                VALUES ({type}, {(int)priority}, {(int)status}, {current}, {entered})
                ON CONFLICT (Type, Priority, Status)
                DO UPDATE SET InStatus = TaskCounters.InStatus + excluded.InStatus,
                              EnteredTotal = TaskCounters.EnteredTotal + excluded.EnteredTotal
                """,
                cancellationToken);
        }

        _deltas.Clear();
    }
}
