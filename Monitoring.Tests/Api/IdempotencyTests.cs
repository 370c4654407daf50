using System.Net;
using System.Text;
using System.Text.Json;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Api;

/// <summary>SPEC §9: a repeated Idempotency-Key returns the first task only when the request is the same;
/// a different request under the same key is a 409, and a key that is no key is a 400.</summary>
public sealed class IdempotencyTests : IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly HttpClient _client;

    public IdempotencyTests()
    {
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    /// <summary>Keys as JSON string literals (escapes included), so a lone surrogate reaches the server as sent.</summary>
    public static TheoryData<string> KeysThatAreNoKeys() => ["\"   \"", "\"\\t\"", $"\"{new string('k', 201)}\"", "\"render\\u0001one\"", "\"\\ud800\""];

    [Theory]
    [MemberData(nameof(KeysThatAreNoKeys))]
    public async Task A_blank_overlong_or_unprintable_key_in_the_body_is_a_400(string key)
    {
        var response = await SubmitAsync($$"""{"type":"{{GateHandler.CpuType}}","idempotencyKey":{{key}}}""");

        await response.IsProblemAsync(HttpStatusCode.BadRequest, "idempotencyKey");
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\t ")]
    public async Task A_blank_key_header_is_a_400(string key)
    {
        var response = await SubmitAsync($$"""{"type":"{{GateHandler.CpuType}}"}""", key);

        await response.IsProblemAsync(HttpStatusCode.BadRequest, "idempotencyKey");
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Fact]
    public async Task The_same_key_with_the_same_request_returns_the_first_task_with_200()
    {
        var body = $$"""{"type":"{{GateHandler.CpuType}}","priority":"High","maxAttempts":4}""";
        var first = await SubmitAsync(body, "render-7");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var again = await SubmitAsync($$"""{ "maxAttempts": 4, "priority": "High", "type": "{{GateHandler.CpuType}}" }""", "render-7");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((await first.ReadJsonAsync()).GetProperty("id").GetInt64(), (await again.ReadJsonAsync()).GetProperty("id").GetInt64());
        Assert.Equal(1, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Theory]
    [InlineData("""{"type":"test.gpu-gate","priority":"High"}""", "type")]
    [InlineData("""{"type":"test.gate","priority":"Low"}""", "priority")]
    [InlineData("""{"type":"test.gate","priority":"High","maxAttempts":9}""", "maxAttempts")]
    [InlineData("""{"type":"test.gate","priority":"High","timeoutSeconds":9}""", "timeoutSeconds")]
    [InlineData("""{"type":"test.gate","priority":"High","requiredGpuMemoryBytes":1024}""", "requiredGpuMemoryBytes")]
    public async Task The_same_key_with_a_different_request_is_a_409_and_keeps_one_task(string second, string differs)
    {
        Assert.Equal(HttpStatusCode.Created, (await SubmitAsync("""{"type":"test.gate","priority":"High"}""", "render-8")).StatusCode);

        var response = await SubmitAsync(second, "render-8");

        await response.IsProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(differs, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var tasks = await _app.Reader.ListAsync(TaskFilter.All, 1, 10);
        var only = Assert.Single(tasks.Items);
        Assert.Equal(TaskPriority.High, only.Priority);
    }

    [Fact]
    public async Task Parameters_compare_as_json_values_in_the_queue()
    {
        var queue = _app.Queue;
        var first = await queue.EnqueueAsync(TestTasks.Submission(parameters: JsonDocument.Parse("""{"a":1,"b":[1,2]}""").RootElement, key: "p-1"), Actor.System);

        var same = await queue.EnqueueAsync(TestTasks.Submission(parameters: JsonDocument.Parse("""{ "b": [1, 2], "a": 1.0 }""").RootElement, key: "p-1"), Actor.System);
        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() =>
            queue.EnqueueAsync(TestTasks.Submission(parameters: JsonDocument.Parse("""{"a":1,"b":[2,1]}""").RootElement, key: "p-1"), Actor.System));

        Assert.False(same.Created);
        Assert.Equal(first.Task.Id, same.Task.Id);
        Assert.Equal(["parameters"], conflict.Fields);
        Assert.Equal(1, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    private async Task<HttpResponseMessage> SubmitAsync(string body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return await _client.SendAsync(request);
    }
}
