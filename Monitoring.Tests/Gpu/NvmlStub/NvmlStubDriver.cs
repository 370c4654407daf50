using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Gpu.NvmlStub;

/// <summary>
/// One driver-shaped NVML (nvml_stub.c) in a folder of its own: libnvidia-ml.so.1 plus the script it answers from.
/// Each instance is a separate copy of the file, so the dynamic loader gives it its own state, and tests using
/// different stubs can run in parallel in one process. Compiled once per test run with the system C compiler; where
/// there is none the test fails saying so (CI has one), since skipping would leave the binding unchecked.
/// </summary>
public sealed class NvmlStubDriver : IDisposable
{
    private static readonly Lazy<string> s_current = new(() => Build(oldDriver: false));
    private static readonly Lazy<string> s_old = new(() => Build(oldDriver: true));

    private readonly TempDirectory _directory = new();

    /// <param name="script">The stub's table (see the head of nvml_stub.c).</param>
    /// <param name="oldDriver">A driver before R510: no nvmlDeviceGetMemoryInfo_v2 and no nvmlDeviceGetTemperatureV.</param>
    public NvmlStubDriver(string script, bool oldDriver = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The NVML stub is a Linux shared library; these tests run on Linux in CI.");
        }

        LibraryPath = Path.Combine(_directory.Path, "libnvidia-ml.so.1");
        File.Copy((oldDriver ? s_old : s_current).Value, LibraryPath);
        File.WriteAllText(Path.Combine(_directory.Path, "nvml-stub.script"), script);
    }

    /// <summary>What Gpu:Nvml:LibraryPath is set to.</summary>
    public string LibraryPath { get; }

    /// <summary>How often the code under test called <paramref name="function"/> on this stub.</summary>
    public unsafe uint CallCount(string function)
    {
        // Loading the same path again returns the handle the probe holds (reference-counted), not a fresh copy.
        var handle = NativeLibrary.Load(LibraryPath);
        try
        {
            var count = (delegate* unmanaged<byte*, uint>)NativeLibrary.GetExport(handle, "nvmlStub_CallCount");
            var name = Encoding.ASCII.GetBytes(function + "\0");
            fixed (byte* pointer = name)
            {
                return count(pointer);
            }
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    /// <summary>The probes so far (nvmlDeviceGetCount_v2 calls): what "from"/"until" in a fail line count.</summary>
    public unsafe uint Probes
    {
        get
        {
            var handle = NativeLibrary.Load(LibraryPath);
            try
            {
                return ((delegate* unmanaged<uint>)NativeLibrary.GetExport(handle, "nvmlStub_Probe"))();
            }
            finally
            {
                NativeLibrary.Free(handle);
            }
        }
    }

    /// <summary>The library stays mapped for the rest of the run (NVML is never unloaded); only the files go.</summary>
    public void Dispose() => _directory.Dispose();

    private static string Build(bool oldDriver)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Gpu", "NvmlStub", "nvml_stub.c");
        var defines = oldDriver ? "-DNVML_STUB_OLD_DRIVER" : "";
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(source) + defines)))[..16];
        var folder = Path.Combine(Path.GetTempPath(), "monitoring-nvml-stub");
        var library = Path.Combine(folder, $"libnvidia-ml-stub-{hash}{(oldDriver ? "-old" : "")}.so");
        if (File.Exists(library))
        {
            return library;
        }

        Directory.CreateDirectory(folder);
        // Compiled under a unique name and moved into place, so two test runs building at once never load half a file.
        var partial = $"{library}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        var compiler = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } cc ? cc : "cc";
        var start = new ProcessStartInfo(compiler)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O1", "-Wall", "-Wno-format-truncation", defines, "-o", partial, source, "-pthread", "-ldl" })
        {
            if (argument.Length > 0)
            {
                start.ArgumentList.Add(argument);
            }
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"The NVML stub tests need a C compiler ('{compiler}', or set CC) to build {source}: {e.Message}. " +
                "Install gcc (Debian: apt-get install gcc); these tests must not be skipped.", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building the NVML stub failed ({compiler}, exit {process.ExitCode}):\n{errors.Result}{output}");
            }
        }

        File.Move(partial, library, overwrite: true);
        return library;
    }
}
