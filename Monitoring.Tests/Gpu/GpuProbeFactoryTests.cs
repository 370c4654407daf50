using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitoring.Gpu;

namespace Monitoring.Tests.Gpu;

public class GpuProbeFactoryTests
{
    [Fact]
    public void Simulated_GivesTheConfiguredGpus()
    {
        var options = new GpuOptions { Provider = "simulated", Simulated = { Count = 3, MemoryBytes = 8L << 30 } };

        using var probe = GpuProbeFactory.Create(options, TimeProvider.System, out var reason);

        Assert.Null(reason);
        Assert.Equal("simulated", probe.Provider);
        Assert.IsType<SimulatedGpuProbe>(probe);
        var samples = probe.Sample(includeProcesses: false);
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.Equal(8L << 30, s.MemoryTotalBytes));
    }

    [Fact]
    public void None_IsUnavailableWithAReasonAndNoSamples()
    {
        using var probe = GpuProbeFactory.Create(new GpuOptions { Provider = "none" }, TimeProvider.System, out var reason);

        Assert.Equal("none", probe.Provider);
        Assert.False(probe.Status.Available);
        Assert.Contains("Gpu:Provider", reason, StringComparison.Ordinal);
        Assert.Equal(reason, probe.Status.Reason);
        Assert.Empty(probe.Sample(includeProcesses: true));
    }

    [Fact]
    public void Auto_WithoutADriver_FallsBackToNoneSayingNoGpuWasDetected()
    {
        using var probe = GpuProbeFactory.Create(new GpuOptions(), TimeProvider.System, out var reason);

        if (NvidiaDriver.LibraryInstalled)
        {
            Assert.Equal("nvml", probe.Provider);
            Assert.Null(reason);
            return;
        }

        Assert.Equal("none", probe.Provider);
        Assert.False(probe.Status.Available);
        Assert.StartsWith("no NVIDIA GPU detected: ", reason, StringComparison.Ordinal);
        Assert.Contains("libnvidia-ml.so.1", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nvml_WithoutADriver_StillGivesAnNvmlProbeThatSaysWhy()
    {
        using var probe = GpuProbeFactory.Create(new GpuOptions { Provider = "nvml" }, TimeProvider.System, out var reason);

        Assert.Equal("nvml", probe.Provider);
        if (NvidiaDriver.LibraryInstalled)
        {
            Assert.True(probe.Status.Available, reason);
            return;
        }

        Assert.False(probe.Status.Available);
        Assert.NotNull(reason);
        Assert.Equal(reason, probe.Status.Reason);
        Assert.Empty(probe.Sample(includeProcesses: false));
    }

    [Fact]
    public void Provider_IsMatchedWithoutRegardToCase()
    {
        using var probe = GpuProbeFactory.Create(new GpuOptions { Provider = "Simulated" }, TimeProvider.System, out _);

        Assert.Equal("simulated", probe.Provider);
    }

    [Fact]
    public void UnknownProvider_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<ArgumentException>(
            () => GpuProbeFactory.Create(new GpuOptions { Provider = "cuda" }, TimeProvider.System, out _));

        Assert.Contains("Gpu:Provider 'cuda'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultOptions_AreAutoWithTwo24GiBSimulatedGpus_AndValid()
    {
        var options = Validate(_ => { });

        Assert.Equal("Gpu", GpuOptions.Section);
        Assert.Equal("auto", options.Provider);
        Assert.Equal(2, options.Simulated.Count);
        Assert.Equal(24L << 30, options.Simulated.MemoryBytes);
    }

    [Theory]
    [InlineData("cuda", "Gpu:Provider")]
    [InlineData("", "Gpu:Provider")]
    public void UnknownProviderInConfiguration_FailsValidationNamingTheKey(string provider, string key)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Validate(o => o.Provider = provider));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 24L << 30, "Gpu:Simulated:Count")]
    [InlineData(65, 24L << 30, "Gpu:Simulated:Count")]
    [InlineData(2, (1L << 30) - 1, "Gpu:Simulated:MemoryBytes")]
    public void SimulatedOutOfRange_FailsValidationNamingTheKey(int count, long memoryBytes, string key)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Validate(o =>
        {
            o.Provider = "simulated";
            o.Simulated.Count = count;
            o.Simulated.MemoryBytes = memoryBytes;
        }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static GpuOptions Validate(Action<GpuOptions> configure)
    {
        using var services = new ServiceCollection()
            .AddOptions<GpuOptions>().Configure(configure).ValidateDataAnnotations().Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<GpuOptions>>().Value;
    }
}
