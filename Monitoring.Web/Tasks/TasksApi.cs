using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Monitoring.Core;
using Monitoring.Core.Handlers;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Web.Api;
using Monitoring.Web.Security;

namespace Monitoring.Web.Tasks;

public static class TasksApi
{
    /// <summary>Large enough for 64 KiB of parameters plus the other fields, small enough to refuse floods early.</summary>
    private const long MaxSubmitBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder routes)
    {
        var tasks = routes.MapGroup("/api/v1/tasks").WithTags("Tasks").RequireAuthorization(Roles.ViewPolicy);

        tasks.MapGet("/", ListTasks).WithName("ListTasks").WithSummary("Lists tasks newest first, filtered and paged.");
        tasks.MapPost("/", SubmitTask).WithName("SubmitTask")
            .WithSummary("Enqueues a task; a repeated idempotency key returns the existing task with 200.")
            .Accepts<SubmitTaskRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(MaxSubmitBodyBytes))
            .RequireAuthorization(Roles.OperatePolicy);
        tasks.MapGet("/{id:long}", GetTask).WithName("GetTask").WithSummary("One task with parameters, result and its event timeline.");
        tasks.MapPost("/{id:long}/retry", RetryTask).WithName("RetryTask")
            .WithSummary("Retries a Failed or Cancelled task with a renewed attempt budget.").RequireAuthorization(Roles.OperatePolicy);
        tasks.MapPost("/{id:long}/cancel", CancelTask).WithName("CancelTask")
            .WithSummary("Cancels a Pending, Retrying or Processing task.").RequireAuthorization(Roles.OperatePolicy);
        tasks.MapDelete("/{id:long}", DeleteTask).WithName("DeleteTask")
            .WithSummary("Deletes a Completed, Failed or Cancelled task (audited with a snapshot).").RequireAuthorization(Roles.OperatePolicy);
        tasks.MapPost("/retry", BulkRetry).WithName("BulkRetryTasks")
            .WithSummary("Retries every Failed or Cancelled task the filters match — the whole result, in one transaction.")
            .RequireAuthorization(Roles.OperatePolicy);
        tasks.MapGet("/failures", Failures).WithName("ListFailureGroups").WithSummary("Dead tasks grouped by failure fingerprint.");
        tasks.MapGet("/export", Export).WithName("ExportTasks").WithSummary("Streams every matching task as CSV or JSON.");
        return routes;
    }

    public static async Task<Results<Ok<TaskPage>, ValidationProblem>> ListTasks(
        [AsParameters] TaskListQuery query, TaskReader reader, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var filter, out var page, out var pageSize, out var errors))
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await reader.ListAsync(filter, page, pageSize, cancellationToken));
    }

    public static async Task<Results<Created<TaskDetail>, Ok<TaskDetail>, ValidationProblem, ProblemHttpResult>> SubmitTask(
        HttpContext context, TaskIntake intake, CancellationToken cancellationToken)
    {
        var (read, problem) = await JsonBody.ReadAsync<SubmitTaskRequest>(context, MaxSubmitBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var body = read!;

        // A header sent but blank, or sent twice, is a mistake to report, not a request without a key.
        var headerValues = context.Request.Headers["Idempotency-Key"];
        if (headerValues.Count > 1)
        {
            return ApiProblems.Invalid("idempotencyKey", "Send one Idempotency-Key header, not several.");
        }

        var headerKey = context.Request.Headers.ContainsKey("Idempotency-Key") ? headerValues.ToString() : null;
        if (headerKey is not null && body.IdempotencyKey is not null && body.IdempotencyKey != headerKey)
        {
            return ApiProblems.Invalid("idempotencyKey", "The Idempotency-Key header and the idempotencyKey field differ.");
        }

        var submission = new TaskSubmission
        {
            Type = body.Type,
            Priority = body.Priority ?? TaskPriority.Normal,
            Parameters = body.Parameters,
            MaxAttempts = body.MaxAttempts,
            TimeoutSeconds = body.TimeoutSeconds,
            RequiredGpuMemoryBytes = body.RequiredGpuMemoryBytes,
            IdempotencyKey = headerKey ?? body.IdempotencyKey,
            Source = body.Source,
        };

        try
        {
            var (task, created) = await intake.EnqueueAsync(submission, context.ToActor(), cancellationToken);
            var detail = TaskDetail.From(task);
            return created ? TypedResults.Created($"/api/v1/tasks/{task.Id}", detail) : TypedResults.Ok(detail);
        }
        catch (TaskValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors.ToDictionary());
        }
        catch (IdempotencyConflictException ex)
        {
            return ApiProblems.IdempotencyConflict(ex.Message);
        }
    }

    public static async Task<Results<Ok<TaskDetail>, ProblemHttpResult>> GetTask(long id, TaskReader reader, GpuScheduler scheduler, CancellationToken cancellationToken) =>
        await reader.GetAsync(id, withEvents: true, cancellationToken) is { } task
            ? TypedResults.Ok(TaskDetail.From(task, await scheduler.WhyWaitingAsync(task, cancellationToken)))
            : ApiProblems.NotFound($"Task {id} does not exist.");

    public static Task<Results<Ok<TaskDetail>, ProblemHttpResult>> RetryTask(long id, HttpContext context, TaskQueue queue, TaskReader reader, CancellationToken cancellationToken) =>
        Transition(id, reader, () => queue.RetryAsync(id, context.ToActor(), cancellationToken), cancellationToken);

    public static Task<Results<Ok<TaskDetail>, ProblemHttpResult>> CancelTask(long id, HttpContext context, TaskQueue queue, TaskReader reader, CancellationToken cancellationToken) =>
        Transition(id, reader, () => queue.CancelAsync(id, context.ToActor(), cancellationToken: cancellationToken), cancellationToken);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTask(long id, HttpContext context, TaskQueue queue, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteAsync(id, context.ToActor(), cancellationToken);
            return TypedResults.NoContent();
        }
        catch (TaskNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (IllegalTransitionException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
    }

    public static async Task<Results<Ok<BulkResult>, ValidationProblem>> BulkRetry(
        [AsParameters] TaskListQuery query, HttpContext context, TaskQueue queue, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var filter, out _, out _, out var errors))
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await queue.BulkRetryAsync(filter, context.ToActor(), cancellationToken));
    }

    public static async Task<Results<Ok<IReadOnlyList<FailureGroup>>, ValidationProblem>> Failures(
        [AsParameters] TaskListQuery query, TaskReader reader, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var filter, out _, out _, out var errors))
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await reader.FailureGroupsAsync(filter, cancellationToken));
    }

    public static Results<TaskExport, ValidationProblem> Export([AsParameters] TaskListQuery query, string? format, TaskReader reader, TimeProvider clock)
    {
        var kind = QueryFields.Text(format)?.ToLowerInvariant() ?? "csv";
        if (kind is not ("csv" or "json"))
        {
            return ApiProblems.Invalid("format", "format must be csv or json.");
        }

        if (!query.TryParse(out var filter, out _, out _, out var errors))
        {
            return ApiProblems.Invalid(errors);
        }

        return new TaskExport(reader, filter, kind, clock.GetUtcNow());
    }

    private static async Task<Results<Ok<TaskDetail>, ProblemHttpResult>> Transition(
        long id, TaskReader reader, Func<Task<TaskItem>> change, CancellationToken cancellationToken)
    {
        try
        {
            await change();
        }
        catch (TaskNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (IllegalTransitionException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }

        var task = await reader.GetAsync(id, withEvents: true, cancellationToken);
        return task is null ? ApiProblems.NotFound($"Task {id} does not exist.") : TypedResults.Ok(TaskDetail.From(task));
    }
}
