using System.Collections.Concurrent;
using System.Text.Json;
using Monitoring.Core.Handlers;

namespace Monitoring.Tests.Support;

/// <summary>A task handler the test controls: each task runs until the test releases it or it is
/// cancelled, so scheduling, draining, cancel and timeout can be observed step by step.</summary>
public sealed class GateHandler : ITaskHandler
{
    public const string CpuType = "test.gate";
    public const string GpuType = "test.gpu-gate";

    private readonly ConcurrentDictionary<long, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<long, TaskRun> _started = new();
    private readonly ConcurrentDictionary<long, bool> _cancelled = new();

    public string Name => "gate";

    public IReadOnlyList<TaskTypeDefinition> Types { get; } =
    [
        new(CpuType, "gate", RequiresGpu: false, GpuMemoryBytes: 0, TimeoutSeconds: null, MaxAttempts: null, Parameters: []),
        new(GpuType, "gate", RequiresGpu: true, GpuMemoryBytes: 1L << 30, TimeoutSeconds: null, MaxAttempts: null, Parameters: []),
    ];

    /// <summary>When true, tasks complete as soon as they start.</summary>
    public bool PassThrough { get; set; }

    public IReadOnlyCollection<long> Started => _started.Keys.ToList();

    public bool WasCancelled(long taskId) => _cancelled.ContainsKey(taskId);

    public TaskRun RunOf(long taskId) => _started[taskId];

    public IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters) => [];

    public async Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        _started[run.TaskId] = run;
        if (PassThrough)
        {
            return new TaskResult("{\"gate\":\"passed\"}", "passed through");
        }

        var gate = _gates.GetOrAdd(run.TaskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled[run.TaskId] = true;
            throw;
        }

        return new TaskResult("{\"gate\":\"released\"}", "released by the test");
    }

    public void Release(long taskId) =>
        _gates.GetOrAdd(taskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
