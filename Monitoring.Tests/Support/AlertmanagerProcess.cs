using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Monitoring.Tests.Support;

/// <summary>A real Prometheus Alertmanager (Debian package <c>prometheus-alertmanager</c>) on a free loopback
/// port, with a throw-away configuration (one receiver that sends nothing) and storage folder. Disposing kills it.</summary>
public sealed class AlertmanagerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();

    private AlertmanagerProcess(Process process, TempDirectory directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public Uri Url { get; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The binary, or null when neither name is on PATH.</summary>
    public static string? Binary { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .SelectMany(dir => new[] { Path.Combine(dir, "prometheus-alertmanager"), Path.Combine(dir, "alertmanager") })
            .FirstOrDefault(File.Exists);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<AlertmanagerProcess> StartAsync()
    {
        var binary = Binary ?? throw new InvalidOperationException("Alertmanager is not installed (apt-get install prometheus-alertmanager).");
        var directory = new TempDirectory();
        var config = Path.Combine(directory.Path, "alertmanager.yml");
        await File.WriteAllTextAsync(config, """
            route:
              receiver: "null"
              group_wait: 1s
            receivers:
              - name: "null"
            """);
        var port = WebProcess.FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}",
            $"--storage.path={Path.Combine(directory.Path, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            // No gossip: a cluster port would clash between parallel runs and is not needed by one node.
            "--cluster.listen-address=",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var alertmanager = new AlertmanagerProcess(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => alertmanager.Append(e.Data);
        process.ErrorDataReceived += (_, e) => alertmanager.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(process.HasExited, $"Alertmanager exited with {(process.HasExited ? process.ExitCode : 0)}:\n{alertmanager.Output}");
                try
                {
                    using var ready = await alertmanager.Http.GetAsync(new Uri(alertmanager.Url, "-/ready"));
                    return ready.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "Alertmanager is ready", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await alertmanager.DisposeAsync();
            throw;
        }

        return alertmanager;
    }

    /// <summary>GET /api/v2/alerts: the alerts Alertmanager holds (resolved ones are not listed).</summary>
    public async Task<IReadOnlyList<JsonElement>> AlertsAsync(string query = "")
    {
        var alerts = await Http.GetFromJsonAsync<JsonElement>(new Uri(Url, "api/v2/alerts" + query));
        return [.. alerts.EnumerateArray()];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            Http.Dispose();
            _directory.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
