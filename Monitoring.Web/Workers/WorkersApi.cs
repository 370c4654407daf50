using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Workers;
using Monitoring.Gpu;
using Monitoring.Web.Api;
using Monitoring.Web.Security;
using Monitoring.Web.Settings;

namespace Monitoring.Web.Workers;

/// <param name="ReadOnly">This process does not schedule (scheduling off, or another process holds the lease).</param>
/// <param name="Owner">The process that owns the database while this one is read-only; the figures are then empty, not
/// this process's idle pool (see <see cref="WorkersApi"/>).</param>
public sealed record PoolView(
    int Size, int MaxConcurrency, int Busy, int Idle, int Draining, bool ReadOnly, string? ReadOnlyReason, IReadOnlyList<WorkerSnapshot> Workers,
    string? Owner = null);

/// <param name="Owner">The process that owns the database while this one is read-only; no GPUs are listed then.</param>
public sealed record GpuView(
    string Provider, bool Available, string? Reason, DateTimeOffset? LastSampledAt, string? LastError,
    IReadOnlyList<GpuSample> Gpus, IReadOnlyDictionary<string, long> ReservedBytes, IReadOnlyDictionary<string, long[]> RunningTaskIds,
    bool ReadOnly = false, string? Owner = null);

public sealed record ResizeRequest(int? Count);

/// <remarks>On a read-only process (another owns the database) the pool and GPU views list nothing and name the owner
/// (<c>readOnly: true, owner: "host-a/pid 123/…"</c>): this process's pool is idle by design and its GPUs may be another
/// machine's, so showing them would present a partial view as the system's (SPEC rule 2). The owner's live pool and GPU
/// readings exist only in the owner's memory; its GPU history is in <c>/api/v1/metrics</c>.</remarks>
public static class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder routes)
    {
        var monitor = routes.MapGroup("/api/v1/monitor").WithTags("Monitor").RequireAuthorization(Roles.ViewPolicy);
        monitor.MapGet("/workers", Workers).WithName("ListWorkers").WithSummary("The worker pool: size (max concurrency), each worker's state, task, GPU and busy ratio.");
        monitor.MapGet("/gpus", Gpus).WithName("ListGpus").WithSummary("Each GPU's latest reading, memory reserved by running tasks, and the tasks on it.");

        routes.MapPost("/api/v1/system/workers/resize", Resize).WithTags("System").WithName("ResizeWorkerPool")
            .WithSummary("Sets the pool size (1–256): up at once; down drains busy workers. Kept across restarts (the Workers:Count setting).")
            .Accepts<ResizeRequest>("application/json")
            .RequireAuthorization(Roles.AdministerPolicy);
        return routes;
    }

    public static Ok<PoolView> Workers(WorkerPool pool, GpuScheduler scheduler, InstanceRole role) => TypedResults.Ok(View(pool, scheduler, role));

    public static Ok<GpuView> Gpus(GpuInventory inventory, WorkerPool pool, InstanceRole role)
    {
        if (role.Owner is { } owner)
        {
            return TypedResults.Ok(new GpuView(
                inventory.Probe.Provider, false, role.Reason, null, null, [], new Dictionary<string, long>(), new Dictionary<string, long[]>(), true, owner));
        }

        var running = pool.Running.Where(r => r.GpuUuid is not null).GroupBy(r => r.GpuUuid!).ToList();
        return TypedResults.Ok(new GpuView(
            inventory.Probe.Provider, inventory.Probe.Status.Available, inventory.UnavailableReason, inventory.LastSampledAt, inventory.LastError,
            inventory.Samples,
            running.ToDictionary(g => g.Key, g => g.Sum(r => r.ReservedBytes)),
            running.ToDictionary(g => g.Key, g => g.Select(r => r.TaskId).ToArray())));
    }

    public static async Task<Results<Ok<PoolView>, ValidationProblem, ProblemHttpResult>> Resize(
        HttpContext context, WorkerPool pool, GpuScheduler scheduler, InstanceRole role, LiveSettings settings, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ResizeRequest>(context, JsonBody.SmallBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body?.Count is not { } count || count < 1 || count > WorkerOptions.MaxCount)
        {
            return ApiProblems.Invalid("count", $"count must be a whole number from 1 to {WorkerOptions.MaxCount}.");
        }

        var errors = await settings.ResizePoolAsync(context.ToActor(), count, cancellationToken);
        return errors.Count > 0 ? ApiProblems.Invalid("count", string.Join(" ", errors.Values.SelectMany(e => e))) : TypedResults.Ok(View(pool, scheduler, role));
    }

    private static PoolView View(WorkerPool pool, GpuScheduler scheduler, InstanceRole role)
    {
        if (role.Owner is { } owner)
        {
            return new PoolView(0, 0, 0, 0, 0, true, role.Reason, [], owner);
        }

        var snapshot = pool.Snapshot();
        return new PoolView(snapshot.Size, snapshot.Size, snapshot.Busy, snapshot.Idle, snapshot.Draining, scheduler.IsReadOnly, scheduler.ReadOnlyReason, snapshot.Workers);
    }
}
