using Monitoring.Core.Tasks;

namespace Monitoring.Tests.Tasks;

public sealed class ErrorFingerprintTests
{
    [Theory]
    [InlineData("Timeout after 30.5 s on worker 3", "timeout after <n> s on worker <n>")]
    [InlineData("file '/data/x.mp4' missing", "file <str> missing")]
    [InlineData("open /var/lib/gpu/0 failed", "open <path> failed")]
    [InlineData("ptr 0x7ffe12 invalid", "ptr <hex> invalid")]
    [InlineData("job 3f2504e0-4f89-11d3-9a0c-0305e82c3301 lost", "job <guid> lost")]
    [InlineData("first line\nstack trace line", "first line")]
    [InlineData("", "")]
    public void Normalize_masks_what_differs_between_occurrences(string message, string expected) =>
        Assert.Equal(expected, ErrorFingerprint.Normalize(message));

    [Fact]
    public void The_fingerprint_separates_task_types_and_kinds()
    {
        var a = ErrorFingerprint.Compute("render", FailureKind.Error, "exit code 1");
        Assert.Equal(a, ErrorFingerprint.Compute("render", FailureKind.Error, "exit code 2"));
        Assert.NotEqual(a, ErrorFingerprint.Compute("transcribe", FailureKind.Error, "exit code 1"));
        Assert.NotEqual(a, ErrorFingerprint.Compute("render", FailureKind.Timeout, "exit code 1"));
        Assert.Equal(16, a.Length);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(10, 600)]
    public void Retry_delay_doubles_per_attempt_up_to_the_cap(int failedAttempt, double expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds),
            RetryPolicy.Delay(failedAttempt, new TaskOptions { RetryBaseDelaySeconds = 5, RetryMaxDelaySeconds = 600 }));
}
