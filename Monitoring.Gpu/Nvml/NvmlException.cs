namespace Monitoring.Gpu;

/// <summary>An NVML call that failed in a way the probe cannot report per GPU (e.g. the device count).</summary>
public sealed class NvmlException : Exception
{
    public NvmlException()
    {
    }

    public NvmlException(string message)
        : base(message)
    {
    }

    public NvmlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NvmlException(NvmlReturn result, string function)
        : base($"{function} failed: {result.Describe()}")
    {
        Result = result;
        Function = function;
    }

    public NvmlReturn Result { get; } = NvmlReturn.ERROR_UNKNOWN;

    /// <summary>The NVML entry point, e.g. <c>nvmlDeviceGetCount_v2</c>.</summary>
    public string Function { get; } = "";

    public NvmlReturnClass Class => Result.Classify();
}
