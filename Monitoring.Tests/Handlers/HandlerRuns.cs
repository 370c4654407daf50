using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;

namespace Monitoring.Tests.Handlers;

/// <summary>Builds handlers and runs for the handler tests.</summary>
internal static class HandlerRuns
{
    public static ProcessTaskHandler ProcessHandler(string type, string command, params string[] args) =>
        ProcessHandler(type, new ProcessTaskTypeOptions { Command = command, Args = args });

    /// <summary>A process type whose placeholders are declared: <c>("width", Integer(16, 4096))</c>, ….</summary>
    public static ProcessTaskHandler ProcessHandler(string type, (string Name, TaskParameterOptions Declaration)[] parameters, string command, params string[] args) =>
        ProcessHandler(type, new ProcessTaskTypeOptions
        {
            Command = command,
            Args = args,
            Parameters = parameters.ToDictionary(p => p.Name, p => p.Declaration, StringComparer.Ordinal),
        });

    public static TaskParameterOptions Integer(decimal min, decimal max, string? @default = null) =>
        new() { Type = "integer", Min = min, Max = max, Default = @default };

    public static TaskParameterOptions Text(string? pattern = null, string? @default = null) =>
        new() { Type = "string", Pattern = pattern, Default = @default };

    public static ProcessTaskHandler ProcessHandler(string type, ProcessTaskTypeOptions options)
    {
        var types = new TaskTypesOptions();
        types.Types[type] = options;
        return new ProcessTaskHandler(Options.Create(types));
    }

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static TaskRun Run(
        string type, string parameters, string outputDirectory, string? gpuUuid = null, IProgress<int>? progress = null, long taskId = 7, int attempt = 1) =>
        new(taskId, type, Json(parameters), attempt, "worker-1", gpuUuid, gpuUuid is null ? 0 : 1L << 30, outputDirectory, progress ?? new RecordingProgress());
}

/// <summary>Options that never change, for handlers built without a host.</summary>
internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

/// <summary>Records progress on the reporting thread (<see cref="Progress{T}"/> would post it elsewhere, out of order).</summary>
internal sealed class RecordingProgress : IProgress<int>
{
    private readonly ConcurrentQueue<int> _values = new();

    public IReadOnlyList<int> Values => [.. _values];

    public void Report(int value) => _values.Enqueue(value);
}

/// <summary>Processes as Linux lists them under /proc.</summary>
internal static class ProcessTable
{
    /// <summary>Command lines (arguments joined by spaces) of live processes whose working directory is
    /// <paramref name="directory"/>: a process task and everything it started run there.</summary>
    public static List<string> CommandLinesIn(string directory)
    {
        var found = new List<string>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out _))
            {
                continue;
            }
            try
            {
                // A zombie (killed, not yet reaped) has an empty command line and no working directory.
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ').Trim();
                var cwd = new FileInfo(Path.Combine(entry, "cwd")).LinkTarget;
                if (commandLine.Length > 0 && cwd is not null && Path.TrimEndingDirectorySeparator(cwd) == Path.TrimEndingDirectorySeparator(directory))
                {
                    found.Add(commandLine);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return found;
    }

    /// <summary>Polls until <paramref name="done"/> holds for the processes in <paramref name="directory"/>, or the time is up.</summary>
    public static async Task<List<string>> WaitAsync(string directory, Func<List<string>, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var processes = CommandLinesIn(directory);
            if (done(processes) || DateTime.UtcNow > deadline)
            {
                return processes;
            }
            await Task.Delay(50);
        }
    }
}
