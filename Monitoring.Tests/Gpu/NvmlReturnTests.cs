using Monitoring.Gpu;

namespace Monitoring.Tests.Gpu;

public class NvmlReturnTests
{
    /// <summary>Every nvmlReturn_t of nvml.h: code, name, and what the probe makes of it.</summary>
    public static TheoryData<int, string, NvmlReturnClass> Codes => new()
    {
        { 0, "SUCCESS", NvmlReturnClass.Ok },
        { 1, "ERROR_UNINITIALIZED", NvmlReturnClass.Unavailable },
        { 2, "ERROR_INVALID_ARGUMENT", NvmlReturnClass.Error },
        { 3, "ERROR_NOT_SUPPORTED", NvmlReturnClass.NotSupported },
        { 4, "ERROR_NO_PERMISSION", NvmlReturnClass.Unavailable },
        { 5, "ERROR_ALREADY_INITIALIZED", NvmlReturnClass.Error },
        { 6, "ERROR_NOT_FOUND", NvmlReturnClass.Error },
        { 7, "ERROR_INSUFFICIENT_SIZE", NvmlReturnClass.Error },
        { 8, "ERROR_INSUFFICIENT_POWER", NvmlReturnClass.Error },
        { 9, "ERROR_DRIVER_NOT_LOADED", NvmlReturnClass.Unavailable },
        { 10, "ERROR_TIMEOUT", NvmlReturnClass.Error },
        { 11, "ERROR_IRQ_ISSUE", NvmlReturnClass.Error },
        { 12, "ERROR_LIBRARY_NOT_FOUND", NvmlReturnClass.Unavailable },
        { 13, "ERROR_FUNCTION_NOT_FOUND", NvmlReturnClass.NotSupported },
        { 14, "ERROR_CORRUPTED_INFOROM", NvmlReturnClass.Error },
        { 15, "ERROR_GPU_IS_LOST", NvmlReturnClass.GpuLost },
        { 16, "ERROR_RESET_REQUIRED", NvmlReturnClass.GpuLost },
        { 17, "ERROR_OPERATING_SYSTEM", NvmlReturnClass.Unavailable },
        { 18, "ERROR_LIB_RM_VERSION_MISMATCH", NvmlReturnClass.Unavailable },
        { 19, "ERROR_IN_USE", NvmlReturnClass.Error },
        { 20, "ERROR_MEMORY", NvmlReturnClass.Error },
        { 21, "ERROR_NO_DATA", NvmlReturnClass.NotSupported },
        { 22, "ERROR_VGPU_ECC_NOT_SUPPORTED", NvmlReturnClass.NotSupported },
        { 23, "ERROR_INSUFFICIENT_RESOURCES", NvmlReturnClass.Error },
        { 24, "ERROR_FREQ_NOT_SUPPORTED", NvmlReturnClass.NotSupported },
        { 25, "ERROR_ARGUMENT_VERSION_MISMATCH", NvmlReturnClass.Error },
        { 26, "ERROR_DEPRECATED", NvmlReturnClass.NotSupported },
        { 27, "ERROR_NOT_READY", NvmlReturnClass.Error },
        { 28, "ERROR_GPU_NOT_FOUND", NvmlReturnClass.Unavailable },
        { 29, "ERROR_INVALID_STATE", NvmlReturnClass.Error },
        { 30, "ERROR_RESET_TYPE_NOT_SUPPORTED", NvmlReturnClass.NotSupported },
        { 999, "ERROR_UNKNOWN", NvmlReturnClass.Error },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryCode_HasItsNvmlNumberNameAndClass(int code, string name, NvmlReturnClass expected)
    {
        var result = (NvmlReturn)code;

        Assert.Equal(name, result.ToString());
        Assert.Equal(expected, result.Classify());
        Assert.StartsWith($"NVML_{name} ({code})", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void ClassificationTable_CoversEveryDefinedCode()
    {
        var tabled = Codes.Select(row => (int)row[0]).Order();
        var defined = Enum.GetValues<NvmlReturn>().Select(r => (int)r).Order();

        Assert.Equal(defined, tabled);
    }

    [Fact]
    public void UnrecognizedCode_IsAnErrorAndSaysSo()
    {
        var result = (NvmlReturn)12345;

        Assert.Equal(NvmlReturnClass.Error, result.Classify());
        Assert.Equal("NVML_ERROR_UNRECOGNIZED (12345)", result.Describe());
    }

    [Fact]
    public void VersionMismatch_HintsAtADriverUpgradeWithoutReboot()
    {
        Assert.Contains("driver upgraded without reboot?", NvmlReturn.ERROR_LIB_RM_VERSION_MISMATCH.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void NvmlException_CarriesCodeFunctionAndClass()
    {
        var exception = new NvmlException(NvmlReturn.ERROR_GPU_IS_LOST, "nvmlDeviceGetCount_v2");

        Assert.Equal(NvmlReturn.ERROR_GPU_IS_LOST, exception.Result);
        Assert.Equal("nvmlDeviceGetCount_v2", exception.Function);
        Assert.Equal(NvmlReturnClass.GpuLost, exception.Class);
        Assert.StartsWith("nvmlDeviceGetCount_v2 failed: NVML_ERROR_GPU_IS_LOST (15)", exception.Message, StringComparison.Ordinal);
    }
}
