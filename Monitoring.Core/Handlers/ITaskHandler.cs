using System.Text.Json;

namespace Monitoring.Core.Handlers;

/// <summary>What a task type needs and defaults to. Process types come from configuration
/// (<c>TaskTypes:&lt;name&gt;</c>); demo types are built in.</summary>
/// <param name="Name">The task type, e.g. <c>video.synthesize</c>.</param>
/// <param name="Handler">Which handler runs it: <c>process</c> or <c>demo</c>.</param>
/// <param name="RequiresGpu">Whether the scheduler must place it on a GPU.</param>
/// <param name="GpuMemoryBytes">GPU memory a task of this type needs when the submission does not say.</param>
/// <param name="TimeoutSeconds">Default timeout for this type; null = <c>Tasks:DefaultTimeoutSeconds</c>.</param>
/// <param name="MaxAttempts">Default attempts for this type; null = <c>Tasks:DefaultMaxAttempts</c>.</param>
/// <param name="Parameters">The parameter names the type accepts (for a process type: its placeholders).</param>
/// <param name="ParameterSchema">The typed declarations behind <paramref name="Parameters"/> (type, range, default,
/// description), for forms and the API description; null for a type whose handler checks its own parameters.</param>
public sealed record TaskTypeDefinition(
    string Name,
    string Handler,
    bool RequiresGpu,
    long GpuMemoryBytes,
    int? TimeoutSeconds,
    int? MaxAttempts,
    IReadOnlyList<string> Parameters,
    string? Description = null,
    TaskParameterSchema? ParameterSchema = null);

/// <summary>One thing wrong with submitted parameters.</summary>
/// <param name="Parameter">The declared parameter it is about; null for the parameters as a whole (not an
/// object, an unknown name).</param>
public sealed record ParameterProblem(string? Parameter, string Message)
{
    /// <summary>The field a validation problem response names: <c>parameters.width</c> or <c>parameters</c>.</summary>
    public string Field => Parameter is null ? "parameters" : $"parameters.{Parameter}";
}

/// <summary>One attempt of one task, as a handler receives it.</summary>
public sealed record TaskRun(
    long TaskId,
    string Type,
    JsonElement Parameters,
    int Attempt,
    string WorkerId,
    string? GpuUuid,
    long ReservedGpuMemoryBytes,
    /// <summary>Where the handler may write output: <c>{Storage:DataDirectory}/tasks/{TaskId}</c>, created by the worker.</summary>
    string OutputDirectory,
    IProgress<int> Progress);

/// <summary>A successful attempt.</summary>
/// <param name="ResultJson">A JSON value stored as the task's result, or null.</param>
/// <param name="OutputTail">The last lines of output, bounded (at most 16 KiB), kept with the task.</param>
/// <param name="PeakGpuMemoryBytes">Peak GPU memory the attempt used, when known.</param>
public sealed record TaskResult(string? ResultJson, string? OutputTail = null, long? PeakGpuMemoryBytes = null);

/// <summary>Runs the tasks of one or more types.</summary>
/// <remarks>
/// Outcomes of <see cref="RunAsync"/>:
/// return a <see cref="TaskResult"/> on success;
/// throw <see cref="TaskRejectedException"/> for a task that can never succeed as given (bad or missing parameters): not retried;
/// throw <see cref="TaskFailedException"/> for a failed attempt (non-zero exit code, …): retried while attempts remain;
/// when <c>cancellationToken</c> fires (operator cancel or timeout), stop the work — killing any process tree —
/// and throw <see cref="OperationCanceledException"/>; the worker decides whether that was a timeout or a cancel.
/// Any other exception counts as a failed attempt with its message.
/// </remarks>
public interface ITaskHandler
{
    /// <summary>Handler name as in <see cref="TaskTypeDefinition.Handler"/>.</summary>
    string Name { get; }

    /// <summary>The task types this handler runs.</summary>
    IReadOnlyList<TaskTypeDefinition> Types { get; }

    /// <summary>Checks parameters at submission, so a task that would be rejected is refused with 400 instead.
    /// Returns human-readable problems, each naming its parameter where it has one; empty when valid.</summary>
    IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters);

    Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken);
}

/// <summary>The task can never succeed as given; it fails with <c>FailureKind.Rejected</c> and is not retried.</summary>
public sealed class TaskRejectedException(string message) : Exception(message);

/// <summary>An attempt failed; retried while attempts remain.</summary>
/// <param name="message">What went wrong, including the last lines of stderr for a process.</param>
/// <param name="detail">A longer output tail, bounded.</param>
public sealed class TaskFailedException(string message, string? detail = null) : Exception(message)
{
    public string? Detail { get; } = detail;
}
