using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Demo;

/// <summary>Enqueues a steady trickle of demo tasks so a fresh console has something to show.</summary>
internal sealed class DemoProducer(
    TaskIntake intake, TaskReader reader, TaskTypeRegistry types, InstanceRole role, IOptionsMonitor<DemoOptions> options, TimeProvider clock, ILogger<DemoProducer> logger)
    : BackgroundService
{
    private static readonly string[] DemoTypes = [DemoTaskHandler.VideoSynthesisType, DemoTaskHandler.TranscriptionType, ProcessTaskTypeOptions.VideoSynthesizeExampleName];

    private static readonly Actor Producer = new("demo", ActorKind.System);
    private static readonly string[] Resolutions = ["640x360", "1280x720", "1920x1080"];
    private static readonly string[] Languages = ["en", "de", "fr", "ja"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var random = new Random();
        long sequence = 0;
        // The real ffmpeg example joins the mix when ffmpeg is installed and the type is configured.
        var withFfmpeg = types.TryGet(ProcessTaskTypeOptions.VideoSynthesizeExampleName, out _, out _) && FfmpegInstalled();
        logger.LogInformation("Demo producer: {Types}", withFfmpeg ? "demo types and ffmpeg video.synthesize" : "demo types (ffmpeg not found)");
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            var delay = TimeSpan.FromMinutes(1) / settings.TasksPerMinute;
            try
            {
                await Task.Delay(delay, clock, stoppingToken);
                // A read-only process (another owns the database) produces nothing: the owner's producer does.
                if (!settings.Enabled || role.IsReadOnly)
                {
                    continue;
                }

                var waiting = await reader.ListAsync(new TaskFilter { Statuses = [TaskState.Pending], Types = DemoTypes }, 1, 1, stoppingToken);
                if (waiting.Total >= settings.MaxBacklog)
                {
                    continue;
                }

                sequence++;
                await intake.EnqueueAsync(NextTask(random, sequence, withFfmpeg), Producer, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The demo must keep going after a transient failure (e.g. a locked database); the error is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "The demo producer could not enqueue a task");
            }
        }
    }

    private static bool FfmpegInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "ffmpeg")));

    private static TaskSubmission NextTask(Random random, long sequence, bool withFfmpeg)
    {
        if (withFfmpeg && random.NextDouble() < 0.15)
        {
            return new TaskSubmission
            {
                Type = ProcessTaskTypeOptions.VideoSynthesizeExampleName,
                Priority = TaskPriority.Normal,
                Parameters = JsonSerializer.SerializeToElement(new { width = 320, height = 240, seconds = 2 }),
                Source = "demo",
            };
        }

        var video = random.NextDouble() < 0.6;
        var priority = random.NextDouble() switch
        {
            < 0.05 => TaskPriority.Critical,
            < 0.25 => TaskPriority.High,
            < 0.85 => TaskPriority.Normal,
            _ => TaskPriority.Low,
        };
        object parameters = video
            ? new { scene = $"scene-{sequence:D5}", resolution = Resolutions[random.Next(Resolutions.Length)], seconds = random.Next(2, 12) }
            : new { audio = $"clip-{sequence:D5}.wav", language = Languages[random.Next(Languages.Length)], minutes = random.Next(1, 20) };
        return new TaskSubmission
        {
            Type = video ? DemoTaskHandler.VideoSynthesisType : DemoTaskHandler.TranscriptionType,
            Priority = priority,
            Parameters = JsonSerializer.SerializeToElement(parameters),
            RequiredGpuMemoryBytes = (video ? random.Next(2, 9) : random.Next(1, 4)) * 1024L * 1024 * 1024,
            Source = "demo",
        };
    }
}
