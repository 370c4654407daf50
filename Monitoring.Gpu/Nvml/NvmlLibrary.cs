using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Monitoring.Gpu;

/// <summary>
/// Finds and loads NVML: the configured file (<c>Gpu:Nvml:LibraryPath</c>) when there is one, else the file the
/// driver installs. Default probing would look for libnvml.so / nvml.so and never find libnvidia-ml.so.1.
/// </summary>
internal static class NvmlLibrary
{
    /// <summary>The files to try, in order, on <paramref name="platform"/>. Linux and Windows only; NVML exists nowhere else.</summary>
    internal static IReadOnlyList<string> Candidates(OSPlatform platform, Func<string, string?> environment)
    {
        if (platform == OSPlatform.Linux)
        {
            // The unversioned name exists only where the development package is installed.
            return ["libnvidia-ml.so.1", "libnvidia-ml.so"];
        }

        if (platform == OSPlatform.Windows)
        {
            // DCH drivers put nvml.dll in System32; older ones only under NVSMI (pynvml and Glances use this order).
            // Full paths only: a bare "nvml.dll" would search the application folder first.
            var candidates = new List<string>(2);
            if (NonEmpty(environment("WINDIR") ?? environment("SystemRoot")) is { } windows)
            {
                candidates.Add($@"{windows.TrimEnd('\\')}\System32\nvml.dll");
            }

            // ProgramW6432 is the 64-bit Program Files folder even when read from a 32-bit process.
            if (NonEmpty(environment("ProgramW6432") ?? environment("ProgramFiles")) is { } programFiles)
            {
                candidates.Add($@"{programFiles.TrimEnd('\\')}\NVIDIA Corporation\NVSMI\nvml.dll");
            }

            return candidates;
        }

        return [];
    }

    internal static IReadOnlyList<string> Candidates() => Candidates(CurrentPlatform(), Environment.GetEnvironmentVariable);

    /// <summary>The file name operators know NVML by on this OS, for messages.</summary>
    internal static string DisplayName =>
        OperatingSystem.IsWindows() ? "nvml.dll" : "libnvidia-ml.so.1";

    internal static string NotFoundReason()
    {
        var candidates = Candidates();
        return candidates.Count == 0
            ? $"{DisplayName} not found: NVML exists only on Linux and Windows, not {RuntimeInformation.OSDescription}"
            : $"{DisplayName} not found: no NVIDIA driver installed (tried {string.Join(", ", candidates)})";
    }

    /// <summary>
    /// Loads <paramref name="configuredPath"/> if given (and nothing else: a wrong setting must show, not be papered
    /// over by another library), else the first candidate that loads. The library stays loaded for the life of the
    /// process: NVML and the driver's threads are not built to be unloaded, and loading the same file again only
    /// bumps a reference count.
    /// </summary>
    internal static bool TryLoad(string? configuredPath, out nint handle, [NotNullWhen(true)] out string? path, [NotNullWhen(false)] out string? reason)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            try
            {
                handle = NativeLibrary.Load(configuredPath);
                path = configuredPath;
                reason = null;
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                handle = 0;
                path = null;
                reason = $"Gpu:Nvml:LibraryPath '{configuredPath}' could not be loaded: {e.Message}";
                return false;
            }
        }

        foreach (var candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                path = candidate;
                reason = null;
                return true;
            }
        }

        handle = 0;
        path = null;
        reason = NotFoundReason();
        return false;
    }

    private static OSPlatform CurrentPlatform() =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows
        : OperatingSystem.IsLinux() ? OSPlatform.Linux
        : OSPlatform.Create(RuntimeInformation.OSDescription);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
