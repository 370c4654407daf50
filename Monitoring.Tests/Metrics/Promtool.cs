using System.Diagnostics;

namespace Monitoring.Tests.Metrics;

/// <summary>Prometheus' own checker, <c>promtool check metrics</c>, from the Debian package <c>prometheus</c>.</summary>
public static class Promtool
{
    public sealed record Result(int ExitCode, string Output);

    public static string Path =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => System.IO.Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            "promtool is not installed. Run ./scripts/test.sh, which installs the Debian package 'prometheus' (/usr/bin/promtool), " +
            "or: sudo apt-get install -y prometheus");

    /// <summary>Feeds the exposition on stdin; lint problems and errors both come back on stdout/stderr with a
    /// non-zero exit code (3 for lint).</summary>
    public static Task<Result> CheckMetricsAsync(string exposition) => RunAsync(["check", "metrics"], exposition);

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, string input = "")
    {
        using var process = Process.Start(new ProcessStartInfo(Path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
