using Monitoring.Core.Scheduling;

namespace Monitoring.Tests.Scheduling;

public sealed class GpuPlacementTests
{
    private const long GiB = 1L << 30;
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static GpuState Gpu(string uuid, double totalGiB, double freeGiB, bool schedulable = true) =>
        new(uuid, 0, "test", (long)(totalGiB * GiB), (long)(freeGiB * GiB), schedulable, schedulable ? null : "lost", Now);

    private static PlacementCandidate Task(long id, double needGiB, int waitedSeconds = 0) =>
        new(id, (long)(needGiB * GiB), Now.AddSeconds(-waitedSeconds));

    private static SchedulerOptions Options(double marginGiB = 1, double marginPercent = 10, int maxBatch = 3, int minBatch = 1, int batchTimeout = 5) =>
        new()
        {
            GpuSafetyMarginBytes = (long)(marginGiB * GiB),
            GpuSafetyMarginPercent = marginPercent,
            MaxBatchSize = maxBatch,
            MinBatchSize = minBatch,
            BatchTimeoutSeconds = batchTimeout,
        };

    /// <summary>Each row: GPUs "uuid:total/free;…", reservations "uuid:GiB;…", tasks "needGiB;…" (ids 1..n),
    /// idle workers, margin GiB, margin %, max batch → expected "taskId@uuid" placements (CPU tasks "@cpu").</summary>
    [Theory]
    // One 24 GiB GPU, 20 free, margin max(1 GiB, 2.4 GiB) = 2.4: 6 + 6 + 6 = 18 > 17.6 available, so two fit.
    [InlineData("a:24/20", "", "6;6;6", 8, 1, 10, 3, "1@a 2@a")]
    // The same with a 1 GiB margin only (0 %): 19 GiB available, three 6 GiB tasks fit.
    [InlineData("a:24/20", "", "6;6;6", 8, 1, 0, 3, "1@a 2@a 3@a")]
    // The batch limit caps a GPU at two per round even when memory allows more.
    [InlineData("a:24/20", "", "2;2;2;2", 8, 1, 0, 2, "1@a 2@a")]
    // Reservations of running tasks count against the probe's (possibly stale) free reading.
    [InlineData("a:24/20", "a:12", "6;6", 8, 1, 0, 3, "1@a")]
    // Two GPUs: the one with the most room left takes each task (b: 19 → 15 → 11 → 7 vs a: 9);
    // the fourth goes to a because b reached its batch limit of three.
    [InlineData("a:24/10;b:24/20", "", "4;4;4;4", 8, 1, 0, 3, "1@b 2@b 3@b 4@a")]
    // A large task that fits nowhere now does not block smaller ones behind it.
    [InlineData("a:24/8;b:24/9", "", "10;2;2", 8, 1, 0, 3, "2@b 3@a")]
    // CPU tasks need no GPU; idle workers bound the whole round.
    [InlineData("a:24/1", "", "0;0;5;0", 2, 1, 0, 3, "1@cpu 2@cpu")]
    // A lost GPU takes nothing.
    [InlineData("a:24/20;b:24/20", "", "4;4", 8, 1, 0, 3, "1@b 2@b", "a")]
    // 80 GiB GPUs, 10 % margin = 8 GiB: 70 free − 8 = 62 → a 60 GiB task fits, a second does not.
    [InlineData("h:80/70", "", "60;60", 8, 1, 10, 3, "1@h")]
    public void Places_tasks_only_where_memory_after_reservations_keeps_the_margin(
        string gpus, string reservations, string tasks, int idleWorkers, double marginGiB, double marginPercent, int maxBatch, string expected, string lost = "")
    {
        var lostSet = lost.Split(';', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var gpuStates = gpus.Split(';').Select(spec =>
        {
            var (uuid, rest) = (spec.Split(':')[0], spec.Split(':')[1].Split('/'));
            return Gpu(uuid, double.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture), !lostSet.Contains(uuid));
        }).ToList();
        var reserved = reservations.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(r => r.Split(':')[0], r => (long)(double.Parse(r.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) * GiB));
        var queue = tasks.Split(';').Select((need, i) => Task(i + 1, double.Parse(need, System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var result = GpuPlacement.Plan(queue, gpuStates, reserved, idleWorkers, Options(marginGiB, marginPercent, maxBatch), Now);

        Assert.Equal(expected, string.Join(' ', result.Placements.Select(p => $"{p.TaskId}@{p.GpuUuid ?? "cpu"}")));
        Assert.Equal(queue.Count, result.Placements.Count + result.Deferrals.Count);
    }

    [Fact]
    public void A_waiting_task_says_what_it_needs_what_the_best_gpu_has_and_how_many_are_ahead()
    {
        var queue = new[] { Task(1, 2), Task(2, 2), Task(3, 2), Task(4, 2), Task(5, 6) };
        var gpus = new[] { Gpu("a", 24, 12.5) };

        var result = GpuPlacement.Plan(queue, gpus, new Dictionary<string, long>(), 10, Options(marginPercent: 0, maxBatch: 8), Now);

        var deferral = Assert.Single(result.Deferrals);
        Assert.Equal(5, deferral.TaskId);
        Assert.Equal(WaitReason.GpuMemory, deferral.Reason);
        Assert.Equal("needs 6.0 GiB; best GPU has 3.5 GiB free after margin; 0 tasks ahead", deferral.Explanation);
    }

    [Fact]
    public void Tasks_behind_a_full_pool_wait_for_a_worker_and_count_who_is_ahead()
    {
        var result = GpuPlacement.Plan([Task(1, 0), Task(2, 0), Task(3, 0)], [], new Dictionary<string, long>(), 1, Options(), Now);

        Assert.Equal([1L], result.Placements.Select(p => p.TaskId));
        Assert.Equal(["no idle worker (all busy); 0 tasks ahead", "no idle worker (all busy); 1 task ahead"], result.Deferrals.Select(d => d.Explanation));
    }

    [Fact]
    public void Without_gpus_a_gpu_task_waits_with_the_reason_and_a_cpu_task_runs()
    {
        var result = GpuPlacement.Plan([Task(1, 4), Task(2, 0)], [], new Dictionary<string, long>(), 4, Options(), Now, "no NVIDIA GPU detected");

        Assert.Equal([2L], result.Placements.Select(p => p.TaskId));
        var deferral = Assert.Single(result.Deferrals);
        Assert.Equal(WaitReason.NoGpu, deferral.Reason);
        Assert.Contains("no NVIDIA GPU detected", deferral.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_larger_than_any_gpu_is_marked_as_never_placeable()
    {
        var result = GpuPlacement.Plan([Task(1, 30)], [Gpu("a", 24, 24), Gpu("b", 16, 16, schedulable: false)], new Dictionary<string, long>(), 4, Options(), Now);

        var deferral = Assert.Single(result.Deferrals);
        Assert.Equal(WaitReason.NoCapacity, deferral.Reason);
        Assert.Contains("never run here", deferral.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Capacity_is_the_largest_gpus_total_less_its_margin()
    {
        // 24 GiB less max(1 GiB, 10 %) = 21.6 GiB: 21.5 fits on an idle GPU, 21.7 never can.
        var result = GpuPlacement.Plan([Task(1, 21.7), Task(2, 21.5)], [Gpu("a", 24, 24)], new Dictionary<string, long>(), 4, Options(), Now);

        var deferral = Assert.Single(result.Deferrals);
        Assert.Equal((1L, WaitReason.NoCapacity), (deferral.TaskId, deferral.Reason));
        Assert.StartsWith("needs 21.7 GiB; the largest GPU offers 21.6 GiB after margin", deferral.Explanation, StringComparison.Ordinal);
        Assert.Equal([2L], result.Placements.Select(p => p.TaskId));
    }

    [Fact]
    public void A_gpu_that_dropped_out_of_the_reading_still_counts_for_capacity_so_its_tasks_wait_instead_of_failing()
    {
        // The 24 GiB GPU was seen before and is gone from the reading (lost); only a 16 GiB one is left.
        var result = GpuPlacement.Plan([Task(1, 20), Task(2, 30)], [Gpu("b", 16, 16)], new Dictionary<string, long>(), 4, Options(), Now,
            largestKnownGpuTotalBytes: 24L << 30);

        Assert.Empty(result.Placements);
        Assert.Equal(WaitReason.GpuMemory, result.Deferrals.Single(d => d.TaskId == 1).Reason);
        Assert.Equal(WaitReason.NoCapacity, result.Deferrals.Single(d => d.TaskId == 2).Reason);
    }

    [Fact]
    public void Without_any_gpu_known_a_large_task_waits_with_the_reason_instead_of_failing()
    {
        var result = GpuPlacement.Plan([Task(1, 30)], [], new Dictionary<string, long>(), 4, Options(), Now, "no NVIDIA GPU detected (Gpu:Provider = none)");

        var deferral = Assert.Single(result.Deferrals);
        Assert.Equal(WaitReason.NoGpu, deferral.Reason);
        Assert.Contains("no NVIDIA GPU detected", deferral.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimum_batch_holds_a_gpu_until_it_fills_or_the_oldest_has_waited_long_enough()
    {
        var gpus = new[] { Gpu("a", 24, 24) };
        var options = Options(marginPercent: 0, minBatch: 3, batchTimeout: 5);

        var held = GpuPlacement.Plan([Task(1, 1, waitedSeconds: 2), Task(2, 1)], gpus, new Dictionary<string, long>(), 8, options, Now);
        var full = GpuPlacement.Plan([Task(1, 1, 2), Task(2, 1), Task(3, 1)], gpus, new Dictionary<string, long>(), 8, options, Now);
        var timedOut = GpuPlacement.Plan([Task(1, 1, waitedSeconds: 6), Task(2, 1)], gpus, new Dictionary<string, long>(), 8, options, Now);

        Assert.Empty(held.Placements);
        Assert.All(held.Deferrals, d => Assert.Equal(WaitReason.FillingBatch, d.Reason));
        Assert.Equal(3, full.Placements.Count);
        Assert.Equal(2, timedOut.Placements.Count);
    }
}
