using System.Net;
using System.Text.Json;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Api;

/// <summary>Paging and query values: a page past the end is empty (never page 1 again), bounds are 400s naming
/// the field, an empty value reads as absent, and no query value anywhere in the API makes a 5xx.</summary>
public sealed class HostileQueryTests : IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly HttpClient _client;

    public HostileQueryTests()
    {
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    /// <summary>Every paged list (tasks and the audit trail page; the others take a bounded limit).</summary>
    public static TheoryData<string> PagedLists() => ["/api/v1/tasks", "/api/v1/audit"];

    [Theory]
    [MemberData(nameof(PagedLists))]
    public async Task A_page_past_the_end_is_empty_with_the_right_total_even_at_int_max(string list)
    {
        await SubmitThreeTasksAsync();
        var first = await (await _client.GetAsync($"{list}?page=1&pageSize=2")).ReadJsonAsync();
        var total = first.GetProperty("total").GetInt64();
        Assert.True(total >= 3, $"{list} should list the three submissions: {first}");

        foreach (var (page, pageSize) in new[] { ("3", "2"), ("1000", "2"), ($"{int.MaxValue}", "2"), ($"{int.MaxValue}", "500"), ($"{int.MaxValue - 1}", "7") })
        {
            var response = await _client.GetAsync($"{list}?page={page}&pageSize={pageSize}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadJsonAsync();
            Assert.True(body.GetProperty("items").GetArrayLength() == 0, $"{list} page {page} × {pageSize} should be empty: {body}");
            Assert.Equal(total, body.GetProperty("total").GetInt64());
            Assert.Equal(page, body.GetProperty("page").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("/api/v1/tasks", "page=0", "page")]
    [InlineData("/api/v1/tasks", "page=-1", "page")]
    [InlineData("/api/v1/tasks", "page=99999999999", "page")]
    [InlineData("/api/v1/tasks", $"pageSize=2147483647", "pageSize")]
    [InlineData("/api/v1/tasks", "pageSize=0", "pageSize")]
    [InlineData("/api/v1/audit", "page=0", "page")]
    [InlineData("/api/v1/audit", "page=-1", "page")]
    [InlineData("/api/v1/audit", "pageSize=2147483647", "pageSize")]
    [InlineData("/api/v1/alerts/history", "limit=2147483647", "limit")]
    [InlineData("/api/v1/alerts/history", "limit=abc", "limit")]
    [InlineData("/api/v1/alerts/history", "ruleId=-5", "ruleId")]
    [InlineData("/api/v1/system/logs", "limit=-1", "limit")]
    public async Task Paging_values_out_of_bounds_are_a_400_naming_the_field(string list, string query, string field) =>
        await (await _client.GetAsync($"{list}?{query}")).IsProblemAsync(HttpStatusCode.BadRequest, field);

    [Theory]
    [InlineData("/api/v1/tasks?page=&pageSize=&status=&priority=&type=&from=&to=&q=&id=&fingerprint=")]
    [InlineData("/api/v1/tasks/failures?status=&id=&fingerprint=")]
    [InlineData("/api/v1/tasks/export?format=&page=&id=")]
    [InlineData("/api/v1/audit?page=&pageSize=&from=&to=&actor=&action=&format=")]
    [InlineData("/api/v1/alerts?status=&severity=")]
    [InlineData("/api/v1/alerts/history?ruleId=&from=&to=&limit=")]
    [InlineData("/api/v1/system/logs?from=&to=&level=&search=&source=&limit=")]
    [InlineData("/api/v1/monitor/stats?window=")]
    [InlineData("/api/v1/monitor/performance?window=")]
    public async Task Empty_query_values_read_as_absent(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task An_empty_page_value_is_page_one()
    {
        await SubmitThreeTasksAsync();
        var body = await (await _client.GetAsync("/api/v1/tasks?page=&pageSize=")).ReadJsonAsync();
        Assert.Equal(1, body.GetProperty("page").GetInt32());
        Assert.Equal(3, body.GetProperty("items").GetArrayLength());
    }

    /// <summary>Walks the OpenAPI document and sends every operation hostile values in each query parameter.</summary>
    [Fact]
    public async Task No_query_value_makes_any_operation_answer_5xx()
    {
        await SubmitThreeTasksAsync();
        var hostile = new[]
        {
            "", " ", "99999999999999999999", "-2147483649", "2147483647", "-1", "0", "1e308", "NaN",
            "%ED%A0%80", "%00", "%FF%FE", new string('9', 10_000), "%22%5C", "..%2F..%2Fetc", "2026-13-45T99:99:99Z",
        };
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json"));
        var failures = new List<string>();
        var sent = 0;
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                var route = System.Text.RegularExpressions.Regex.Replace(path.Name, @"\{[^}]+\}", "1");
                var queryNames = parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!).ToList();
                foreach (var name in queryNames.DefaultIfEmpty(null))
                {
                    foreach (var value in name is null ? [""] : hostile)
                    {
                        var url = name is null ? route : $"{route}?{Uri.EscapeDataString(name)}={value}";
                        using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url);
                        using var response = await _client.SendAsync(request);
                        sent++;
                        if ((int)response.StatusCode >= 500)
                        {
                            var text = await response.Content.ReadAsStringAsync();
                            failures.Add($"{operation.Name.ToUpperInvariant()} {url[..Math.Min(url.Length, 120)]}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
                        }
                    }
                }
            }
        }

        Assert.True(sent > 100, $"the OpenAPI walk sent only {sent} requests");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task SubmitThreeTasksAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            var response = await _client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType, source = $"paging-{i}" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }
}
