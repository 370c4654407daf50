using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Workers;
using Monitoring.Gpu;
using Monitoring.Web.Api;
using Monitoring.Web.Security;
using Monitoring.Web.Settings;

namespace Monitoring.Web.Workers;

public sealed record PoolView(int Size, int MaxConcurrency, int Busy, int Idle, int Draining, bool ReadOnly, string? ReadOnlyReason, IReadOnlyList<WorkerSnapshot> Workers);

public sealed record GpuView(
    string Provider, bool Available, string? Reason, DateTimeOffset? LastSampledAt, string? LastError,
    IReadOnlyList<GpuSample> Gpus, IReadOnlyDictionary<string, long> ReservedBytes, IReadOnlyDictionary<string, long[]> RunningTaskIds);

public sealed record ResizeRequest(int? Count);

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

    public static Ok<PoolView> Workers(WorkerPool pool, GpuScheduler scheduler) => TypedResults.Ok(View(pool, scheduler));

    public static Ok<GpuView> Gpus(GpuInventory inventory, WorkerPool pool)
    {
        var running = pool.Running.Where(r => r.GpuUuid is not null).GroupBy(r => r.GpuUuid!).ToList();
        return TypedResults.Ok(new GpuView(
            inventory.Probe.Provider, inventory.Probe.Status.Available, inventory.UnavailableReason, inventory.LastSampledAt, inventory.LastError,
            inventory.Samples,
            running.ToDictionary(g => g.Key, g => g.Sum(r => r.ReservedBytes)),
            running.ToDictionary(g => g.Key, g => g.Select(r => r.TaskId).ToArray())));
    }

    public static async Task<Results<Ok<PoolView>, ValidationProblem, ProblemHttpResult>> Resize(
        HttpContext context, WorkerPool pool, GpuScheduler scheduler, LiveSettings settings, CancellationToken cancellationToken)
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
        return errors.Count > 0 ? ApiProblems.Invalid("count", string.Join(" ", errors.Values.SelectMany(e => e))) : TypedResults.Ok(View(pool, scheduler));
    }

    private static PoolView View(WorkerPool pool, GpuScheduler scheduler)
    {
        var snapshot = pool.Snapshot();
        return new PoolView(snapshot.Size, snapshot.Size, snapshot.Busy, snapshot.Idle, snapshot.Draining, scheduler.IsReadOnly, scheduler.ReadOnlyReason, snapshot.Workers);
    }
}
