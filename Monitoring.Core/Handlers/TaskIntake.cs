using Monitoring.Core.Tasks;

namespace Monitoring.Core.Handlers;

/// <summary>The front door for new tasks from the API, the console and the demo producer: the type must
/// exist and accept the parameters (so a task that would only be rejected later is refused now), and the
/// type's defaults fill what the submission leaves out.</summary>
public sealed class TaskIntake(TaskTypeRegistry registry, TaskQueue queue)
{
    public async Task<EnqueueResult> EnqueueAsync(TaskSubmission submission, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var errors = new Dictionary<string, string[]>(TaskSubmissionValidator.Validate(submission, out _));
        if (!errors.ContainsKey("type"))
        {
            foreach (var (field, messages) in registry.ValidateSubmission(submission.Type!, submission.Parameters))
            {
                errors[field] = messages;
            }
        }

        if (errors.Count > 0)
        {
            throw new TaskValidationException(errors);
        }

        registry.TryGet(submission.Type!, out var definition, out _);
        var withDefaults = submission with
        {
            Parameters = definition!.ParameterSchema is { } schema ? schema.WithDefaults(submission.Parameters) : submission.Parameters,
            RequiredGpuMemoryBytes = submission.RequiredGpuMemoryBytes ?? (definition!.RequiresGpu ? definition.GpuMemoryBytes : 0),
            TimeoutSeconds = submission.TimeoutSeconds ?? definition!.TimeoutSeconds,
            MaxAttempts = submission.MaxAttempts ?? definition!.MaxAttempts,
        };
        return await queue.EnqueueAsync(withDefaults, actor, cancellationToken);
    }
}
