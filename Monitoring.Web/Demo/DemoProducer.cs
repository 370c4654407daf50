using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Demo;

/// <summary>Enqueues a steady trickle of demo tasks so a fresh console has something to show.</summary>
internal sealed class DemoProducer(
    TaskQueue queue, TaskReader reader, IOptionsMonitor<DemoOptions> options, TimeProvider clock, ILogger<DemoProducer> logger)
    : BackgroundService
{
    private static readonly Actor Producer = new("demo", ActorKind.System);
    private static readonly string[] Resolutions = ["640x360", "1280x720", "1920x1080"];
    private static readonly string[] Languages = ["en", "de", "fr", "ja"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var random = new Random();
        long sequence = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            var delay = TimeSpan.FromMinutes(1) / settings.TasksPerMinute;
            try
            {
                await Task.Delay(delay, clock, stoppingToken);
                if (!settings.Enabled)
                {
                    continue;
                }

                var waiting = await reader.ListAsync(new TaskFilter { Statuses = [TaskState.Pending], Types = ["demo.video-synthesis", "demo.transcription"] }, 1, 1, stoppingToken);
                if (waiting.Total >= settings.MaxBacklog)
                {
                    continue;
                }

                sequence++;
                await queue.EnqueueAsync(NextTask(random, sequence), Producer, stoppingToken);
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

    private static TaskSubmission NextTask(Random random, long sequence)
    {
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
            Type = video ? "demo.video-synthesis" : "demo.transcription",
            Priority = priority,
            Parameters = JsonSerializer.SerializeToElement(parameters),
            RequiredGpuMemoryBytes = (video ? random.Next(2, 9) : random.Next(1, 4)) * 1024L * 1024 * 1024,
            Source = "demo",
        };
    }
}
