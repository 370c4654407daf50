using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Handlers;

/// <summary>Built-in simulated workloads: they take time, report progress, claim GPU memory and fail at
/// <c>Demo:FailureRate</c>. They run the embedded demo and the tests without any real program.</summary>
public sealed class DemoTaskHandler : ITaskHandler
{
    public const string HandlerName = "demo";
    public const string VideoSynthesisType = "demo.video-synthesis";
    public const string TranscriptionType = "demo.transcription";
    public const string NoopType = "demo.noop";

    private const int Steps = 20;
    private const double MaxParameter = 24 * 3600;
    private const long GiB = 1024L * 1024 * 1024;

    private static readonly string[] VideoFailures =
    [
        "CUDA error: out of memory (tried to allocate 1.50 GiB)",
        "decoder: corrupt frame at 00:00:03.120",
        "NVENC: OpenEncodeSessionEx failed: out of memory (10)",
        "muxer: could not write header for output file (disk quota exceeded)",
    ];

    private static readonly string[] TranscriptionFailures =
    [
        "CUDA error: out of memory (tried to allocate 512.00 MiB)",
        "audio: unsupported sample rate 11025 Hz in input stream #0:1",
        "model: checksum mismatch in checkpoint shard 2 of 3",
        "CUDA error: an illegal memory access was encountered",
    ];

    // demo.noop runs 100,000 times in the soak benchmark: one cached result and one cached task, no allocation.
    private static readonly Task<TaskResult> NoopResult = Task.FromResult(new TaskResult(null));

    private readonly IOptionsMonitor<DemoHandlerOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random? _seeded;
    private readonly Lock _seededGate = new();

    public DemoTaskHandler(IOptionsMonitor<DemoHandlerOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
        if (options.CurrentValue.Seed is { } seed)
        {
            _seeded = new Random(seed);
        }
    }

    public string Name => HandlerName;

    public IReadOnlyList<TaskTypeDefinition> Types { get; } =
    [
        new(NoopType, HandlerName, RequiresGpu: false, GpuMemoryBytes: 0, TimeoutSeconds: null, MaxAttempts: null, Parameters: [],
            "Completes at once; for soak tests of the pipeline itself."),
        new(TranscriptionType, HandlerName, RequiresGpu: true, GpuMemoryBytes: 2 * GiB, TimeoutSeconds: null, MaxAttempts: null, Parameters: ["minutes", .. TranscriptionLabels],
            "Simulated speech transcription: 'minutes' of audio (number, default 1) take 0.5 s each, divided by Demo:SpeedFactor; 'audio' and 'language' are descriptive text."),
        new(VideoSynthesisType, HandlerName, RequiresGpu: true, GpuMemoryBytes: 4 * GiB, TimeoutSeconds: null, MaxAttempts: null, Parameters: ["seconds", .. VideoLabels],
            "Simulated video synthesis: runs 'seconds' (number, default 5) divided by Demo:SpeedFactor, in 20 progress steps; 'scene' and 'resolution' are descriptive text."),
    ];

    /// <summary>Descriptive text parameters: they change nothing in the simulation, but make demo history searchable.</summary>
    private static readonly string[] VideoLabels = ["scene", "resolution"];
    private static readonly string[] TranscriptionLabels = ["audio", "language"];
    private const int MaxLabelLength = 200;

