using System.Diagnostics;
using Microsoft.Extensions.Options;
using Monitoring.Core.Handlers;
using Monitoring.Tests.Support;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

/// <summary>Task processes are tagged with their host instance and database, and a host that takes over finds and
/// kills, by that tag, the trees a crashed predecessor left running (Linux: it reads /proc).</summary>
public sealed class LeftoverProcessesTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<Process> _started = [];

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        OsProcesses.Kill(OsProcesses.Matching("sleep", "341"));
        OsProcesses.Kill(OsProcesses.Matching("sleep", "342"));
        _directory.Dispose();
    }

    [Fact]
    public async Task Every_task_process_carries_its_host_instance_database_and_task()
    {
        var types = new TaskTypesOptions();
        types.Types["env"] = new ProcessTaskTypeOptions { Command = "env" };
        var owner = new TaskProcessOwner("box/pid 4242/0badc0de", Path.Combine(_directory.Path, "monitoring.db"));
        var handler = new ProcessTaskHandler(Options.Create(types), owner);

        var environment = (await handler.RunAsync(Run("env", "{}", Path.Combine(_directory.Path, "task"), taskId: 77), CancellationToken.None)).OutputTail!.Split('\n');

        Assert.Contains("[out] MONITORING_TASK_HOST=box/pid 4242/0badc0de", environment);
        Assert.Contains($"[out] MONITORING_TASK_DB={owner.DatabasePath}", environment);
        Assert.Contains("[out] MONITORING_TASK_ID=77", environment);
        Assert.Contains(environment, line => line.StartsWith("[out] MONITORING_TASK_RUN=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Killing_orphans_takes_the_whole_trees_another_host_left_on_this_database_and_nothing_else()
    {
        var database = Path.Combine(_directory.Path, "monitoring.db");
        var current = new TaskProcessOwner($"box/pid {Environment.ProcessId}/11111111", database);
        const string deadHost = "box/pid 999999/22222222";
        // A shell with two children: killing the shell first re-parents them, and they must go too.
        Start(["sh", "-c", "sleep 341 & sleep 342; wait"], deadHost, database, taskId: 41);
        var mine = Start(["sleep", "343"], current.Host, database, taskId: 42);
        var otherDatabase = Start(["sleep", "344"], deadHost, database + "-other", taskId: 43);
        var untagged = Start(["sleep", "345"], host: null, database: null, taskId: null);
        await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "341").Count == 1 && OsProcesses.Matching("sleep", "342").Count == 1, "the orphaned tree runs");

        var killed = LeftoverProcesses.KillOrphans(current);

        Assert.Contains(killed, p => p.CommandLine == "sleep 341");
        Assert.Contains(killed, p => p.CommandLine == "sleep 342");
        Assert.All(killed, p => Assert.Equal((41L, deadHost), (p.TaskId!.Value, p.Host)));
        await Eventually.TrueAsync(() => OsProcesses.Matching("sleep", "341").Count == 0 && OsProcesses.Matching("sleep", "342").Count == 0,
            "the orphaned tree is gone", TimeSpan.FromSeconds(5));
        Assert.False(mine.HasExited, "this host's own task process must keep running");
        Assert.False(otherDatabase.HasExited, "another database's task process must keep running");
        Assert.False(untagged.HasExited, "an untagged process must keep running");
    }

    private Process Start(string[] command, string? host, string? database, long? taskId)
    {
        var start = new ProcessStartInfo(command[0], command[1..]);
        if (host is not null && database is not null && taskId is not null)
        {
            LeftoverProcesses.Mark(start.Environment, Guid.NewGuid().ToString("N"), new TaskProcessOwner(host, database), taskId.Value);
        }

        var process = Process.Start(start)!;
        _started.Add(process);
        return process;
    }
}
