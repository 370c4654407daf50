using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Handlers;

/// <summary>One process task type, from <c>TaskTypes:&lt;name&gt;</c>: an executable and its argument templates.</summary>
public sealed class ProcessTaskTypeOptions
{
    /// <summary>The name <see cref="VideoSynthesizeExample"/> is meant to be configured under.</summary>
    public const string VideoSynthesizeExampleName = "video.synthesize";

    /// <summary>The executable: a path, or a name looked up on <c>PATH</c>. Never run through a shell.</summary>
    public string Command { get; set; } = "";

    /// <summary>One entry per argument. <c>{param}</c> placeholders are filled from the task's parameters;
    /// <c>{task_id}</c>, <c>{attempt}</c> and <c>{output_dir}</c> are always available and are not parameters.</summary>
    public IList<string> Args { get; set; } = [];

    /// <summary>Every <c>{param}</c> placeholder of <see cref="Args"/>, declared with its type: a submitted value is
    /// inserted only after it fits.</summary>
    public IDictionary<string, TaskParameterOptions> Parameters { get; set; } =
        new Dictionary<string, TaskParameterOptions>(StringComparer.Ordinal);

    public bool RequiresGpu { get; set; }

    /// <summary>GPU memory a task of this type needs; &gt; 0 when <see cref="RequiresGpu"/>, 0 otherwise.</summary>
    public long GpuMemoryBytes { get; set; }

    /// <summary>Null = <c>Tasks:DefaultTimeoutSeconds</c>.</summary>
    public int? TimeoutSeconds { get; set; }

    /// <summary>Null = <c>Tasks:DefaultMaxAttempts</c>.</summary>
    public int? MaxAttempts { get; set; }

    public string? Description { get; set; }

    /// <summary>Extra environment variables for the process, on top of the server's own.</summary>
    public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The default <c>video.synthesize</c> type: ffmpeg renders a test pattern to an MP4 file.</summary>
    /// <remarks>CPU only: ffmpeg picks libx264, a CPU encoder, so the type runs on any machine. A GPU variant
    /// would use <c>h264_nvenc</c>, which needs an NVIDIA driver and fails everywhere else.</remarks>
    public static ProcessTaskTypeOptions VideoSynthesizeExample => new()
    {
        Command = "ffmpeg",
        Args =
        [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", "testsrc=size={width}x{height}:rate=25",
            "-t", "{seconds}",
            "-pix_fmt", "yuv420p",
            "{output_dir}/video-{task_id}.mp4",
        ],
        // Even sizes: libx264 refuses odd ones with yuv420p, which halves the colour planes.
        Parameters = new Dictionary<string, TaskParameterOptions>(StringComparer.Ordinal)
        {
            ["width"] = new() { Type = "integer", Min = 16, Max = 3840, MultipleOf = 2, Default = "320", Description = "Frame width in pixels (even)." },
            ["height"] = new() { Type = "integer", Min = 16, Max = 3840, MultipleOf = 2, Default = "240", Description = "Frame height in pixels (even)." },
            ["seconds"] = new() { Type = "integer", Min = 1, Max = 60, Default = "2", Description = "Length of the video in seconds." },
        },
        RequiresGpu = false,
        TimeoutSeconds = 300,
        MaxAttempts = 2,
        Description = "Renders a test-pattern video of {width}x{height} pixels lasting {seconds} s with ffmpeg (CPU encoder).",
    };
}

/// <summary>Every process task type: the <c>TaskTypes</c> section, keyed by type name.</summary>
public sealed class TaskTypesOptions
{
    public const string Section = "TaskTypes";

    public IDictionary<string, ProcessTaskTypeOptions> Types { get; set; } =
        new Dictionary<string, ProcessTaskTypeOptions>(StringComparer.Ordinal);
}

/// <summary>Checks every process task type and reports every problem at once, each naming its key.</summary>
public sealed partial class ValidateTaskTypesOptions : IValidateOptions<TaskTypesOptions>
{
    // Same bounds as Tasks:DefaultTimeoutSeconds and Tasks:DefaultMaxAttempts.
    private const int MaxTimeoutSeconds = 7 * 24 * 3600;
    private const int MaxAttemptsLimit = 100;

