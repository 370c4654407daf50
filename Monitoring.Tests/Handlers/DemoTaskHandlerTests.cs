using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Core.Handlers;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

public sealed class DemoTaskHandlerTests
{
    private static DemoTaskHandler Handler(double failureRate, double speedFactor = 1000, TimeProvider? time = null, int? seed = 1) =>
        new(new FixedOptions<DemoHandlerOptions>(new DemoHandlerOptions { FailureRate = failureRate, SpeedFactor = speedFactor, Seed = seed }), time ?? TimeProvider.System);

    private static TaskRun DemoRun(string type, string parameters, RecordingProgress? progress = null) =>
        Run(type, parameters, "/nonexistent/demo-writes-no-files", gpuUuid: "GPU-0", progress: progress);

    [Fact]
    public void The_demo_types_say_what_they_need()
    {
        var types = Handler(0).Types.ToDictionary(t => t.Name);
        Assert.Equal((true, 4L << 30, "seconds,scene,resolution"), (types["demo.video-synthesis"].RequiresGpu, types["demo.video-synthesis"].GpuMemoryBytes, string.Join(',', types["demo.video-synthesis"].Parameters)));
        Assert.Equal((true, 2L << 30, "minutes,audio,language"), (types["demo.transcription"].RequiresGpu, types["demo.transcription"].GpuMemoryBytes, string.Join(',', types["demo.transcription"].Parameters)));
        Assert.Equal((false, 0L), (types["demo.noop"].RequiresGpu, types["demo.noop"].GpuMemoryBytes));
        Assert.Empty(types["demo.noop"].Parameters);
        Assert.All(types.Values, t => Assert.Equal("demo", t.Handler));
    }

    [Theory]
    [InlineData("demo.video-synthesis", "{}", null)]
    [InlineData("demo.video-synthesis", """{"seconds":2.5}""", null)]
    [InlineData("demo.video-synthesis", """{"seconds":"5"}""", "parameter 'seconds' must be a number, not string")]
    [InlineData("demo.video-synthesis", """{"seconds":0}""", "parameter 'seconds' must be more than 0")]
    [InlineData("demo.video-synthesis", """{"seconds":5,"fps":30}""", "unknown parameter 'fps'; accepted: seconds")]
    [InlineData("demo.transcription", """{"minutes":3}""", null)]
    [InlineData("demo.transcription", """{"seconds":3}""", "unknown parameter 'seconds'; accepted: minutes")]
    [InlineData("demo.noop", "{}", null)]
    [InlineData("demo.noop", """{"x":1}""", "unknown parameter 'x'; this task type takes none")]
    [InlineData("demo.noop", "[]", "parameters must be a JSON object, not array")]
    [InlineData("demo.other", "{}", "unknown task type 'demo.other' for the demo handler")]
    public void Parameters_are_checked(string type, string parameters, string? problem)
    {
        var problems = Handler(0).ValidateParameters(type, Json(parameters));
        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith(problem, Assert.Single(problems).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_failures_video_synthesis_completes_reporting_progress_up_to_100()
    {
        var progress = new RecordingProgress();
        var result = await Handler(0).RunAsync(DemoRun("demo.video-synthesis", """{"seconds":2}""", progress), CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 5), progress.Values);
        using var json = JsonDocument.Parse(result.ResultJson!);
        Assert.Equal(50, json.RootElement.GetProperty("frames").GetInt32());
        Assert.InRange(result.PeakGpuMemoryBytes!.Value, 1, 1L << 30);
    }

    [Fact]
    public async Task Transcription_takes_half_a_second_per_minute_divided_by_the_speed_factor()
    {
        var time = new FakeTimeProvider();
        var progress = new RecordingProgress();
        var running = Handler(0, speedFactor: 2, time: time).RunAsync(DemoRun("demo.transcription", """{"minutes":8}""", progress), CancellationToken.None);

        // 8 minutes × 0.5 s / 2 = 2 s in 20 steps of 100 ms.
        for (var step = 1; step <= 20; step++)
        {
            Assert.False(running.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(100));
            await WaitUntil(() => progress.Values.Count == step || running.IsCompleted);
        }
        var result = await running;
        Assert.Equal(100, progress.Values[^1]);
        Assert.Contains("\"words\":1120", result.ResultJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_failure_rate_1_every_attempt_fails_with_a_realistic_message()
    {
        var handler = Handler(1);
        var video = await Assert.ThrowsAsync<TaskFailedException>(() => handler.RunAsync(DemoRun("demo.video-synthesis", "{}"), CancellationToken.None));
        Assert.Matches("CUDA|decoder|NVENC|muxer", video.Message);
        Assert.Contains(video.Message, video.Detail, StringComparison.Ordinal);
        var transcription = await Assert.ThrowsAsync<TaskFailedException>(() => handler.RunAsync(DemoRun("demo.transcription", "{}"), CancellationToken.None));
        Assert.Matches("CUDA|audio|model", transcription.Message);
    }

    [Fact]
    public async Task A_seed_makes_failures_repeatable()
    {
        async Task<List<string>> Outcomes()
        {
            var handler = Handler(0.5, seed: 42);
            var outcomes = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                try
                {
                    await handler.RunAsync(DemoRun("demo.transcription", """{"minutes":0.1}"""), CancellationToken.None);
                    outcomes.Add("ok");
                }
                catch (TaskFailedException e)
                {
                    outcomes.Add(e.Message);
                }
            }
            return outcomes;
        }

        var first = await Outcomes();
        Assert.Equal(first, await Outcomes());
        Assert.Contains("ok", first);
        Assert.Contains(first, o => o != "ok");
    }

    [Fact]
    public async Task Cancellation_stops_a_simulation_at_once()
    {
        // A fake clock that never moves: only cancellation can end the run.
        var running = Handler(0, speedFactor: 1, time: new FakeTimeProvider()).RunAsync(DemoRun("demo.video-synthesis", """{"seconds":3600}"""), new CancellationTokenSource(50).Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Unknown_parameters_are_rejected_when_run()
    {
        var rejected = await Assert.ThrowsAsync<TaskRejectedException>(() =>
            Handler(0).RunAsync(DemoRun("demo.video-synthesis", """{"seconds":1,"fps":60}"""), CancellationToken.None));
        Assert.Equal("unknown parameter 'fps'; accepted: seconds, scene, resolution", rejected.Message);
    }

    [Fact]
    public async Task Descriptive_parameters_must_be_text()
    {
        var rejected = await Assert.ThrowsAsync<TaskRejectedException>(() =>
            Handler(0).RunAsync(DemoRun("demo.transcription", """{"minutes":1,"language":7}"""), CancellationToken.None));
        Assert.Equal("parameter 'language' must be text of at most 200 characters", rejected.Message);
    }

    [Fact]
    public async Task Noop_completes_at_once_even_at_failure_rate_1()
    {
        var handler = Handler(1);
        var run = Run("demo.noop", "{}", "/nonexistent");
        var task = handler.RunAsync(run, CancellationToken.None);
        Assert.True(task.IsCompletedSuccessfully);
        Assert.Null((await task).ResultJson);
        Assert.Same(task, handler.RunAsync(run, CancellationToken.None));
    }

    [Fact]
    public void Noop_allocates_nothing_per_run()
    {
        var handler = Handler(0);
        var run = Run("demo.noop", "{}", "/nonexistent");
        handler.RunAsync(run, CancellationToken.None);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            handler.RunAsync(run, CancellationToken.None);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
