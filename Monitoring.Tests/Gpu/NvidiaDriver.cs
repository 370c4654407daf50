using Monitoring.Gpu;

namespace Monitoring.Tests.Gpu;

/// <summary>What this test machine has in the way of an NVIDIA driver, decided once per test run.</summary>
internal static class NvidiaDriver
{
    // Where distributions, the CUDA containers and WSL put the library.
    private static readonly string[] LinuxLibraryPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
        "/usr/lib/aarch64-linux-gnu/libnvidia-ml.so.1",
        "/usr/lib64/libnvidia-ml.so.1",
        "/usr/lib/libnvidia-ml.so.1",
        "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
        "/usr/lib/wsl/lib/libnvidia-ml.so.1",
    ];

    private static readonly Lazy<string?> s_unavailableReason = new(() =>
    {
        if (!NvmlGpuProbe.TryCreate(TimeProvider.System, out var probe, out var reason))
        {
            return reason;
        }

        using (probe)
        {
            return probe.Sample(includeProcesses: false).Count == 0 ? "NVML loaded but reports no GPUs" : null;
        }
    });

    /// <summary>Whether the library file is in one of the usual places or on LD_LIBRARY_PATH, found without loading it.</summary>
    public static bool LibraryInstalled =>
        OperatingSystem.IsWindows()
            ? NvmlLibrary.Candidates().Any(File.Exists)
            : LinuxLibraryPaths
                .Concat((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
                    .Split(':', StringSplitOptions.RemoveEmptyEntries)
                    .Select(folder => Path.Combine(folder, "libnvidia-ml.so.1")))
                .Any(File.Exists);

    /// <summary>Null when NVML loads, initializes and sees at least one GPU; otherwise why not.</summary>
    public static string? UnavailableReason => s_unavailableReason.Value;
}
