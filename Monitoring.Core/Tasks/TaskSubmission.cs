using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Monitoring.Core.Tasks;

/// <summary>A request to enqueue a task, as the API, the console and the demo producer make it.</summary>
public sealed record TaskSubmission
{
    public string? Type { get; init; }
    public TaskPriority Priority { get; init; } = TaskPriority.Normal;
    /// <summary>Must be a JSON object; null means <c>{}</c>.</summary>
    public JsonElement? Parameters { get; init; }
    public int? MaxAttempts { get; init; }
    public int? TimeoutSeconds { get; init; }
    public long? RequiredGpuMemoryBytes { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? Source { get; init; }
}

/// <summary>Field-level validation shared by every producer. Keys are the JSON field names.</summary>
public static partial class TaskSubmissionValidator
{
    public static Dictionary<string, string[]> Validate(TaskSubmission submission, out string parametersJson)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var errors = new Dictionary<string, string[]>();
        parametersJson = "{}";

        if (string.IsNullOrWhiteSpace(submission.Type))
        {
            errors["type"] = ["The task type is required."];
        }
        else if (submission.Type.Length > TaskItem.MaxTypeLength || !TypePattern().IsMatch(submission.Type))
        {
            errors["type"] = [$"The task type must be 1–{TaskItem.MaxTypeLength} characters of lower-case letters, digits, '.', '-' or '_', starting with a letter or digit."];
        }

        if (!Enum.IsDefined(submission.Priority))
        {
            errors["priority"] = ["Priority must be one of Critical, High, Normal, Low."];
        }

        if (submission.Parameters is { } parameters)
        {
            if (parameters.ValueKind != JsonValueKind.Object)
            {
                errors["parameters"] = [$"Parameters must be a JSON object, not {parameters.ValueKind.ToString().ToLowerInvariant()}."];
            }
            else
            {
                parametersJson = JsonSerializer.Serialize(parameters);
                var bytes = Encoding.UTF8.GetByteCount(parametersJson);
                if (bytes > TaskItem.MaxParametersBytes)
                {
                    errors["parameters"] = [$"Parameters are {bytes:N0} bytes; the limit is {TaskItem.MaxParametersBytes:N0} bytes (64 KiB)."];
                }
            }
        }

        if (submission.MaxAttempts is < 1 or > 100)
        {
            errors["maxAttempts"] = ["maxAttempts must be between 1 and 100."];
        }

        if (submission.TimeoutSeconds is < 1 or > 7 * 24 * 3600)
        {
            errors["timeoutSeconds"] = ["timeoutSeconds must be between 1 and 604800 (7 days)."];
        }

        if (submission.RequiredGpuMemoryBytes is < 0)
        {
            errors["requiredGpuMemoryBytes"] = ["requiredGpuMemoryBytes cannot be negative."];
        }

        // A blank key would make every blank-keyed request "the same request"; control characters and lone
        // surrogates cannot be shown or stored faithfully.
        if (submission.IdempotencyKey is { } key &&
            (key.Length > TaskItem.MaxIdempotencyKeyLength || string.IsNullOrWhiteSpace(key) || key.Any(char.IsControl) || !UnicodeText.IsWellFormed(key)))
        {
            errors["idempotencyKey"] = [$"The idempotency key must be 1–{TaskItem.MaxIdempotencyKeyLength} printable characters, not only spaces."];
        }

        if (submission.Source is { Length: > 64 })
        {
            errors["source"] = ["source must be at most 64 characters."];
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex TypePattern();
}

/// <summary>An idempotency key already names a task that was submitted differently (SPEC §9): the first
/// submission stands and the second is refused rather than silently answered with a task it did not ask for.</summary>
public sealed class IdempotencyConflictException(string key, long taskId, IReadOnlyList<string> fields)
    : InvalidOperationException($"Idempotency key '{key}' was used for task {taskId} with a different {string.Join(", ", fields)}; use a new key for a different task.")
{
    public long TaskId { get; } = taskId;
    public IReadOnlyList<string> Fields { get; } = fields;
}

public sealed class TaskValidationException(IReadOnlyDictionary<string, string[]> errors)
    : ArgumentException("The task submission is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
