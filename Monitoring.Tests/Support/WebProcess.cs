using System.Diagnostics;
using System.Text;

namespace Monitoring.Tests.Support;

/// <summary>Runs the real console host as its own OS process, as an operator would start it.</summary>
public sealed class WebProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public WebProcess(string dataDirectory, params string[] arguments)
        : this(new WebProcessStart(), dataDirectory, arguments)
    {
    }

    public WebProcess(WebProcessStart how, string dataDirectory, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(how);
        // The test output folder holds the web app's dll, deps and runtime config (a referenced executable).
        var dll = Path.Combine(AppContext.BaseDirectory, "Monitoring.Web.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = how.WorkingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Storage:DataDirectory={dataDirectory}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in how.Environment)
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    /// <summary>Waits for the process to exit by itself; returns its exit code, or null if it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until <c>/health/live</c> answers on <paramref name="http"/>'s base address.</summary>
    public async Task WaitUntilLiveAsync(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        // A real process starts cold (JIT) and shares the cores with other tests: allow for it, a pass returns early.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/live")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the host answers\n{Output}", TimeSpan.FromSeconds(180));
    }

    public int Id => _process.Id;

    /// <summary>SIGTERM: what <c>systemctl stop</c> and <c>docker stop</c> send first; the host stops gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL, no chance to clean up: what a crash or an OOM kill does.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>A free loopback port for a host started with <c>--urls</c>.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>How a test starts a <see cref="WebProcess"/> beyond its command line.</summary>
public sealed record WebProcessStart
{
    /// <summary>Default: the test output folder, which is also the app's own folder.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Added to (or replacing) the test runner's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
