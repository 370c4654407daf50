using System.Globalization;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Scheduling;

/// <summary>A queued task as placement sees it.</summary>
public sealed record PlacementCandidate(long TaskId, long RequiredGpuMemoryBytes, DateTimeOffset EnqueuedAt);

/// <summary>A decision: run <paramref name="TaskId"/> now, on <paramref name="GpuUuid"/> (null for a CPU task).</summary>
public sealed record Placement(long TaskId, string? GpuUuid, long ReservedBytes);

/// <summary>A task that stays queued this round, and why, in words an operator can act on.</summary>
public sealed record Deferral(long TaskId, WaitReason Reason, string Explanation);

public enum WaitReason
{
    NoIdleWorker,
    GpuMemory,
    NoGpu,
    GpuBatchLimit,
    FillingBatch,
    /// <summary>Needs more memory than any GPU has in total: it can never run here.</summary>
    NoCapacity,
}

public sealed record PlacementResult(IReadOnlyList<Placement> Placements, IReadOnlyList<Deferral> Deferrals);

/// <summary>GPU-memory-aware placement for one scheduler round (SPEC §4). Pure: the same inputs give the same answer.</summary>
/// <remarks>
/// A GPU takes a task only if its free memory — the probe's reading minus what tasks already placed there
/// reserve (the reading can be a probe interval old) — still keeps the safety margin free after the task:
/// <c>free − reserved − need ≥ max(GpuSafetyMarginBytes, GpuSafetyMarginPercent × total)</c>.
/// Among GPUs that fit, the one with the most room left is chosen, spreading load.
/// Candidates are taken in queue order; a task that does not fit does not block smaller tasks behind it
/// (backfill), so a large task can wait while small ones pass — its explanation says so.
/// </remarks>
public static class GpuPlacement
{
    public static PlacementResult Plan(
        IReadOnlyList<PlacementCandidate> queue,
        IReadOnlyList<GpuState> gpus,
        IReadOnlyDictionary<string, long> reservedBytes,
        int idleWorkers,
        SchedulerOptions options,
        DateTimeOffset now,
        string? noGpuReason = null,
        long largestKnownGpuTotalBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(gpus);
        ArgumentNullException.ThrowIfNull(reservedBytes);
        ArgumentNullException.ThrowIfNull(options);

        var room = gpus.Where(g => g.Schedulable).ToDictionary(
            g => g.Uuid,
            g => g.FreeBytes - reservedBytes.GetValueOrDefault(g.Uuid) - Margin(g, options));
        var placedPerGpu = new Dictionary<string, List<Placement>>();
        var placements = new List<Placement>();
        var deferrals = new List<Deferral>();
        // Capacity counts every GPU known now, schedulable or not (a GPU that is resetting will be back), and the largest
        // the caller has ever seen (a lost GPU may drop out of the reading for a while): a task is refused for capacity
        // only when no GPU this machine has had could ever take it. total − margin grows with total, so the largest
        // total gives the largest capacity.
        var largestTotal = gpus.Select(g => g.TotalBytes).Append(largestKnownGpuTotalBytes).Max();
        var largestCapacity = largestTotal > 0 ? largestTotal - Margin(largestTotal, options) : long.MinValue;
        var workersLeft = idleWorkers;
        var ahead = 0;

        foreach (var task in queue)
        {
            var need = task.RequiredGpuMemoryBytes;
            if (workersLeft <= 0)
            {
                deferrals.Add(new Deferral(task.TaskId, WaitReason.NoIdleWorker,
                    $"no idle worker (all busy); {Ahead(ahead)}"));
                ahead++;
                continue;
            }

            if (need <= 0)
            {
                placements.Add(new Placement(task.TaskId, null, 0));
                workersLeft--;
                continue;
            }

            // Without any GPU known (provider none, or none read yet) a GPU task waits with the reason instead (SPEC §5).
            if (largestTotal > 0 && need > largestCapacity)
            {
                deferrals.Add(new Deferral(task.TaskId, WaitReason.NoCapacity,
                    $"needs {GiB(need)}; the largest GPU offers {GiB(Math.Max(0, largestCapacity))} after margin, so it can never run here"));
                continue;
            }

            if (room.Count == 0)
            {
                deferrals.Add(new Deferral(task.TaskId, WaitReason.NoGpu,
                    $"needs {GiB(need)}; {noGpuReason ?? "no schedulable GPU (all lost or unreadable)"}; {Ahead(ahead)}"));
                ahead++;
                continue;
            }

            var fitting = room.Where(r => r.Value - need >= 0).ToList();
            var underBatchLimit = fitting.Where(r => (placedPerGpu.GetValueOrDefault(r.Key)?.Count ?? 0) < options.MaxBatchSize).ToList();
            if (underBatchLimit.Count == 0)
            {
                if (fitting.Count > 0)
                {
                    deferrals.Add(new Deferral(task.TaskId, WaitReason.GpuBatchLimit,
                        $"needs {GiB(need)}; the GPUs with room already took {options.MaxBatchSize} task(s) this round; {Ahead(ahead)}"));
                }
                else
                {
                    var best = room.MaxBy(r => r.Value);
                    deferrals.Add(new Deferral(task.TaskId, WaitReason.GpuMemory,
                        $"needs {GiB(need)}; best GPU has {GiB(Math.Max(0, best.Value))} free after margin; {Ahead(ahead)}"));
                }

                ahead++;
                continue;
            }

            var chosen = underBatchLimit.MaxBy(r => r.Value).Key;
            room[chosen] -= need;
            var placement = new Placement(task.TaskId, chosen, need);
            if (!placedPerGpu.TryGetValue(chosen, out var onGpu))
            {
                placedPerGpu[chosen] = onGpu = [];
            }

            onGpu.Add(placement);
            placements.Add(placement);
            workersLeft--;
        }

        HoldUnfilledBatches(queue, placements, deferrals, placedPerGpu, options, now);
        return new PlacementResult(placements, deferrals);
    }