    public IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters)
    {
        var accepted = type switch
        {
            NoopType => null,
            VideoSynthesisType => "seconds",
            TranscriptionType => "minutes",
            _ => "",
        };
        if (accepted == "")
        {
            return [new(null, $"unknown task type '{type}' for the {HandlerName} handler")];
        }
        var problems = Validate(accepted, LabelsOf(type), parameters, out _);
        return problems.Length == 0 ? [] : [.. problems.Select(p => new ParameterProblem(null, p))];
    }

    public Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        switch (run.Type)
        {
            case NoopType:
                var problems = Validate(null, [], run.Parameters, out _);
                if (problems.Length > 0)
                {
                    throw new TaskRejectedException(string.Join("; ", problems));
                }
                cancellationToken.ThrowIfCancellationRequested();
                return NoopResult;
            case VideoSynthesisType:
                return SimulateAsync(run, "seconds", defaultAmount: 5, secondsPerUnit: 1, VideoFailures, cancellationToken);
            case TranscriptionType:
                return SimulateAsync(run, "minutes", defaultAmount: 1, secondsPerUnit: 0.5, TranscriptionFailures, cancellationToken);
            default:
                throw new TaskRejectedException($"unknown task type '{run.Type}' for the {HandlerName} handler");
        }
    }

    private async Task<TaskResult> SimulateAsync(
        TaskRun run, string parameter, double defaultAmount, double secondsPerUnit, string[] failures, CancellationToken cancellationToken)
    {
        var problems = Validate(parameter, LabelsOf(run.Type), run.Parameters, out var amount);
        if (problems.Length > 0)
        {
            throw new TaskRejectedException(string.Join("; ", problems));
        }
        var options = _options.CurrentValue;
        var units = amount ?? defaultAmount;
        var step = TimeSpan.FromSeconds(units * secondsPerUnit / options.SpeedFactor / Steps);

        // Decided up front so a seeded run fails at the same step every time.
        var (fails, failAtStep, failure, peakShare) = Draw(options.FailureRate, failures);
        for (var i = 1; i <= Steps; i++)
        {
            await Task.Delay(step, _timeProvider, cancellationToken);
            if (fails && i == failAtStep)
            {
                throw new TaskFailedException(failure, $"step {i}/{Steps} of {run.Type} (attempt {run.Attempt}): {failure}");
            }
            run.Progress.Report(i * 100 / Steps);
        }

        var result = run.Type == VideoSynthesisType
            ? $"{{\"simulated\":true,\"seconds\":{units.ToString(CultureInfo.InvariantCulture)},\"frames\":{Math.Round(units * 25).ToString(CultureInfo.InvariantCulture)}}}"
            : $"{{\"simulated\":true,\"minutes\":{units.ToString(CultureInfo.InvariantCulture)},\"words\":{Math.Round(units * 140).ToString(CultureInfo.InvariantCulture)}}}";
        // The simulated model uses most, never all, of what the scheduler reserved for it.
        long? peak = run.ReservedGpuMemoryBytes > 0 ? (long)(run.ReservedGpuMemoryBytes * peakShare) : null;
        return new TaskResult(result, $"{run.Type}: {Steps}/{Steps} steps done", peak);
    }

    private (bool Fails, int AtStep, string Message, double PeakShare) Draw(double failureRate, string[] failures)
    {
        if (_seeded is null)
        {
            return Draw(Random.Shared, failureRate, failures);
        }
        lock (_seededGate)
        {
            return Draw(_seeded, failureRate, failures);
        }
    }

    private static (bool, int, string, double) Draw(Random random, double failureRate, string[] failures) =>
        (random.NextDouble() < failureRate, random.Next(1, Steps + 1), failures[random.Next(failures.Length)], 0.7 + random.NextDouble() * 0.25);

    /// <summary>Accepts no parameter but <paramref name="accepted"/>, which must be a positive number.
    /// Allocates nothing for valid input, as demo.noop must.</summary>
    private static string[] LabelsOf(string type) => type switch
    {
        VideoSynthesisType => VideoLabels,
        TranscriptionType => TranscriptionLabels,
        _ => [],
    };

    private static string[] Validate(string? accepted, string[] labels, JsonElement parameters, out double? amount)
    {
        amount = null;
        if (parameters.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return [];
        }
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return [$"parameters must be a JSON object, not {parameters.ValueKind.ToString().ToLowerInvariant()}"];
        }
        List<string>? problems = null;
        var given = false;
        foreach (var property in parameters.EnumerateObject())
        {
            if (labels.Contains(property.Name, StringComparer.Ordinal))
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString()!.Length > MaxLabelLength)
                {
                    (problems ??= []).Add($"parameter '{property.Name}' must be text of at most {MaxLabelLength} characters");
                }

                continue;
            }

            if (accepted is null || !property.NameEquals(accepted))
            {
                (problems ??= []).Add(accepted is null
                    ? $"unknown parameter '{property.Name}'; this task type takes none"
                    : $"unknown parameter '{property.Name}'; accepted: {string.Join(", ", [accepted, .. labels])}");
                continue;
            }
            if (given)
            {
                (problems ??= []).Add($"parameter '{accepted}' is given twice");
                continue;
            }
            given = true;
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value))
            {
                (problems ??= []).Add($"parameter '{accepted}' must be a number, not {property.Value.ValueKind.ToString().ToLowerInvariant()}");
            }
            else if (value is <= 0 or > MaxParameter)
            {
                (problems ??= []).Add($"parameter '{accepted}' must be more than 0 and at most {MaxParameter}");
            }
            else
            {
                amount = value;
            }
        }
        return problems is null ? [] : [.. problems];
    }
}
