using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Metrics;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.MetricHistory;

/// <summary>One app for the tests that only read: its store holds a name outside the catalogue and completions per
/// minute. The performance snapshot runs once only, so it records no rate of its own.</summary>
public sealed class MetricsApiFixture : IAsyncLifetime
{
    public MonitoringApp App { get; } = new(new Dictionary<string, string?> { ["Probes:PerformanceIntervalSeconds"] = "3600" });
    public HttpClient Client { get; private set; } = null!;
    // 30 s into a 4-minute bucket (the 24 h performance step), so the two samples 30 s apart always share one
    // bucket; taken from the wall clock, they would straddle a boundary one run in eight.
    public DateTimeOffset RecordedAt { get; } = BucketStart(DateTimeOffset.UtcNow.AddMinutes(-7), TimeSpan.FromMinutes(4)).AddSeconds(30);

    private static DateTimeOffset BucketStart(DateTimeOffset at, TimeSpan step) =>
        new(at.UtcTicks - at.UtcTicks % step.Ticks, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        Client = App.CreateClient();
        await App.Services.GetRequiredService<MetricStore>().RecordAsync(
        [
            new MetricPoint("plugin_queue_depth", MetricLabels.Of("queue", "a"), RecordedAt, 4),
            new MetricPoint(MetricNames.TasksCompletedPerMinute, RecordedAt, 12),
            new MetricPoint(MetricNames.TasksCompletedPerMinute, RecordedAt.AddSeconds(30), 18),
        ]);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

public sealed class MetricsApiTests(MetricsApiFixture fixture) : IClassFixture<MetricsApiFixture>
{
    private const string Load = "name=" + MetricNames.SystemLoad1;

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "", "name" },
        { "?name=%20", "name" },
        { "?name=monitoring_made_up_total", "name" },
        { $"?{Load}&from=yesterday", "from" },
        { $"?{Load}&to=2026-13-45", "to" },
        { $"?{Load}&from=2026-11-22T12:00:00Z&to=2026-11-22T11:00:00Z", "from" },
        { $"?{Load}&from=2026-11-22T12:00:00Z&to=2026-11-22T12:00:00Z", "from" },
        { $"?{Load}&step=ten", "step" },
        { $"?{Load}&step=0s", "step" },
        { $"?{Load}&step=500ms", "step" },
        { $"?{Load}&step=-1m", "step" },
        { $"?{Load}&step=8d", "step" },
        { $"?{Load}&labels=uuid", "labels" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_input_gets_400_naming_the_field(string query, string field) =>
        await AssertProblemAsync("/api/v1/metrics" + query, field);

    [Fact]
    public async Task Too_many_points_gets_400_on_step_telling_to_raise_it()
    {
        var from = Iso(DateTimeOffset.UtcNow.AddDays(-7));

        var problem = await AssertProblemAsync($"/api/v1/metrics?name=plugin_queue_depth&from={from}&step=10s", "step");

        Assert.Contains("too many points", problem.GetProperty("errors").GetProperty("step")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_range_or_step_the_last_hour_comes_back_in_at_most_360_steps()
    {
        var body = await GetOkAsync("/api/v1/metrics?name=plugin_queue_depth");

        Assert.Equal("plugin_queue_depth", body.GetProperty("name").GetString());
        Assert.Equal("Raw", body.GetProperty("source").GetString());
        var span = body.GetProperty("to").GetDateTimeOffset() - body.GetProperty("from").GetDateTimeOffset();
        var step = TimeSpan.Parse(body.GetProperty("step").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(span, TimeSpan.FromHours(1), TimeSpan.FromHours(1) + step);
        Assert.True(span / step <= 360, $"{span} / {step}");
        var point = Assert.Single(Assert.Single(body.GetProperty("series").EnumerateArray()).GetProperty("points").EnumerateArray());
        Assert.Equal(4, point.GetProperty("avg").GetDouble());
        Assert.Equal(1, point.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_name_outside_the_catalogue_that_the_store_holds_is_answered_and_labels_filter_it()
    {
        var from = Iso(fixture.RecordedAt.AddMinutes(-1));

        var body = await GetOkAsync($"/api/v1/metrics?name=plugin_queue_depth&from={from}&step=1m&labels=queue%3Da");
        var other = await GetOkAsync($"/api/v1/metrics?name=plugin_queue_depth&from={from}&step=1m&labels=queue%3Db");

        var series = Assert.Single(body.GetProperty("series").EnumerateArray());
        Assert.Equal("queue=a", series.GetProperty("labels").GetString());
        Assert.Equal(4, Assert.Single(series.GetProperty("points").EnumerateArray()).GetProperty("max").GetDouble());
        Assert.Empty(other.GetProperty("series").EnumerateArray());
    }

    [Fact]
    public async Task Performance_gives_the_window_statistics_and_the_per_minute_history()
    {
        var body = await GetOkAsync("/api/v1/monitor/performance?window=24h");

        Assert.Equal("1.00:00:00", body.GetProperty("stats").GetProperty("window").GetString());
        Assert.Equal("00:04:00", body.GetProperty("step").GetString());
        var completed = body.GetProperty("completedPerMinute").EnumerateArray().ToList();
        var point = Assert.Single(completed);
        Assert.Equal(15, point.GetProperty("avg").GetDouble());
        Assert.Equal(2, point.GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("failedPerMinute").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("queued").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("successRatio").ValueKind);
    }

    [Theory]
    [InlineData("?window=soon")]
    [InlineData("?window=8d")]
    [InlineData("?window=0h")]
    public async Task Performance_with_a_bad_window_gets_400_naming_it(string query) =>
        await AssertProblemAsync("/api/v1/monitor/performance" + query, "window");

    private async Task<JsonElement> AssertProblemAsync(string url, string field)
    {
        var response = await fixture.Client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
        return problem;
    }

    private async Task<JsonElement> GetOkAsync(string url)
    {
        var response = await fixture.Client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));
}

public sealed class ProbeHistoryTests
{
    [Fact]
    public async Task Series_recorded_by_the_probe_and_snapshot_jobs_are_served_by_the_api()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(
            ("Gpu:Provider", "simulated"), ("Probes:GpuIntervalSeconds", "1"), ("Probes:SystemIntervalSeconds", "1"),
            ("Probes:PerformanceIntervalSeconds", "5")));
        using var client = app.CreateClient();

        async Task<List<JsonElement>> SeriesAsync(string query)
        {
            var response = await client.GetAsync(new Uri("/api/v1/metrics?step=1s&name=" + query, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.ReadJsonAsync()).GetProperty("series").EnumerateArray().ToList();
        }

        List<JsonElement> gpus = [];
        await Eventually.TrueAsync(async () =>
        {
            gpus = await SeriesAsync(MetricNames.GpuMemoryUsedBytes);
            return gpus.Count == 2 && gpus.All(s => s.GetProperty("points").GetArrayLength() >= 2);
        }, "both simulated GPUs have two memory readings");
        await Eventually.TrueAsync(async () =>
            (await SeriesAsync(MetricNames.ProcessWorkingSetBytes)).Count == 1 && (await SeriesAsync(MetricNames.WorkersSize)).Count == 1,
            "the system probe and the performance snapshot recorded");

        var labels = gpus[0].GetProperty("labels").GetString()!;
        Assert.StartsWith("uuid=", labels, StringComparison.Ordinal);
        var one = await SeriesAsync(MetricNames.GpuMemoryFreeBytes + "&labels=" + Uri.EscapeDataString(labels));
        Assert.Equal(labels, Assert.Single(one).GetProperty("labels").GetString());
        Assert.True(Assert.Single(one).GetProperty("points")[0].GetProperty("max").GetDouble() > 0);
    }
}
