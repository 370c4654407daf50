using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Workers;

/// <summary>Real processes through the whole product: API → queue → scheduler → worker → process handler.</summary>
public sealed class ProcessTaskTests
{
    private static readonly (string, string)[] SleepType =
    [
        ("TaskTypes:sleep:Command", "sleep"),
        ("TaskTypes:sleep:Args:0", "{seconds}"),
        ("TaskTypes:sleep:Parameters:seconds:Type", "integer"),
        ("TaskTypes:sleep:TimeoutSeconds", "1"),
        ("TaskTypes:sleep:MaxAttempts", "1"),
    ];

    [Fact]
    public async Task A_timeout_stops_the_task_and_kills_its_real_process()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(SleepType));
        using var client = app.CreateClient();

        var created = await client.PostJsonAsync("/api/v1/tasks", new { type = "sleep", parameters = new { seconds = 317 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
        await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "317").Count == 1, "the sleep process runs");

        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(id))!.Status == TaskState.Failed, "the task times out");

        var task = await app.Reader.GetAsync(id);
        Assert.Equal(FailureKind.Timeout, task!.FailureKind);
        await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "317").Count == 0, "no sleep process is left", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_ffmpeg_example_renders_a_video_that_ffprobe_reads()
    {
        Assert.True(File.Exists("/usr/bin/ffprobe"), "ffmpeg is missing: run ./scripts/test.sh, which installs Debian's ffmpeg package.");
        using var app = new MonitoringApp(MonitoringApp.Scheduling());
        using var client = app.CreateClient();

        var created = await client.PostJsonAsync("/api/v1/tasks", new { type = "video.synthesize", parameters = new { width = 320, height = 240, seconds = 1 } });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(id))!.IsFinished, "the render finishes", TimeSpan.FromSeconds(60));

        var task = await app.Reader.GetAsync(id);
        Assert.True(task!.Status == TaskState.Completed, $"{task.Status}: {task.Error}\n{task.OutputTail}");
        var video = Path.Combine(app.DataDirectory, "tasks", id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"video-{id}.mp4");
        Assert.True(File.Exists(video), $"expected {video}");
        using var result = JsonDocument.Parse(task.Result!);
        Assert.Contains($"video-{id}.mp4", result.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));

        var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,codec_type", "-of", "json", video])
        {
            RedirectStandardOutput = true,
        })!;
        var output = await probe.StandardOutput.ReadToEndAsync();
        await probe.WaitForExitAsync();
        Assert.Equal(0, probe.ExitCode);
        var stream = JsonDocument.Parse(output).RootElement.GetProperty("streams")[0];
        Assert.Equal(("video", 320, 240), (stream.GetProperty("codec_type").GetString(), stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));
    }

    [Fact]
    public async Task A_host_killed_mid_run_recovers_its_tasks_as_lost_when_restarted()
    {
        using var data = new TempDirectory();
        var port = WebProcess.FreePort();
        string[] arguments =
        [
            "--urls", $"http://127.0.0.1:{port}", "--Auth:Mode=None", "--Demo:Enabled=false", "--Gpu:Provider=none",
            "--Scheduler:LeaseSeconds=3", "--Scheduler:IntervalSeconds=1",
            "--TaskTypes:hold:Command=sleep", "--TaskTypes:hold:Args:0={seconds}", "--TaskTypes:hold:Parameters:seconds:Type=integer",
            "--TaskTypes:hold:MaxAttempts=3",
        ];
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        long id;
        using (var first = new WebProcess(data.Path, arguments))
        {
            await first.WaitUntilLiveAsync(http);
            var created = await http.PostJsonAsync("/api/v1/tasks", new { type = "hold", parameters = new { seconds = 319 } });
            id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
            await Eventually.TrueAsync(async () => await StatusAsync(http, id) == "Processing", "the task runs on the first host");

            first.KillHard();
        }

        // The orphaned child is left running: the restarted host kills it (HostShutdownTests shows how).
        using var second = new WebProcess(data.Path, arguments);
        await second.WaitUntilLiveAsync(http);
        await Eventually.TrueAsync(async () => await StatusAsync(http, id) is "Retrying" or "Pending" or "Processing" && await KindAsync(http, id) == "Lost",
            "the restarted host recovers the task as Lost", TimeSpan.FromSeconds(30));

        var task = await (await http.GetAsync($"/api/v1/tasks/{id}")).ReadJsonAsync();
        var events = task.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString() ?? "").ToList();
        Assert.Contains(events, m => m.StartsWith("Lost on attempt 1 of 3", StringComparison.Ordinal));
        OsProcesses.Kill(OsProcesses.Matching("sleep", "319"));
    }

    private static async Task<string?> StatusAsync(HttpClient http, long id) =>
        (await (await http.GetAsync($"/api/v1/tasks/{id}")).ReadJsonAsync()).GetProperty("status").GetString();

    private static async Task<string?> KindAsync(HttpClient http, long id)
    {
        var task = await (await http.GetAsync($"/api/v1/tasks/{id}")).ReadJsonAsync();
        return task.TryGetProperty("failureKind", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString() : null;
    }
}
