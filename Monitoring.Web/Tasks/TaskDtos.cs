using System.Text.Json;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Tasks;

/// <summary>The body of <c>POST /api/v1/tasks</c>.</summary>
public sealed record SubmitTaskRequest(
    string? Type,
    TaskPriority? Priority,
    JsonElement? Parameters,
    int? MaxAttempts,
    int? TimeoutSeconds,
    long? RequiredGpuMemoryBytes,
    string? IdempotencyKey,
    string? Source);

/// <summary>A task with its parameters, result and timeline, as <c>GET /api/v1/tasks/{id}</c> returns it.
/// <c>TraceId</c> is the W3C trace id of the task's life (look it up in the trace store OTLP exports to).</summary>
public sealed record TaskDetail(
    long Id, string Type, TaskPriority Priority, TaskState Status, int Attempt, int MaxAttempts, int TimeoutSeconds,
    long RequiredGpuMemoryBytes, string? IdempotencyKey, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset EnqueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? NextAttemptAt,
    string? WorkerId, string? GpuUuid, int Progress, JsonElement Parameters, JsonElement? Result,
    FailureKind? FailureKind, string? Error, string? ErrorDetail, string? ErrorFingerprint,
    long? PeakGpuMemoryBytes, long? DurationMs, long? QueueWaitMs, string? OutputTail, IReadOnlyList<TaskEventDto> Events,
    string? WhyWaiting = null, string? TraceId = null)
{
    public static TaskDetail From(TaskItem t, string? whyWaiting = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new(t.Id, t.Type, t.Priority, t.Status, t.Attempt, t.MaxAttempts, t.TimeoutSeconds, t.RequiredGpuMemoryBytes,
            t.IdempotencyKey, t.Source, t.CreatedAt, t.EnqueuedAt, t.StartedAt, t.FinishedAt, t.NextAttemptAt, t.WorkerId, t.GpuUuid,
            t.Progress, Json(t.Parameters) ?? default, Json(t.Result), t.FailureKind, t.Error, t.ErrorDetail, t.ErrorFingerprint,
            t.PeakGpuMemoryBytes, t.DurationMs, t.QueueWaitMs, t.OutputTail,
            t.Events.OrderBy(e => e.Id).Select(e => new TaskEventDto(e.At, e.From, e.To, e.Actor, e.Message, e.WorkerId, e.GpuUuid)).ToList(),
            whyWaiting, t.TraceId);
    }

    private static JsonElement? Json(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}

public sealed record TaskEventDto(DateTimeOffset At, TaskState? From, TaskState To, string Actor, string? Message, string? WorkerId, string? GpuUuid);
