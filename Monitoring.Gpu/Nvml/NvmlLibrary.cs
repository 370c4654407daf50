using System.Reflection;
using System.Runtime.InteropServices;

namespace Monitoring.Gpu;

/// <summary>
/// Maps the "nvml" import name to the file the driver installs. Without this, the default probing looks for
/// libnvml.so / nvml.so and never finds libnvidia-ml.so.1.
/// </summary>
internal static class NvmlLibrary
{
    private static int s_registered;
    private static nint s_handle;

    /// <summary>Registers the resolver for this assembly; safe to call any number of times from any thread.</summary>
    internal static void EnsureResolverRegistered()
    {
        // SetDllImportResolver throws if an assembly already has one, so only the first caller registers.
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NvmlLibrary).Assembly, Resolve);
        }
    }

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

    /// <summary>Loads the library once and keeps it loaded for the life of the process.</summary>
    internal static bool TryLoad(out nint handle)
    {
        handle = Volatile.Read(ref s_handle);
        if (handle != 0)
        {
            return true;
        }

        foreach (var candidate in Candidates())
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                var previous = Interlocked.CompareExchange(ref s_handle, handle, 0);
                if (previous != 0)
                {
                    // Another thread won the race; dlopen/LoadLibrary are reference-counted, so drop ours.
                    NativeLibrary.Free(handle);
                    handle = previous;
                }

                return true;
            }
        }

        handle = 0;
        return false;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Interop.Nvml.LibraryName && TryLoad(out var handle) ? handle : 0;

    private static OSPlatform CurrentPlatform() =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows
        : OperatingSystem.IsLinux() ? OSPlatform.Linux
        : OSPlatform.Create(RuntimeInformation.OSDescription);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
