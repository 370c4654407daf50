using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Monitoring.Core.Handlers;

/// <summary>Finds and kills what a process task left behind once its main process is gone.</summary>
/// <remarks>
/// <c>Process.Kill(entireProcessTree: true)</c>, which CliWrap uses on cancel, follows parent links, so it
/// misses a child whose parent already exited (re-parented to init) — and such a child, holding stdout open,
/// keeps the attempt waiting for output until its timeout. Every process of an attempt therefore inherits a
/// marker variable with a fresh GUID, and every process still carrying it after the main process exits is
/// killed (the technique of Jenkins' ProcessTreeKiller; systemd's KillMode=control-group has the same policy).
/// A process that clears its environment escapes; Linux only (elsewhere CliWrap's tree kill is all there is).
/// </remarks>
internal static class LeftoverProcesses
{
    public const string MarkerVariable = "MONITORING_TASK_RUN";

    // A process can fork while it is being killed; a few rounds catch its children too.
    private const int Rounds = 5;

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
        var killed = new List<string>();
        var killedIds = new HashSet<int>();
        if (!OperatingSystem.IsLinux())
        {
            return killed;
        }
        var needle = Encoding.UTF8.GetBytes($"{MarkerVariable}={marker}\0");
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
                    if (File.ReadAllBytes(Path.Combine(entry, "environ")).AsSpan().IndexOf(needle) < 0)
                    {
                        continue;
                    }
                    var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ').Trim();
                    using var process = Process.GetProcessById(processId);
                    process.Kill();
                    killedIds.Add(processId);
                    killed.Add(commandLine);
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
}
