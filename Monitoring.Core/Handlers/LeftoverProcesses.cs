using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Monitoring.Core.Handlers;

/// <summary>Which host instance started a task process, and for which database: the lease owner id
/// (<c>{machine}/pid {pid}/{id}</c>) and the database file's full path.</summary>
public sealed record TaskProcessOwner(string Host, string DatabasePath);

/// <summary>A task process killed because the host instance that started it is gone.</summary>
/// <param name="TaskId">The task it ran for, when its environment says.</param>
public sealed record OrphanedProcess(int ProcessId, long? TaskId, string Host, string CommandLine);

/// <summary>Finds and kills what a process task left behind once its main process is gone, and what a
/// crashed host left running.</summary>
/// <remarks>
/// <c>Process.Kill(entireProcessTree: true)</c>, which CliWrap uses on cancel, follows parent links, so it
/// misses a child whose parent already exited (re-parented to init) — and such a child, holding stdout open,
/// keeps the attempt waiting for output until its timeout. Every process of an attempt therefore inherits a
/// marker variable with a fresh GUID, and every process still carrying it after the main process exits is
/// killed (the technique of Jenkins' ProcessTreeKiller; systemd's KillMode=control-group has the same policy).
/// The same inherited variables name the host instance and the database, so a host that takes over the
/// scheduler lease finds the trees a crashed predecessor left (a GPU job orphaned that way holds memory the
/// scheduler would count as free). A process that clears its environment escapes; Linux only (elsewhere
/// CliWrap's tree kill is all there is, and nothing survives a crash's orphans).
/// </remarks>
internal static class LeftoverProcesses
{
    public const string MarkerVariable = "MONITORING_TASK_RUN";
    public const string HostVariable = "MONITORING_TASK_HOST";
    public const string DatabaseVariable = "MONITORING_TASK_DB";
    public const string TaskVariable = "MONITORING_TASK_ID";

    // A process can fork while it is being killed; a few rounds catch its children too.
    private const int Rounds = 5;

    /// <summary>Sets the variables every process of one attempt inherits.</summary>
    public static void Mark(IDictionary<string, string?> environment, string marker, TaskProcessOwner? owner, long taskId)
    {
        environment[MarkerVariable] = marker;
        environment[TaskVariable] = taskId.ToString(CultureInfo.InvariantCulture);
        if (owner is not null)
        {
            environment[HostVariable] = owner.Host;
            environment[DatabaseVariable] = owner.DatabasePath;
        }
    }

    /// <summary>Waits until the main process exits, or <paramref name="stopWaiting"/> fires, then kills every
    /// process carrying <paramref name="marker"/>. Returns their command lines.</summary>
    public static async Task<List<string>> KillAfterExitAsync(int mainProcessId, string marker, CancellationToken stopWaiting)
    {
        try
        {
            using var main = Process.GetProcessById(mainProcessId);
            await main.WaitForExitAsync(stopWaiting);
        }
        catch (ArgumentException)
        {
            // Already exited and reaped.
        }
        catch (OperationCanceledException)
        {
            // The caller is done with the attempt: whatever still runs, the main process included, goes now.
        }
        return Kill(marker);
    }

    public static List<string> Kill(string marker)
    {
        var needle = Encoding.UTF8.GetBytes($"{MarkerVariable}={marker}\0");
        return KillWhere(environ => environ.AsSpan().IndexOf(needle) >= 0).ConvertAll(p => p.CommandLine);
    }

    /// <summary>Kills every task process started for <paramref name="current"/>'s database by any other host
    /// instance, whole trees. Call only while holding the scheduler lease: the instances that started them are
    /// dead or have lost the lease, and their tasks are being recovered.</summary>
    public static List<OrphanedProcess> KillOrphans(TaskProcessOwner current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return KillWhere(environ => Value(environ, DatabaseVariable) == current.DatabasePath
                && Value(environ, HostVariable) is { } host && host != current.Host)
            .ConvertAll(p => new OrphanedProcess(
                p.ProcessId,
                long.TryParse(Value(p.Environ, TaskVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null,
                Value(p.Environ, HostVariable) ?? "",
                p.CommandLine));
    }

    /// <summary>Kills, in rounds, every process whose environment <paramref name="match"/> accepts.</summary>
    private static List<(int ProcessId, byte[] Environ, string CommandLine)> KillWhere(Func<byte[], bool> match)
    {
        var killed = new List<(int, byte[], string)>();
        var killedIds = new HashSet<int>();
        if (!OperatingSystem.IsLinux())
        {
            return killed;
        }
        for (var round = 0; round < Rounds; round++)
        {
            var found = false;
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(entry), out var processId) || processId == Environment.ProcessId || killedIds.Contains(processId))
                {
                    continue;
                }
                try
                {
                    // A zombie's environment reads empty: it is dead already and is skipped.
                    var environ = File.ReadAllBytes(Path.Combine(entry, "environ"));
                    if (!match(environ))
                    {
                        continue;
                    }
                    var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ').Trim();
                    using var process = Process.GetProcessById(processId);
                    process.Kill();
                    killedIds.Add(processId);
                    killed.Add((processId, environ, commandLine));
                    found = true;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or Win32Exception)
                {
                    // It exited while we looked, or it is another user's process (never ours then).
                }
            }
            if (!found)
            {
                break;
            }
        }
        return killed;
    }

    /// <summary>The value of <paramref name="name"/> in a NUL-separated environment block, or null.</summary>
    private static string? Value(byte[] environ, string name)
    {
        var prefix = Encoding.UTF8.GetBytes(name + "=");
        foreach (var range in new ReadOnlySpan<byte>(environ).Split((byte)0))
        {
            var variable = environ.AsSpan(range);
            if (variable.StartsWith(prefix))
            {
                return Encoding.UTF8.GetString(variable[prefix.Length..]);
            }
        }
        return null;
    }
}
