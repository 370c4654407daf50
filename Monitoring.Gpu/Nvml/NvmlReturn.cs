namespace Monitoring.Gpu;

/// <summary>nvmlReturn_t (nvml.h l.1295). A C enum, so 4 bytes.</summary>
#pragma warning disable CA1707 // Names mirror NVML_ERROR_* so that they can be grepped against nvml.h.
#pragma warning disable CA1028 // The native type is a C int.
public enum NvmlReturn
{
    SUCCESS = 0,
    ERROR_UNINITIALIZED = 1,
    ERROR_INVALID_ARGUMENT = 2,
    ERROR_NOT_SUPPORTED = 3,
    ERROR_NO_PERMISSION = 4,
    /// <summary>Deprecated: NVML is reference-counted and no longer returns this.</summary>
    ERROR_ALREADY_INITIALIZED = 5,
    ERROR_NOT_FOUND = 6,
    ERROR_INSUFFICIENT_SIZE = 7,
    ERROR_INSUFFICIENT_POWER = 8,
    ERROR_DRIVER_NOT_LOADED = 9,
    ERROR_TIMEOUT = 10,
    ERROR_IRQ_ISSUE = 11,
    ERROR_LIBRARY_NOT_FOUND = 12,
    ERROR_FUNCTION_NOT_FOUND = 13,
    ERROR_CORRUPTED_INFOROM = 14,
    ERROR_GPU_IS_LOST = 15,
    ERROR_RESET_REQUIRED = 16,
    ERROR_OPERATING_SYSTEM = 17,
    ERROR_LIB_RM_VERSION_MISMATCH = 18,
    ERROR_IN_USE = 19,
    ERROR_MEMORY = 20,
    ERROR_NO_DATA = 21,
    ERROR_VGPU_ECC_NOT_SUPPORTED = 22,
    ERROR_INSUFFICIENT_RESOURCES = 23,
    ERROR_FREQ_NOT_SUPPORTED = 24,
    ERROR_ARGUMENT_VERSION_MISMATCH = 25,
    ERROR_DEPRECATED = 26,
    ERROR_NOT_READY = 27,
    ERROR_GPU_NOT_FOUND = 28,
    ERROR_INVALID_STATE = 29,
    ERROR_RESET_TYPE_NOT_SUPPORTED = 30,
    ERROR_UNKNOWN = 999,
}
#pragma warning restore CA1028
#pragma warning restore CA1707

/// <summary>What a return code means for the probe.</summary>
public enum NvmlReturnClass
{
    Ok,
    /// <summary>This metric is n/a on this GPU or driver; not a failure.</summary>
    NotSupported,
    /// <summary>The GPU is gone or needs a reset: unschedulable, raise an alert.</summary>
    GpuLost,
    /// <summary>NVML as a whole cannot be used (no driver, no permission, version mismatch).</summary>
    Unavailable,
    Error,
}

public static class NvmlReturnExtensions
{
    public static NvmlReturnClass Classify(this NvmlReturn result) => result switch
    {
        NvmlReturn.SUCCESS => NvmlReturnClass.Ok,

        NvmlReturn.ERROR_NOT_SUPPORTED
            or NvmlReturn.ERROR_FUNCTION_NOT_FOUND
            or NvmlReturn.ERROR_NO_DATA
            or NvmlReturn.ERROR_VGPU_ECC_NOT_SUPPORTED
            or NvmlReturn.ERROR_FREQ_NOT_SUPPORTED
            or NvmlReturn.ERROR_DEPRECATED
            or NvmlReturn.ERROR_RESET_TYPE_NOT_SUPPORTED => NvmlReturnClass.NotSupported,

        NvmlReturn.ERROR_GPU_IS_LOST or NvmlReturn.ERROR_RESET_REQUIRED => NvmlReturnClass.GpuLost,

        NvmlReturn.ERROR_UNINITIALIZED
            or NvmlReturn.ERROR_NO_PERMISSION
            or NvmlReturn.ERROR_DRIVER_NOT_LOADED
            or NvmlReturn.ERROR_LIBRARY_NOT_FOUND
            or NvmlReturn.ERROR_OPERATING_SYSTEM
            or NvmlReturn.ERROR_LIB_RM_VERSION_MISMATCH
            or NvmlReturn.ERROR_GPU_NOT_FOUND => NvmlReturnClass.Unavailable,

        _ => NvmlReturnClass.Error,
    };

    /// <summary>What an operator should check, for the codes where there is something useful to say.</summary>
    public static string? Hint(this NvmlReturn result) => result switch
    {
        NvmlReturn.ERROR_LIB_RM_VERSION_MISMATCH => "driver upgraded without reboot?",
        NvmlReturn.ERROR_DRIVER_NOT_LOADED => "the NVIDIA kernel driver is not loaded",
        NvmlReturn.ERROR_NO_PERMISSION => "the process may not open the /dev/nvidia* device nodes",
        NvmlReturn.ERROR_LIBRARY_NOT_FOUND => "no NVIDIA driver installed",
        NvmlReturn.ERROR_GPU_IS_LOST => "the GPU fell off the bus or is otherwise inaccessible",
        NvmlReturn.ERROR_RESET_REQUIRED => "the GPU needs a reset (or a reboot) before it can be used",
        NvmlReturn.ERROR_INSUFFICIENT_POWER => "check the GPU's external power cables",
        NvmlReturn.ERROR_CORRUPTED_INFOROM => "the GPU's infoROM is corrupted",
        NvmlReturn.ERROR_GPU_NOT_FOUND => "no GPUs were found",
        _ => null,
    };

    /// <summary>"NVML_ERROR_GPU_IS_LOST (15): the GPU fell off the bus …", without calling into the library.</summary>
    public static string Describe(this NvmlReturn result)
    {
        var name = Enum.IsDefined(result) ? $"NVML_{result}" : "NVML_ERROR_UNRECOGNIZED";
        var hint = result.Hint();
        return hint is null ? $"{name} ({(int)result})" : $"{name} ({(int)result}): {hint}";
    }
}
