namespace Monitoring.Tests.Support;

/// <summary>Looks at the machine's real processes through /proc.</summary>
public static class OsProcesses
{
    /// <summary>Pids whose command line is exactly these arguments (e.g. "sleep", "317").</summary>
    public static IReadOnlyList<int> Matching(params string[] arguments)
    {
        var wanted = string.Join('\0', arguments);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).TrimEnd('\0');
                if (cmdline == wanted || cmdline.EndsWith("/" + wanted, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static void Kill(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
            }
        }
    }
}
