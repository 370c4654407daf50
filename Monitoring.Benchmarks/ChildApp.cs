using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.Benchmarks;

/// <summary>The real web app as a separate OS process: <c>dotnet Monitoring.Web.dll</c> from the
/// benchmark's own output folder (Monitoring.Web is a referenced project, so its dll, deps.json,
/// runtimeconfig.json and appsettings.json are copied there). Linux only: it is measured through /proc.</summary>
internal sealed partial class ChildApp : IAsyncDisposable
{
    /// <summary>USER_HZ: /proc reports CPU times in clock ticks of 1/100 s on every Linux the product runs on.</summary>
    public const double ClockTicksPerSecond = 100;

    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _tail = new();
    private long _lines;
    private bool _stopped;

    private ChildApp(Process process, string webDll)
    {
        _process = process;
        WebDll = webDll;
        Pid = process.Id;
    }

    public int Pid { get; }

    public string WebDll { get; }

    /// <summary>Lines the child has written to stdout and stderr so far.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Completes with the address when the product logs "Monitoring console listening on …".</summary>
    public Task<Uri> Listening => _listening.Task;

    /// <summary>Monitoring.Web.dll next to this benchmark, after checking that the files a
    /// <c>dotnet Monitoring.Web.dll</c> start needs are there too.</summary>
    public static string LocateWebDll()
    {
        var folder = AppContext.BaseDirectory;
        var dll = Path.Combine(folder, "Monitoring.Web.dll");
        foreach (var file in new[] { dll, Path.ChangeExtension(dll, ".deps.json"), Path.ChangeExtension(dll, ".runtimeconfig.json"), Path.Combine(folder, "appsettings.json") })
        {
            Check.That(File.Exists(file), $"{file} is missing: the benchmark needs the web app's build output next to its own.");
        }

        return dll;
    }

    /// <summary>Publishes Monitoring.Web (Release) into <paramref name="outputFolder"/> and returns its dll: the
    /// console's browser assets (_framework/blazor.web.js, _content/…, lib/…) are served from a published folder
    /// only; a Production host run from the build output answers them with empty bodies. <c>--no-build</c>: the
    /// benchmark's own build built Monitoring.Web in Release (a referenced project), and a publish that builds
    /// compiles it again with other properties, which takes minutes on a busy machine.</summary>
    public static async Task<string> PublishWebAsync(string outputFolder)
    {
        var project = FindWebProject();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "--no-build", "-o", outputFolder, "--nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new BenchmarkCheckException($"could not start {start.FileName} publish");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Check.That(process.ExitCode == 0, $"dotnet publish {project} exited with {process.ExitCode}:{Environment.NewLine}{await output}{await errors}");
        var dll = Path.Combine(outputFolder, "Monitoring.Web.dll");
        Check.That(File.Exists(dll) && Directory.Exists(Path.Combine(outputFolder, "wwwroot")), $"dotnet publish left no {dll} with a wwwroot next to it.");
        return dll;
    }

    /// <summary>Monitoring.Web/Monitoring.Web.csproj in the repository this benchmark was built from.</summary>
    private static string FindWebProject()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var project = Path.Combine(folder.FullName, "Monitoring.Web", "Monitoring.Web.csproj");
            if (File.Exists(project))
            {
                return project;
            }
        }

        throw new BenchmarkCheckException($"no Monitoring.Web/Monitoring.Web.csproj above {AppContext.BaseDirectory}: run the benchmark from the repository.");
    }

    public static ChildApp Start(string webDll, string dataDirectory, IEnumerable<string> extraArguments)
    {
        Check.That(OperatingSystem.IsLinux(), "the child app is measured through /proc/<pid>: Linux only.");
        var start = new ProcessStartInfo(DotnetHost())
        {
            // The content root is the working folder: appsettings.json is read from there, as in a deployment.
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(webDll);
        foreach (var argument in new[] { "--urls", "http://127.0.0.1:0", $"--Storage:DataDirectory={dataDirectory}" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(start) ?? throw new BenchmarkCheckException($"could not start {start.FileName} {webDll}");
        var child = new ChildApp(process, webDll);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => child._listening.TrySetException(
            new BenchmarkCheckException($"the web app exited with code {SafeExitCode(process)} before it listened; last output:{Environment.NewLine}{child.Tail()}"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => child.Kill();
        return child;
    }

    /// <summary>Waits for the listening line (120 s at most) and checks that <c>/health/live</c> answers 200.</summary>
    public async Task<Uri> WaitReadyAsync()
    {
        Uri address;
        try
        {
            address = await Listening.WaitAsync(TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            throw new BenchmarkCheckException($"the web app did not log its listening line within 120 s; last output:{Environment.NewLine}{Tail()}");
        }

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Check.That(response.StatusCode == System.Net.HttpStatusCode.OK, $"GET {address}health/live answered {(int)response.StatusCode}.");
        return address;
    }

    /// <summary>user + system CPU time of the whole process (all threads, live and exited), in clock ticks:
    /// fields 14 and 15 of <c>/proc/&lt;pid&gt;/stat</c>.</summary>
    public long CpuTicks()
    {
        var stat = ReadProc("stat");
        // Field 2 (comm) is in parentheses and may hold spaces; count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
    }

    /// <summary>A full, blocking garbage collection in the child, asked through the runtime's diagnostics port as
    /// <c>dotnet-gcdump</c> asks for one: an EventPipe session with the runtime's GC heap-collect keyword. Returns
    /// after the session ran for <paramref name="settle"/> (the collection happens as it starts).</summary>
    public async Task CollectGarbageAsync(TimeSpan settle)
    {
        const long GcKeyword = 0x1, GcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(Pid);
        using var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword), requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        await Task.Delay(settle);
        await Task.Run(session.Stop);
        await drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> field in kB (VmRSS, Threads…), as a number.</summary>
    public long Status(string field)
    {
        foreach (var line in ReadProc("status").Split('\n'))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new BenchmarkCheckException($"/proc/{Pid}/status has no {field} line.");
    }

    private string ReadProc(string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{Pid}/{file}");
        }
        catch (IOException ex)
        {
            throw new BenchmarkCheckException($"the web app (pid {Pid}) is gone ({ex.Message}); last output:{Environment.NewLine}{Tail()}");
        }
    }

    public string Tail() => string.Join(Environment.NewLine, _tail);

    /// <summary>Kills the process tree and checks it is gone.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        _stopped = true;
        Check.That(!Directory.Exists($"/proc/{Pid}"), $"the web app (pid {Pid}) is still there after being killed.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        Interlocked.Increment(ref _lines);
        _tail.Enqueue(line);
        while (_tail.Count > 40 && _tail.TryDequeue(out _))
        {
        }

        if (!_listening.Task.IsCompleted && line.Contains("Monitoring console listening on", StringComparison.Ordinal))
        {
            var match = Address().Match(line);
            if (match.Success)
            {
                _listening.TrySetResult(new Uri(match.Value));
            }
        }
    }

    private static int? SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The <c>dotnet</c> host that runs this benchmark, else the one the SDK names, else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        foreach (var candidate in new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? Path.Combine(root, "dotnet") : null,
        })
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "dotnet";
    }

    [GeneratedRegex(@"https?://[^\s,]+")]
    private static partial Regex Address();
}
