using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Alerts;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Alerts;

/// <summary>/api/v1/alerts over real HTTP on a real SQLite file.</summary>
public sealed class AlertsApiTests : IDisposable
{
    private const string ValidRule = """
        {"name":"GpuWarm","metric":"monitoring_gpu_temperature_celsius","comparison":">","threshold":80,"forSeconds":60,
         "severity":"warning","labels":{"team":"render"},"summary":"GPU {{ $labels.uuid }} at {{ $value }} °C"}
        """;

    private readonly MonitoringApp _app = new();
    private readonly HttpClient _client;

    public AlertsApiTests()
    {
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    public static TheoryData<string, string> BadRules() => new()
    {
        { "{bad", "body" },
        { "[]", "body" },
        { """{"metric":"monitoring_system_cpu_ratio","comparison":">","threshold":1,"severity":"info","summary":"s"}""", "name" },
        { Replace("\"monitoring_gpu_temperature_celsius\"", "\"no_such_metric\""), "metric" },
        { Replace("\">\"", "\"=>\""), "comparison" },
        { Replace("80", "\"eighty\""), "threshold" },
        { Replace("\"threshold\":80,", ""), "threshold" },
        { Replace("\"forSeconds\":60", "\"forSeconds\":-5"), "forSeconds" },
        { Replace("\"forSeconds\":60", "\"forSeconds\":60,\"keepFiringForSeconds\":-1"), "keepFiringForSeconds" },
        { Replace("\"warning\"", "\"loud\""), "severity" },
        { Replace("\"GPU {{ $labels.uuid }} at {{ $value }} °C\"", "\"  \""), "summary" },
        { Replace("\"GPU {{ $labels.uuid }} at {{ $value }} °C\"", "\"{{ $labls.uuid }}\""), "summary" },
        { Replace("{\"team\":\"render\"}", "{\"1team\":\"x\"}"), "labels" },
        { Replace("{\"team\":\"render\"}", "{\"severity\":\"page\"}"), "labels" },
        { Replace("\"comparison\"", "\"matchers\":{\"bad-name\":\"x\"},\"comparison\""), "matchers" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task An_invalid_rule_gets_a_400_naming_the_field_and_changes_nothing(string body, string field)
    {
        var before = await RuleCountAsync();

        await (await PostAsync("/api/v1/alerts/rules", body)).IsProblemAsync(HttpStatusCode.BadRequest, field);

        Assert.Equal(before, await RuleCountAsync());
        await using var db = await OpenAsync();
        Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.Action.StartsWith("alert.")));
    }

    [Fact]
    public async Task Creating_updating_and_deleting_a_rule_is_audited_with_before_and_after()
    {
        var created = await PostAsync("/api/v1/alerts/rules", ValidRule);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.ReadJsonAsync();
        var id = rule.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/alerts/rules/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("warning", rule.GetProperty("severity").GetString());
        Assert.Equal(">", rule.GetProperty("comparison").GetString());

        var updated = await SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{id}", """{"threshold":82.5,"severity":"critical"}""");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await updated.ReadJsonAsync();
        Assert.Equal(82.5, after.GetProperty("threshold").GetDouble());
        Assert.Equal("critical", after.GetProperty("severity").GetString());
        Assert.Equal("GpuWarm", after.GetProperty("name").GetString());
        Assert.Equal(60, after.GetProperty("forSeconds").GetInt32());

        await (await SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{id}", """{"threshold":"high"}""")).IsProblemAsync(HttpStatusCode.BadRequest, "threshold");
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/alerts/rules/{id}")).StatusCode);
        await (await _client.GetAsync($"/api/v1/alerts/rules/{id}")).IsProblemAsync(HttpStatusCode.NotFound);

        await using var db = await OpenAsync();
        var audit = await db.AuditEntries.Where(a => a.Action.StartsWith("alert.rule.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["alert.rule.create", "alert.rule.update", "alert.rule.delete"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal($"alert-rule:{id}", a.Target));
        Assert.All(audit, a => Assert.Equal("local", a.Actor));
        Assert.Null(audit[0].Before);
        Assert.Contains("\"threshold\":80", audit[0].After, StringComparison.Ordinal);
        Assert.Contains("\"threshold\":80", audit[1].Before, StringComparison.Ordinal);
        Assert.Contains("\"threshold\":82.5", audit[1].After, StringComparison.Ordinal);
        Assert.Contains("\"severity\":\"critical\"", audit[2].Before, StringComparison.Ordinal);
        Assert.Null(audit[2].After);
    }

    [Fact]
    public async Task A_name_already_taken_is_refused()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/alerts/rules", ValidRule)).StatusCode);
        await (await PostAsync("/api/v1/alerts/rules", ValidRule)).IsProblemAsync(HttpStatusCode.BadRequest, "name");
        await (await PostAsync("/api/v1/alerts/rules", Replace("GpuWarm", "GpuLost"))).IsProblemAsync(HttpStatusCode.BadRequest, "name");
    }

    [Fact]
    public async Task Built_in_rules_are_listed_can_be_disabled_but_not_deleted()
    {
        var rules = (await (await _client.GetAsync("/api/v1/alerts/rules")).ReadJsonAsync()).EnumerateArray().ToList();
        Assert.Equal(BuiltInAlertRules.All.Count, rules.Count(r => r.GetProperty("builtIn").ValueKind == JsonValueKind.String));
        var lost = rules.Single(r => r.GetProperty("builtIn").GetString() == "gpu-lost").GetProperty("id").GetInt64();

        await (await _client.DeleteAsync($"/api/v1/alerts/rules/{lost}")).IsProblemAsync(HttpStatusCode.Conflict);
        var disabled = await SendAsync(HttpMethod.Put, $"/api/v1/alerts/rules/{lost}", """{"enabled":false}""");

        Assert.False((await disabled.ReadJsonAsync()).GetProperty("enabled").GetBoolean());
        Assert.Equal("gpu-lost", (await (await _client.GetAsync($"/api/v1/alerts/rules/{lost}")).ReadJsonAsync()).GetProperty("builtIn").GetString());
    }

    [Theory]
    [InlineData("/api/v1/alerts?status=burning", "status")]
    [InlineData("/api/v1/alerts?status=Firing,7", "status")]
    [InlineData("/api/v1/alerts?severity=loud", "severity")]
    [InlineData("/api/v1/alerts/history?from=yesterday", "from")]
    [InlineData("/api/v1/alerts/history?limit=0", "limit")]
    public async Task A_bad_filter_gets_a_400_naming_it(string url, string field) =>
        await (await _client.GetAsync(url)).IsProblemAsync(HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task Alerts_are_listed_and_filtered_by_status_and_severity()
    {
        var engine = _app.Services.GetRequiredService<AlertEvaluator>();
        await engine.EvaluateAsync();

        var all = await (await _client.GetAsync("/api/v1/alerts?status=firing,pending,inactive,nodata,resolved&severity=info,warning,critical")).ReadJsonAsync();
        var firing = await (await _client.GetAsync("/api/v1/alerts?status=Firing")).ReadJsonAsync();

        // Job freshness is always known: one instance per registered job of the built-in stale-job rule.
        Assert.Contains(all.EnumerateArray(), a => a.GetProperty("ruleName").GetString() == "PeriodicJobStale");
        Assert.All(firing.EnumerateArray(), a => Assert.Equal("Firing", a.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Firing_counts_by_severity_are_on_metrics_after_an_evaluation_and_pass_promtool()
    {
        await _app.Services.GetRequiredService<AlertEvaluator>().EvaluateAsync();

        var exposition = await _client.GetStringAsync("/metrics");

        foreach (var severity in new[] { "info", "warning", "critical" })
        {
            Assert.Contains($"monitoring_alerts_firing{{severity=\"{severity}\"}}", exposition, StringComparison.Ordinal);
        }

        var check = await Metrics.Promtool.CheckMetricsAsync(exposition);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public async Task Silences_are_created_listed_and_expired_with_an_audit_trail()
    {
        var created = await PostAsync("/api/v1/alerts/silences", """{"matchers":{"alertname":"GpuLost"},"durationMinutes":30,"reason":"driver update"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var silence = await created.ReadJsonAsync();
        var id = silence.GetProperty("id").GetInt64();
        Assert.True(silence.GetProperty("active").GetBoolean());
        Assert.Equal("local", silence.GetProperty("author").GetString());

        var listed = await (await _client.GetAsync("/api/v1/alerts/silences")).ReadJsonAsync();
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt64());

        var expired = await _client.DeleteAsync($"/api/v1/alerts/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.False((await expired.ReadJsonAsync()).GetProperty("active").GetBoolean());
        await (await _client.DeleteAsync($"/api/v1/alerts/silences/{id}")).IsProblemAsync(HttpStatusCode.Conflict);
        await (await _client.DeleteAsync("/api/v1/alerts/silences/999999")).IsProblemAsync(HttpStatusCode.NotFound);

        await using var db = await OpenAsync();
        var audit = await db.AuditEntries.Where(a => a.Action.StartsWith("alert.silence.")).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["alert.silence.create", "alert.silence.expire"], audit.Select(a => a.Action));
        Assert.Contains("driver update", audit[0].After, StringComparison.Ordinal);
        Assert.Contains("\"expiredAt\":null", audit[1].Before, StringComparison.Ordinal);
        Assert.DoesNotContain("\"expiredAt\":null", audit[1].After, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"durationMinutes":30,"reason":"x"}""", "matchers")]
    [InlineData("""{"matchers":{"alertname":"GpuLost"},"reason":"x"}""", "endsAt")]
    [InlineData("""{"matchers":{"alertname":"GpuLost"},"durationMinutes":100000,"reason":"x"}""", "endsAt")]
    [InlineData("""{"matchers":{"alertname":"GpuLost"},"durationMinutes":-5,"reason":"x"}""", "durationMinutes")]
    [InlineData("""{"matchers":{"alertname":"GpuLost"},"durationMinutes":30}""", "reason")]
    [InlineData("""{"matchers":{"alertname":"GpuLost"},"endsAt":"2001-01-01T00:00:00Z","reason":"x"}""", "endsAt")]
    public async Task An_invalid_silence_gets_a_400_naming_the_field(string body, string field)
    {
        await (await PostAsync("/api/v1/alerts/silences", body)).IsProblemAsync(HttpStatusCode.BadRequest, field);
        await using var db = await OpenAsync();
        Assert.Equal(0, await db.Silences.CountAsync());
    }

    private static string Replace(string oldValue, string newValue) => ValidRule.Replace(oldValue, newValue, StringComparison.Ordinal);

    private async Task<HttpResponseMessage> PostAsync(string url, string body) => await SendAsync(HttpMethod.Post, url, body);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return await _client.SendAsync(request);
    }

    private async Task<int> RuleCountAsync()
    {
        await using var db = await OpenAsync();
        return await db.AlertRules.CountAsync();
    }

    private Task<MonitoringDbContext> OpenAsync() =>
        _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
}
