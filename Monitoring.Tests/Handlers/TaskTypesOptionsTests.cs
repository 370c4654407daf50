using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;

namespace Monitoring.Tests.Handlers;

public sealed class TaskTypesOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddTaskHandlers()
            .BuildServiceProvider();
    }

    [Fact]
    public void The_TaskTypes_section_binds_into_process_types()
    {
        using var services = Services(new()
        {
            ["TaskTypes:video.synthesize:Command"] = "ffmpeg",
            ["TaskTypes:video.synthesize:Args:0"] = "-i",
            ["TaskTypes:video.synthesize:Args:1"] = "{input}",
            ["TaskTypes:video.synthesize:Args:2"] = "-preset",
            ["TaskTypes:video.synthesize:Args:3"] = "{preset}",
            ["TaskTypes:video.synthesize:Parameters:input:Type"] = "string",
            ["TaskTypes:video.synthesize:Parameters:input:Pattern"] = "[a-z]+[.]mp4",
            ["TaskTypes:video.synthesize:Parameters:input:Description"] = "A file in the input folder.",
            ["TaskTypes:video.synthesize:Parameters:preset:Type"] = "enum",
            ["TaskTypes:video.synthesize:Parameters:preset:Values:0"] = "fast",
            ["TaskTypes:video.synthesize:Parameters:preset:Values:1"] = "slow",
            ["TaskTypes:video.synthesize:Parameters:preset:Default"] = "slow",
            ["TaskTypes:video.synthesize:RequiresGpu"] = "true",
            ["TaskTypes:video.synthesize:GpuMemoryBytes"] = "2147483648",
            ["TaskTypes:video.synthesize:TimeoutSeconds"] = "300",
            ["TaskTypes:video.synthesize:MaxAttempts"] = "2",
            ["TaskTypes:video.synthesize:Environment:FFREPORT"] = "level=32",
            ["TaskTypes:cleanup:Command"] = "true",
        });

        var types = services.GetRequiredService<IOptions<TaskTypesOptions>>().Value.Types;
        Assert.Equal(["cleanup", "video.synthesize"], types.Keys.Order(StringComparer.Ordinal));
        var video = types["video.synthesize"];
        Assert.Equal(["-i", "{input}", "-preset", "{preset}"], video.Args);
        Assert.Equal(["fast", "slow"], video.Parameters["preset"].Values);
        Assert.Equal("level=32", video.Environment["FFREPORT"]);

        var registry = services.GetRequiredService<TaskTypeRegistry>();
        Assert.True(registry.TryGet("video.synthesize", out var definition, out var handler));
        Assert.Equal(
            ("process", true, 2147483648L, (int?)300, (int?)2),
            (definition.Handler, definition.RequiresGpu, definition.GpuMemoryBytes, definition.TimeoutSeconds, definition.MaxAttempts));
        Assert.Equal(["input", "preset"], definition.Parameters);
        Assert.Equal(
            ["input string [a-z]+[.]mp4 A file in the input folder.", "preset enum 'fast', 'slow' default slow"],
            definition.ParameterSchema!.Parameters.Select(p =>
                $"{p.Name} {p.TypeName} {p.Pattern}{string.Join(", ", p.Values.Select(v => $"'{v}'"))}{(p.Default is null ? "" : $" default {p.Default}")}{(p.Description is null ? "" : $" {p.Description}")}"));
        Assert.IsType<ProcessTaskHandler>(handler);
        Assert.Equal(
            ["cleanup", "demo.noop", "demo.transcription", "demo.video-synthesis", "video.synthesize"],
            registry.All.Select(d => d.Name));
    }

    [Fact]
    public void Bad_configuration_reports_every_bad_key_at_once()
    {
        using var services = Services(new()
        {
            ["TaskTypes:foo:Args:0"] = "x",
            ["TaskTypes:Bad Name:Command"] = "true",
            ["TaskTypes:gpu:Command"] = "nvidia-smi",
            ["TaskTypes:gpu:RequiresGpu"] = "true",
            ["TaskTypes:args:Command"] = "echo",
            ["TaskTypes:args:Args:0"] = "ok {fine}",
            ["TaskTypes:args:Args:1"] = "{unclosed",
            ["TaskTypes:args:Args:2"] = "stray}",
            ["TaskTypes:args:Args:3"] = "{}",
            ["TaskTypes:args:Args:4"] = "{1abc}",
            ["TaskTypes:limits:Command"] = "true",
            ["TaskTypes:limits:GpuMemoryBytes"] = "-1",
            ["TaskTypes:limits:TimeoutSeconds"] = "0",
            ["TaskTypes:limits:MaxAttempts"] = "101",
            ["TaskTypes:env:Command"] = "true",
            ["TaskTypes:env:Environment:CUDA_VISIBLE_DEVICES"] = "0",
            ["TaskTypes:cpu:Command"] = "true",
            ["TaskTypes:cpu:GpuMemoryBytes"] = "1024",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TaskTypesOptions>>().Value);
        var failures = error.Failures.ToList();
        Assert.Contains("TaskTypes:foo:Command is required", failures);
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:Bad Name: 'Bad Name' is not a valid task type name", StringComparison.Ordinal));
        Assert.Contains("TaskTypes:gpu:GpuMemoryBytes must be more than 0 when RequiresGpu is true", failures);
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:args:Args:1 has an unclosed '{' at position 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:args:Args:2 has an unmatched '}' at position 5", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:args:Args:3 has an invalid placeholder '{}'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:args:Args:4 has an invalid placeholder '{1abc}'", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("TaskTypes:args:Args:0", StringComparison.Ordinal));
        Assert.Contains("TaskTypes:limits:GpuMemoryBytes must be 0 or more", failures);
        Assert.Contains("TaskTypes:limits:TimeoutSeconds must be between 1 and 604800", failures);
        Assert.Contains("TaskTypes:limits:MaxAttempts must be between 1 and 100", failures);
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:env:Environment:CUDA_VISIBLE_DEVICES must not be set", StringComparison.Ordinal));
        Assert.Contains("TaskTypes:cpu:GpuMemoryBytes is set but RequiresGpu is false", failures);
        Assert.Contains(failures, f => f.StartsWith("TaskTypes:args:Parameters:fine is not declared (used in Args:0)", StringComparison.Ordinal));
        Assert.Equal(13, failures.Count);
    }

    [Fact]
    public void The_demo_options_are_validated_at_start()
    {
        using var services = Services(new() { ["Demo:FailureRate"] = "1.5", ["Demo:SpeedFactor"] = "0" });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DemoHandlerOptions>>().Value);
        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void A_handler_built_from_invalid_options_refuses_to_start()
    {
        var options = new TaskTypesOptions();
        options.Types["x"] = new ProcessTaskTypeOptions { Args = ["{"] };
        var error = Assert.Throws<OptionsValidationException>(() => new ProcessTaskHandler(Options.Create(options)));
        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void Undeclared_placeholders_stop_start_up_naming_the_key_and_where_they_are_used()
    {
        using var services = Services(new()
        {
            ["TaskTypes:encode:Command"] = "ffmpeg",
            ["TaskTypes:encode:Args:0"] = "-i",
            ["TaskTypes:encode:Args:1"] = "{input}",
            ["TaskTypes:encode:Args:2"] = "-t",
            ["TaskTypes:encode:Args:3"] = "{seconds}",
            ["TaskTypes:encode:Args:4"] = "{output_dir}/{input}-{task_id}.mp4",
            ["TaskTypes:encode:Parameters:seconds:Type"] = "integer",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TaskTypesOptions>>().Value);
        Assert.Equal(
            ["TaskTypes:encode:Parameters:input is not declared (used in Args:1, Args:4); declare its Type (integer, number, boolean, enum or string)"],
            error.Failures);
    }

    [Fact]
    public void Bad_parameter_declarations_are_reported_at_once_each_naming_its_key()
    {
        var settings = new Dictionary<string, string?> { ["TaskTypes:t:Command"] = "true" };
        var declarations = new (string Name, string Key, string Value)[]
        {
            ("untyped", "Description", "no type"),
            ("float", "Type", "float"),
            ("flags", "Type", "integer,string"),
            ("one", "Type", "1"),
            ("choice", "Type", "enum"),
            ("range", "Type", "integer"), ("range", "Min", "10"), ("range", "Max", "5"),
            ("ratio", "Type", "number"), ("ratio", "Max", "-1"),
            ("half", "Type", "integer"), ("half", "Min", "1.5"),
            ("even", "Type", "integer"), ("even", "MultipleOf", "0"),
            ("open", "Type", "string"), ("open", "Pattern", "(a"),
            ("backref", "Type", "string"), ("backref", "Pattern", "(a)\\1"),
            ("look", "Type", "string"), ("look", "Pattern", "(?=a)a"),
            ("huge", "Type", "string"), ("huge", "MaxLength", "5000"),
            ("sized", "Type", "string"), ("sized", "Min", "1"),
            ("count", "Type", "integer"), ("count", "Max", "100"), ("count", "Default", "500"),
            ("word", "Type", "integer"), ("word", "Default", "abc"),
            ("name", "Type", "string"), ("name", "Default", "-x"),
            ("mode", "Type", "enum"), ("mode", "Values:0", "a"), ("mode", "Values:1", "c"), ("mode", "Default", "b"),
            ("dup", "Type", "enum"), ("dup", "Values:0", "x"), ("dup", "Values:1", "x"),
            ("yes", "Type", "boolean"), ("yes", "Default", "yes"),
            ("unused", "Type", "string"),
            ("task_id", "Type", "integer"),
        };
        var i = 0;
        foreach (var (name, key, value) in declarations)
        {
            settings[$"TaskTypes:t:Parameters:{name}:{key}"] = value;
            if (name != "unused" && !settings.ContainsValue($"{{{name}}}"))
            {
                settings[$"TaskTypes:t:Args:{i++}"] = $"{{{name}}}";
            }
        }
        using var services = Services(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TaskTypesOptions>>().Value);
        string[] expected =
        [
            "TaskTypes:t:Parameters:backref:Pattern is not a usable regular expression",
            "TaskTypes:t:Parameters:choice:Values is required for an enum (at least one value)",
            "TaskTypes:t:Parameters:count:Default '500' does not fit: count must be an integer from 0 to 100 (got a number out of range)",
            "TaskTypes:t:Parameters:dup:Values:1 'x' is listed twice",
            "TaskTypes:t:Parameters:even:MultipleOf must be 1 or more",
            "TaskTypes:t:Parameters:flags:Type 'integer,string' is not a parameter type (integer, number, boolean, enum or string)",
            "TaskTypes:t:Parameters:float:Type 'float' is not a parameter type (integer, number, boolean, enum or string)",
            "TaskTypes:t:Parameters:half:Min must be a whole number",
            "TaskTypes:t:Parameters:huge:MaxLength must be between 1 and 4096",
            "TaskTypes:t:Parameters:look:Pattern is not a usable regular expression",
            "TaskTypes:t:Parameters:mode:Default 'b' does not fit: mode must be one of 'a', 'c' (got a value not in the list)",
            "TaskTypes:t:Parameters:name:Default '-x' does not fit: name must be text",
            "TaskTypes:t:Parameters:one:Type '1' is not a parameter type",
            "TaskTypes:t:Parameters:open:Pattern is not a usable regular expression",
            "TaskTypes:t:Parameters:range:Min (10) is more than Max (5)",
            "TaskTypes:t:Parameters:ratio:Min (0) is more than Max (-1)",
            "TaskTypes:t:Parameters:sized:Min and Max apply to integer and number parameters only",
            "TaskTypes:t:Parameters:task_id: {task_id} is filled by the server and cannot be declared as a parameter",
            "TaskTypes:t:Parameters:untyped:Type is required (integer, number, boolean, enum or string)",
            "TaskTypes:t:Parameters:unused is declared but no argument uses {unused}",
            "TaskTypes:t:Parameters:word:Default 'abc' does not fit: word must be an integer of at least 0 (got text that is not a number)",
            "TaskTypes:t:Parameters:yes:Default 'yes' does not fit: yes must be true or false",
        ];
        // Each failure starts with its expected text (some go on with the regex engine's own words).
        var failures = error.Failures.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, failures.Select((f, n) => n < expected.Length && f.StartsWith(expected[n], StringComparison.Ordinal) ? expected[n] : f));
    }

    [Fact]
    public void The_video_synthesize_example_is_valid_and_takes_bounded_even_sizes_and_seconds()
    {
        var handler = HandlerRuns.ProcessHandler(ProcessTaskTypeOptions.VideoSynthesizeExampleName, ProcessTaskTypeOptions.VideoSynthesizeExample);
        var definition = Assert.Single(handler.Types);
        Assert.Equal(new TaskTypeDefinition("video.synthesize", "process", false, 0, 300, 2, definition.Parameters, definition.Description, definition.ParameterSchema), definition);
        Assert.Equal(["width", "height", "seconds"], definition.Parameters);
        Assert.Equal(
            ["width: an integer from 16 to 3840, a multiple of 2; default 320", "height: an integer from 16 to 3840, a multiple of 2; default 240", "seconds: an integer from 1 to 60; default 2"],
            definition.ParameterSchema!.Parameters.Select(p => $"{p.Name}: {p.Rule}; default {p.Default}"));
    }

    [Fact]
    public void The_shipped_appsettings_configure_video_synthesize_exactly_as_the_example()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build();
        var shipped = new TaskTypesOptions();
        configuration.GetSection(TaskTypesOptions.Section).Bind(shipped.Types);

        Assert.Equal(Describe(ProcessTaskTypeOptions.VideoSynthesizeExample), Describe(shipped.Types[ProcessTaskTypeOptions.VideoSynthesizeExampleName]));
        Assert.Empty(new ValidateTaskTypesOptions().Validate(null, shipped).Failures ?? []);
    }

    private static string Describe(ProcessTaskTypeOptions o) => System.Text.Json.JsonSerializer.Serialize(new
    {
        o.Command,
        o.Args,
        Parameters = o.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new { p.Key, p.Value }),
        o.RequiresGpu,
        o.GpuMemoryBytes,
        o.TimeoutSeconds,
        o.MaxAttempts,
        o.Description,
        o.Environment,
    });
}
