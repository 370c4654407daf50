using System.Diagnostics;
using System.Text.Json;
using Monitoring.Core.Handlers;
using Monitoring.Tests.Support;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

/// <summary>The default <c>video.synthesize</c> type with the real ffmpeg.</summary>
public sealed class VideoSynthesizeTests
{
    [Theory]
    [InlineData("""{"width":640,"height":360,"seconds":3}""", 640, 360, 3)]
    [InlineData("""{"width":16,"height":3840,"seconds":1}""", 16, 3840, 1)]
    [InlineData("""{}""", 320, 240, 2)]
    [InlineData("""{"width":1.28e2}""", 128, 240, 2)]
    public async Task The_example_renders_a_video_of_the_requested_or_default_size_and_length(string parameters, int width, int height, int seconds)
    {
        // Not skipped when missing: the product's default task type needs ffmpeg, so a machine without it fails here.
        Assert.True(OnPath("ffmpeg") && OnPath("ffprobe"),
            "ffmpeg and ffprobe are not installed; run ./scripts/test.sh, which installs them (Debian package ffmpeg).");
        using var directory = new TempDirectory();
        var output = Path.Combine(directory.Path, "task");
        var handler = ProcessHandler(ProcessTaskTypeOptions.VideoSynthesizeExampleName, ProcessTaskTypeOptions.VideoSynthesizeExample);
        Assert.Empty(handler.ValidateParameters("video.synthesize", Json(parameters)));

        var result = await handler.RunAsync(Run("video.synthesize", parameters, output, taskId: 11), CancellationToken.None);

        using var json = JsonDocument.Parse(result.ResultJson!);
        Assert.Equal(["video-11.mp4"], json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        var probe = await Probe(Path.Combine(output, "video-11.mp4"));
        using var streams = JsonDocument.Parse(probe);
        var video = Assert.Single(streams.RootElement.GetProperty("streams").EnumerateArray());
        Assert.Equal((width, height), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        Assert.False(string.IsNullOrEmpty(video.GetProperty("codec_name").GetString()));
        // 25 frames a second: the length is exact to a frame.
        var duration = double.Parse(streams.RootElement.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(duration, seconds - 0.05, seconds + 0.05);
    }

    private static async Task<string> Probe(string file)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-v", "error", "-show_entries", "stream=width,height,codec_name:format=duration", "-of", "json", file })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffprobe exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, program)));
}
