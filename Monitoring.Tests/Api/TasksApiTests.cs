using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Api;

public sealed class TasksApiTests : IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly HttpClient _client;

    public TasksApiTests()
    {
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "{bad", "body" },
        { "[]", "body" },
        { "null", "body" },
        { """{"priority":"High"}""", "type" },
        { """{"type":"Not A Type"}""", "type" },
        { """{"type":5}""", "type" },
        { """{"type":"x","parameters":[1,2]}""", "parameters" },
        { """{"type":"x","parameters":"text"}""", "parameters" },
        { """{"type":"x","priority":"Urgent"}""", "priority" },
        { """{"type":"x","maxAttempts":0}""", "maxAttempts" },
        { """{"type":"x","maxAttempts":"three"}""", "maxAttempts" },
        { """{"type":"x","timeoutSeconds":-1}""", "timeoutSeconds" },
        { """{"type":"x","requiredGpuMemoryBytes":-5}""", "requiredGpuMemoryBytes" },
        { "{\"type\":\"x\",\"parameters\":{\"blob\":\"" + new string('y', 70_000) + "\"}}", "parameters" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_submissions_get_a_400_naming_the_field_and_write_nothing(string body, string field)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await _client.PostAsync("/api/v1/tasks", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Theory]
    [InlineData("""{"type":"no.such.type"}""", "type", "unknown task type 'no.such.type'; known:")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":320,"height":240,"seconds":0}}""", "parameters.seconds", "seconds must be an integer from 1 to 60")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":320,"height":240,"seconds":1,"codec":"x"}}""", "parameters", "unknown parameter 'codec'")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":"-vf","height":240,"seconds":1}}""", "parameters.width", "width must be an integer from 16 to 3840, a multiple of 2 (got a string)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":"320","height":240}}""", "parameters.width", "(got a string)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":320.5}}""", "parameters.width", "(got a number with a fraction)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"width":99999}}""", "parameters.width", "(got a number out of range)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"height":-1}}""", "parameters.height", "(got a number out of range)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"height":1e30}}""", "parameters.height", "(got a number out of range)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"height":241}}""", "parameters.height", "(got a number that is not a multiple of 2)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"seconds":true}}""", "parameters.seconds", "(got a boolean)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"seconds":null}}""", "parameters.seconds", "(got null)")]
    [InlineData("""{"type":"video.synthesize","parameters":{"seconds":"1:rate=1"}}""", "parameters.seconds", "(got a string)")]
    public async Task Submissions_are_checked_against_the_task_type(string body, string field, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await _client.PostAsync("/api/v1/tasks", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_as_an_unsupported_media_type()
    {
        using var content = new StringContent("type=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        await AssertProblemAsync(await _client.PostAsync("/api/v1/tasks", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "status=Bogus", "status" },
        { "status=Failed,Nope", "status" },
        { "status=4", "status" },
        { "priority=Urgent", "priority" },
        { "page=0", "page" },
        { "page=abc", "page" },
        { "pageSize=501", "pageSize" },
        { "pageSize=0", "pageSize" },
        { "from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from" },
        { "from=yesterday", "from" },
        { "to=soon", "to" },
        { "id=-3", "id" },
        { "fingerprint=not-hex", "fingerprint" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_filters_get_a_400_naming_the_field_on_every_endpoint_that_takes_them(string query, string field)
    {
        var failed = await _app.InStateAsync(TaskState.Failed);

        await AssertProblemAsync(await _client.GetAsync($"/api/v1/tasks?{query}"), HttpStatusCode.BadRequest, field);
        await AssertProblemAsync(await _client.GetAsync($"/api/v1/tasks/failures?{query}"), HttpStatusCode.BadRequest, field);
        await AssertProblemAsync(await _client.GetAsync($"/api/v1/tasks/export?{query}"), HttpStatusCode.BadRequest, field);
        await AssertProblemAsync(await _client.PostAsync($"/api/v1/tasks/retry?{query}", null), HttpStatusCode.BadRequest, field);
        Assert.Equal(TaskState.Failed, (await _app.Reader.GetAsync(failed.Id))!.Status);
    }

    [Fact]
    public async Task Unknown_ids_get_404()
    {
        await AssertProblemAsync(await _client.GetAsync("/api/v1/tasks/999"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _client.PostAsync("/api/v1/tasks/999/retry", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _client.PostAsync("/api/v1/tasks/999/cancel", null), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _client.DeleteAsync("/api/v1/tasks/999"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Illegal_transitions_get_409_and_change_nothing()
    {
        var running = await _app.InStateAsync(TaskState.Processing);
        var pending = await _app.InStateAsync(TaskState.Pending);
        var completed = await _app.InStateAsync(TaskState.Completed);

        var delete = await _client.DeleteAsync($"/api/v1/tasks/{running.Id}");
        await AssertProblemAsync(delete, HttpStatusCode.Conflict);
        await AssertProblemAsync(await _client.PostAsync($"/api/v1/tasks/{pending.Id}/retry", null), HttpStatusCode.Conflict);
        await AssertProblemAsync(await _client.PostAsync($"/api/v1/tasks/{completed.Id}/cancel", null), HttpStatusCode.Conflict);

        Assert.Equal(TaskState.Processing, (await _app.Reader.GetAsync(running.Id))!.Status);
        Assert.Equal(TaskState.Pending, (await _app.Reader.GetAsync(pending.Id))!.Status);
        Assert.Equal(TaskState.Completed, (await _app.Reader.GetAsync(completed.Id))!.Status);
    }

    [Fact]
    public async Task Submit_creates_with_201_and_an_idempotent_repeat_returns_the_same_task_with_200()
    {
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks")
        {
            Content = JsonContent.Create(new { type = "video.synthesize", priority = "High", parameters = new { width = 1280, height = 720, seconds = 2 } }),
        };
        first.Headers.Add("Idempotency-Key", "render-1");
        var created = await _client.SendAsync(first);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var task = await created.ReadJsonAsync();
        Assert.Equal($"/api/v1/tasks/{task.GetProperty("id").GetInt64()}", created.Headers.Location!.ToString());
        Assert.Equal("High", task.GetProperty("priority").GetString());
        Assert.Equal(1280, task.GetProperty("parameters").GetProperty("width").GetInt32());
        Assert.Equal(300, task.GetProperty("timeoutSeconds").GetInt32());
        Assert.Equal(2, task.GetProperty("maxAttempts").GetInt32());

        var repeat = await _client.PostJsonAsync("/api/v1/tasks", new { idempotencyKey = "render-1", parameters = new { seconds = 2, height = 720, width = 1280 }, priority = "High", type = "video.synthesize" });

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(task.GetProperty("id").GetInt64(), (await repeat.ReadJsonAsync()).GetProperty("id").GetInt64());
        Assert.Equal(1, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Fact]
    public async Task Get_returns_parameters_and_the_event_timeline()
    {
        var failed = await _app.InStateAsync(TaskState.Failed);

        var task = await (await _client.GetAsync($"/api/v1/tasks/{failed.Id}")).ReadJsonAsync();

        Assert.Equal("Failed", task.GetProperty("status").GetString());
        Assert.Equal("Rejected", task.GetProperty("failureKind").GetString());
        Assert.Equal(1, task.GetProperty("parameters").GetProperty("n").GetInt32());
        var events = task.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("to").GetString()).ToList();
        Assert.Equal(["Pending", "Processing", "Failed"], events);
    }

    [Fact]
    public async Task Filters_and_paging_select_exactly_the_matching_tasks_newest_first()
    {
        var failedRender = await _app.InStateAsync(TaskState.Failed, type: "render");
        var cancelledRender = await _app.InStateAsync(TaskState.Cancelled, type: "render");
        var completedAudio = await _app.InStateAsync(TaskState.Completed, type: "audio");
        var high = await _app.Queue.EnqueueAsync(TestTasks.Submission(type: "audio", priority: TaskPriority.High, parameters: new { language = "fr-CA" }), Actor.System);
        for (var i = 0; i < 7; i++)
        {
            await _app.Queue.EnqueueAsync(type: "bulk");
        }

        Assert.Equal([cancelledRender.Id, failedRender.Id], await IdsAsync("status=Failed&status=Cancelled"));
        Assert.Equal([cancelledRender.Id, failedRender.Id], await IdsAsync("status=Failed,Cancelled"));
        Assert.Equal([high.Task.Id], await IdsAsync("priority=High"));
        Assert.Equal([high.Task.Id, completedAudio.Id], await IdsAsync("type=audio"));
        Assert.Equal([high.Task.Id], await IdsAsync("q=fr-CA"));
        Assert.Equal([failedRender.Id], await IdsAsync("q=bad%20parameter"));
        Assert.Equal([completedAudio.Id], await IdsAsync($"id={completedAudio.Id}"));
        Assert.Empty(await IdsAsync("from=2999-01-01T00:00:00Z"));
        Assert.Equal(11, (await IdsAsync("to=2999-01-01T00:00:00Z&pageSize=50")).Count);

        var page2 = await (await _client.GetAsync("/api/v1/tasks?type=bulk&page=2&pageSize=3")).ReadJsonAsync();
        Assert.Equal(7, page2.GetProperty("total").GetInt64());
        Assert.Equal(3, page2.GetProperty("items").GetArrayLength());
        var page3 = await (await _client.GetAsync("/api/v1/tasks?type=bulk&page=3&pageSize=3")).ReadJsonAsync();
        Assert.Equal(1, page3.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Bulk_retry_retries_the_whole_result_not_one_page()
    {
        for (var i = 0; i < 60; i++)
        {
            await _app.InStateAsync(TaskState.Failed, type: "render");
        }

        await _app.InStateAsync(TaskState.Failed, type: "other");

        var response = await _client.PostAsync("/api/v1/tasks/retry?type=render&pageSize=10", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(60, (await response.ReadJsonAsync()).GetProperty("affected").GetInt32());
        Assert.Equal(60, (await _app.Reader.ListAsync(new TaskFilter { Statuses = [TaskState.Pending] }, 1, 1)).Total);
        Assert.Equal(1, (await _app.Reader.ListAsync(new TaskFilter { Statuses = [TaskState.Failed] }, 1, 1)).Total);
    }

    [Fact]
    public async Task Failures_are_grouped_by_fingerprint()
    {
        await _app.InStateAsync(TaskState.Failed, type: "render");
        await _app.InStateAsync(TaskState.Failed, type: "render");
        await _app.InStateAsync(TaskState.Failed, type: "audio");

        var groups = await (await _client.GetAsync("/api/v1/tasks/failures")).ReadJsonAsync();

        Assert.Equal([2L, 1L], groups.EnumerateArray().Select(g => g.GetProperty("count").GetInt64()));
        Assert.Equal("Rejected", groups[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Export_streams_every_matching_task_as_csv_or_json()
    {
        for (var i = 0; i < 1_005; i++)
        {
            await _app.Queue.EnqueueAsync(type: "render", parameters: new { note = "a, \"quoted\" value" });
        }

        await _app.Queue.EnqueueAsync(type: "other");

        var csv = await _client.GetAsync("/api/v1/tasks/export?format=csv&type=render");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 1_005, lines.Length);
        Assert.StartsWith("id,type,priority,status", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"{\"\"note\"\":", lines[1], StringComparison.Ordinal);

        var json = await (await _client.GetAsync("/api/v1/tasks/export?format=json&type=render")).ReadJsonAsync();
        Assert.Equal(1_005, json.GetArrayLength());
        Assert.Equal("a, \"quoted\" value", json[0].GetProperty("parameters").GetProperty("note").GetString());

        await AssertProblemAsync(await _client.GetAsync("/api/v1/tasks/export?format=xml"), HttpStatusCode.BadRequest, "format");
    }

    [Fact]
    public async Task Stats_come_from_the_database_and_a_bad_window_is_refused()
    {
        await _app.InStateAsync(TaskState.Completed);
        await _app.InStateAsync(TaskState.Failed);
        await _app.InStateAsync(TaskState.Pending);

        var stats = await (await _client.GetAsync("/api/v1/monitor/stats?window=24h")).ReadJsonAsync();

        Assert.Equal(3, stats.GetProperty("total").GetInt64());
        Assert.Equal(0.5, stats.GetProperty("allTime").GetProperty("ratio").GetDouble());
        await AssertProblemAsync(await _client.GetAsync("/api/v1/monitor/stats?window=forever"), HttpStatusCode.BadRequest, "window");
        await AssertProblemAsync(await _client.GetAsync("/api/v1/monitor/stats?window=30d"), HttpStatusCode.BadRequest, "window");
    }

    [Fact]
    public async Task Operator_actions_through_the_api_are_audited_with_the_caller()
    {
        var failed = await _app.InStateAsync(TaskState.Failed);

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/v1/tasks/{failed.Id}/retry", null)).StatusCode);

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var entry = await db.AuditEntries.SingleAsync(a => a.Action == "task.retry");
        Assert.Equal("local", entry.Actor);
        Assert.Equal($"task:{failed.Id}", entry.Target);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_task_api()
    {
        var document = await (await _client.GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var paths = document.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/v1/tasks", out var tasks));
        Assert.True(tasks.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/v1/tasks/{id}/retry", out _));
        Assert.True(paths.TryGetProperty("/api/v1/monitor/stats", out _));
    }

    private async Task<List<long>> IdsAsync(string query)
    {
        var response = await _client.GetAsync($"/api/v1/tasks?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
    }

    private static Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null) =>
        response.IsProblemAsync(status, field);
}
