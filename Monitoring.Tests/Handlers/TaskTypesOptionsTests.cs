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
        Assert.Equal(["-i", "{input}"], video.Args);
        Assert.Equal("level=32", video.Environment["FFREPORT"]);

        var registry = services.GetRequiredService<TaskTypeRegistry>();
        Assert.True(registry.TryGet("video.synthesize", out var definition, out var handler));
        Assert.Equal(
            ("process", true, 2147483648L, (int?)300, (int?)2),
            (definition.Handler, definition.RequiresGpu, definition.GpuMemoryBytes, definition.TimeoutSeconds, definition.MaxAttempts));
        Assert.Equal(["input"], definition.Parameters);
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
        Assert.Equal(12, failures.Count);
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
    public void The_video_synthesize_example_is_valid_and_takes_width_height_and_seconds()
    {
        var handler = HandlerRuns.ProcessHandler(ProcessTaskTypeOptions.VideoSynthesizeExampleName, ProcessTaskTypeOptions.VideoSynthesizeExample);
        var definition = Assert.Single(handler.Types);
        Assert.Equal(new TaskTypeDefinition("video.synthesize", "process", false, 0, 300, 2, definition.Parameters, definition.Description), definition);
        Assert.Equal(["width", "height", "seconds"], definition.Parameters);
    }
}