    /// <summary>Set per attempt by the process handler from the scheduler's placement.</summary>
    internal const string GpuVariable = "CUDA_VISIBLE_DEVICES";

    public ValidateOptionsResult Validate(string? name, TaskTypesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var (type, definition) in options.Types.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var key = $"{TaskTypesOptions.Section}:{type}";
            if (!TypeName().IsMatch(type))
            {
                errors.Add($"{key}: '{type}' is not a valid task type name (lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)");
            }
            if (definition is null)
            {
                errors.Add($"{key}:Command is required");
                continue;
            }
            if (string.IsNullOrWhiteSpace(definition.Command))
            {
                errors.Add($"{key}:Command is required");
            }
            var args = definition.Args ?? [];
            var usedIn = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < args.Count; i++)
            {
                if (!ArgumentTemplate.TryParse(args[i] ?? "", out var template, out var error))
                {
                    errors.Add($"{key}:Args:{i} {error}");
                    continue;
                }
                foreach (var placeholder in template.Placeholders.Where(p => !ArgumentTemplate.IsBuiltIn(p)))
                {
                    var uses = usedIn.TryGetValue(placeholder, out var list) ? list : usedIn[placeholder] = [];
                    if (!uses.Contains(i))
                    {
                        uses.Add(i);
                    }
                }
            }
            var declarations = definition.Parameters ?? new Dictionary<string, TaskParameterOptions>();
            TaskParameterSchema.Compile(key, declarations, usedIn.Keys, errors);
            foreach (var (placeholder, uses) in usedIn.OrderBy(u => u.Value[0]))
            {
                if (!declarations.ContainsKey(placeholder))
                {
                    errors.Add($"{key}:Parameters:{placeholder} is not declared (used in {string.Join(", ", uses.Select(i => $"Args:{i}"))}); " +
                        "declare its Type (integer, number, boolean, enum or string)");
                }
            }
            foreach (var declared in declarations.Keys.Where(d => !usedIn.ContainsKey(d) && ArgumentTemplate.IsValidName(d) && !ArgumentTemplate.IsBuiltIn(d)).Order(StringComparer.Ordinal))
            {
                // Accepted and then ignored would hide a typo in Args.
                errors.Add($"{key}:Parameters:{declared} is declared but no argument uses {{{declared}}}");
            }
            if (definition.GpuMemoryBytes < 0)
            {
                errors.Add($"{key}:GpuMemoryBytes must be 0 or more");
            }
            else if (definition.RequiresGpu && definition.GpuMemoryBytes == 0)
            {
                errors.Add($"{key}:GpuMemoryBytes must be more than 0 when RequiresGpu is true");
            }
            else if (!definition.RequiresGpu && definition.GpuMemoryBytes > 0)
            {
                // A task with GPU memory and no GPU would be neither a CPU task nor placeable; say which was meant.
                errors.Add($"{key}:GpuMemoryBytes is set but RequiresGpu is false");
            }
            if (definition.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
            {
                errors.Add($"{key}:TimeoutSeconds must be between 1 and {MaxTimeoutSeconds}");
            }
            if (definition.MaxAttempts is < 1 or > MaxAttemptsLimit)
            {
                errors.Add($"{key}:MaxAttempts must be between 1 and {MaxAttemptsLimit}");
            }
            foreach (var (variable, value) in definition.Environment ?? new Dictionary<string, string>())
            {
                if (variable.Length == 0 || variable.Contains('=', StringComparison.Ordinal) || variable.Contains('\0', StringComparison.Ordinal))
                {
                    errors.Add($"{key}:Environment: '{variable}' is not a valid variable name");
                }
                else if (string.Equals(variable, GpuVariable, StringComparison.Ordinal))
                {
                    errors.Add($"{key}:Environment:{variable} must not be set: the scheduler sets it to the GPU it places the task on");
                }
                if (value is not null && value.Contains('\0', StringComparison.Ordinal))
                {
                    errors.Add($"{key}:Environment:{variable} must not contain NUL");
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex TypeName();
}