    /// <summary>max(GpuSafetyMarginBytes, GpuSafetyMarginPercent × total).</summary>
    public static long Margin(GpuState gpu, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return Margin(gpu.TotalBytes, options);
    }

    /// <summary>max(GpuSafetyMarginBytes, GpuSafetyMarginPercent × <paramref name="totalBytes"/>).</summary>
    public static long Margin(long totalBytes, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Max(options.GpuSafetyMarginBytes, (long)(totalBytes * options.GpuSafetyMarginPercent / 100));
    }

    /// <summary>With <c>MinBatchSize</c> above one, a GPU starts nothing until it has a full batch,
    /// or until its oldest task has waited <c>BatchTimeoutSeconds</c>.</summary>
    private static void HoldUnfilledBatches(
        IReadOnlyList<PlacementCandidate> queue, List<Placement> placements, List<Deferral> deferrals,
        Dictionary<string, List<Placement>> placedPerGpu, SchedulerOptions options, DateTimeOffset now)
    {
        if (options.MinBatchSize <= 1)
        {
            return;
        }

        var enqueued = queue.ToDictionary(c => c.TaskId, c => c.EnqueuedAt);
        foreach (var (gpu, batch) in placedPerGpu)
        {
            var oldestWait = now - batch.Min(p => enqueued[p.TaskId]);
            if (batch.Count >= options.MinBatchSize || oldestWait >= TimeSpan.FromSeconds(options.BatchTimeoutSeconds))
            {
                continue;
            }

            foreach (var held in batch)
            {
                placements.Remove(held);
                deferrals.Add(new Deferral(held.TaskId, WaitReason.FillingBatch,
                    $"waiting to fill a batch of {options.MinBatchSize} on GPU {gpu} ({batch.Count} ready; starts by {options.BatchTimeoutSeconds} s at the latest)"));
            }
        }
    }

    private static string Ahead(int count) => count == 1 ? "1 task ahead" : $"{count} tasks ahead";

    public static string GiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB");
}
