using System.Runtime.InteropServices;
using Monitoring.Gpu;

namespace Monitoring.Tests.Gpu;

public class NvmlLibraryTests
{
    [Fact]
    public void Linux_TriesTheSonameFirstThenTheDevelopmentName()
    {
        var candidates = NvmlLibrary.Candidates(OSPlatform.Linux, _ => null);

        Assert.Equal(["libnvidia-ml.so.1", "libnvidia-ml.so"], candidates);
    }

    [Fact]
    public void Windows_TriesSystem32ThenNvsmiUnder64BitProgramFiles()
    {
        var environment = new Dictionary<string, string>
        {
            ["WINDIR"] = @"C:\Windows",
            ["ProgramW6432"] = @"C:\Program Files",
            ["ProgramFiles"] = @"C:\Program Files (x86)",
        };

        var candidates = NvmlLibrary.Candidates(OSPlatform.Windows, environment.GetValueOrDefault);

        Assert.Equal(
            [@"C:\Windows\System32\nvml.dll", @"C:\Program Files\NVIDIA Corporation\NVSMI\nvml.dll"],
            candidates);
    }

    [Fact]
    public void Windows_WithoutProgramW6432_FallsBackToProgramFilesAndSystemRoot()
    {
        var environment = new Dictionary<string, string>
        {
            ["SystemRoot"] = @"D:\Win\",
            ["ProgramFiles"] = @"D:\Programs",
        };

        var candidates = NvmlLibrary.Candidates(OSPlatform.Windows, environment.GetValueOrDefault);

        Assert.Equal([@"D:\Win\System32\nvml.dll", @"D:\Programs\NVIDIA Corporation\NVSMI\nvml.dll"], candidates);
    }

    [Fact]
    public void Windows_NeverTriesABareNameThatWouldSearchTheApplicationFolder()
    {
        Assert.Empty(NvmlLibrary.Candidates(OSPlatform.Windows, _ => null));
    }

    [Fact]
    public void OtherPlatforms_HaveNoCandidates()
    {
        Assert.Empty(NvmlLibrary.Candidates(OSPlatform.OSX, _ => "/anything"));
        Assert.Empty(NvmlLibrary.Candidates(OSPlatform.FreeBSD, _ => "/anything"));
    }

    [Fact]
    public void ConfiguredPath_ThatDoesNotLoad_IsUnavailableNamingTheSetting_AndTriesNothingElse()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-nvml-{Guid.NewGuid():N}", "libnvidia-ml.so.1");

        using var probe = NvmlGpuProbe.Create(TimeProvider.System, missing);

        Assert.False(probe.Status.Available);
        Assert.StartsWith($"Gpu:Nvml:LibraryPath '{missing}' could not be loaded", probe.Status.Reason, StringComparison.Ordinal);
        Assert.Null(probe.LibraryPath);
        Assert.Empty(probe.Sample(includeProcesses: false));
    }

    [Fact]
    public void Create_WithoutADriver_IsUnavailableWithAReasonNamingTheLibrary()
    {
        using var probe = NvmlGpuProbe.Create(TimeProvider.System);

        Assert.Equal("nvml", probe.Provider);
        if (NvidiaDriver.LibraryInstalled)
        {
            // A machine with the driver: the same call must then succeed.
            Assert.True(probe.Status.Available, probe.Status.Reason);
            return;
        }

        Assert.False(probe.Status.Available);
        Assert.Contains(OperatingSystem.IsWindows() ? "nvml.dll" : "libnvidia-ml.so.1", probe.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("not found", probe.Status.Reason, StringComparison.Ordinal);
        Assert.Null(probe.DriverVersion);
        Assert.Empty(probe.Sample(includeProcesses: true));
    }

    [Fact]
    public void TryCreate_WithoutADriver_ReturnsFalseWithTheSameReason()
    {
        var created = NvmlGpuProbe.TryCreate(TimeProvider.System, out var probe, out var reason);
        using (probe)
        {
            if (NvidiaDriver.LibraryInstalled)
            {
                Assert.True(created, reason);
                return;
            }

            Assert.False(created);
            Assert.Null(probe);
            Assert.Contains("not found", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dispose_IsIdempotent_AndSamplingAfterwardsThrows()
    {
        var probe = NvmlGpuProbe.Create(TimeProvider.System);

        probe.Dispose();
        probe.Dispose();

        Assert.Throws<ObjectDisposedException>(() => probe.Sample(includeProcesses: false));
    }
}
