using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Api;

/// <summary>Every endpoint that reads a JSON body, sent the same hostile bodies as an Admin: each gets a 4xx
/// problem that names the field, nothing changes, and nothing is logged with an exception.</summary>
public sealed class HostileBodyTests : IDisposable
{
    private const string AdminKey = "mon_test-hostile-admin-key-0123456789";

    /// <summary>Larger than every endpoint's limit (the largest, task submission, is 256 KiB).</summary>
    private const int OverEveryLimit = 300 * 1024;

    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Local",
        [AccountBootstrap.AdminPasswordVariable] = "Adm1n-Passw0rd!",
        [AccountBootstrap.BootstrapKeyVariable] = AdminKey,
    });

    private readonly HttpClient _admin;

    public HostileBodyTests()
    {
        _admin = _app.CreateClient();
        _admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public void Dispose()
    {
        _admin.Dispose();
        _app.Dispose();
    }

    /// <summary>Method and route of every JSON body endpoint; <c>{id}</c> is an existing alert rule.</summary>
    private static readonly (string Method, string Route)[] BodyEndpoints =
    [
        ("POST", "/api/v1/tasks"),
        ("POST", "/api/v1/alerts/rules"),
        ("PUT", "/api/v1/alerts/rules/{id}"),
        ("POST", "/api/v1/alerts/silences"),
        ("POST", "/api/v1/system/apikeys"),
        ("POST", "/api/v1/system/workers/resize"),
        ("POST", "/api/v1/system/config"),
    ];

    [Fact]
    public void The_battery_covers_every_endpoint_that_accepts_a_json_body()
    {
        _ = _app.Server;
        var accepting = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("application/json") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {Route(e)}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(BodyEndpoints.Select(e => $"{e.Method} {e.Route}").Order(StringComparer.Ordinal), accepting);
    }

    public static TheoryData<string, string, string> TextThatIsNotUnicode() => new()
    {
        { "a lone high surrogate in a nested value", """{"labels":{"team":"\ud800"}}""", "labels.team" },
        { "a lone low surrogate in a top-level value", """{"summary":"ok \udc00"}""", "summary" },
        { "a lone surrogate in an array", """{"matchers":[1,"\ud83d"]}""", "matchers[1]" },
        { "a lone surrogate in a property name", """{"parameters":{"\ud800name":1}}""", "parameters" },
        { "a lone surrogate in a top-level property name", """{"\udfff":1}""", "body" },
    };

    [Theory]
    [MemberData(nameof(TextThatIsNotUnicode))]
    public async Task Text_that_is_not_unicode_is_a_400_naming_the_field_at_every_endpoint(string what, string body, string field)
    {
        await AssertEveryEndpointAsync(what, () => Json(body), HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task A_lone_surrogate_inside_task_parameters_is_named_by_its_path()
    {
        var before = await SnapshotAsync();
        using var content = Json("""{"type":"test.gate","parameters":{"name":"\ud800"}}""");
        var response = await _admin.PostAsync("/api/v1/tasks", content);

        await response.IsProblemAsync(HttpStatusCode.BadRequest, "parameters.name");
        await AssertNothingChangedAsync(before, "task parameters");
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_a_400_naming_the_field()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"summary":"ab"}""");
        bytes[12] = 0xFF;
        await AssertEveryEndpointAsync("invalid UTF-8", () => Bytes(bytes, "application/json"), HttpStatusCode.BadRequest, "summary");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_when_its_length_is_announced() =>
        await AssertEveryEndpointAsync("Content-Length over the limit", () => Json(Padded(OverEveryLimit)), HttpStatusCode.RequestEntityTooLarge);

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_a_413() =>
        await AssertEveryEndpointAsync("chunked over the limit", () => new UnknownLengthContent(Encoding.UTF8.GetBytes(Padded(OverEveryLimit))), HttpStatusCode.RequestEntityTooLarge);

    [Theory]
    [InlineData("""{"type":""", "body")]
    [InlineData("""{"a":1,}""", "body")]
    [InlineData("""{"a":tru}""", "body")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    public async Task A_malformed_or_empty_body_is_a_400(string body, string field) =>
        await AssertEveryEndpointAsync($"body '{body}'", () => Json(body), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415() =>
        await AssertEveryEndpointAsync("form body", () => Bytes("a=1"u8.ToArray(), "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType);

    [Fact]
    public async Task Task_submission_takes_a_body_near_its_limit_and_refuses_one_just_over_it()
    {
        // 256 KiB: parameters may be 64 KiB, so a body of 200 KiB (mostly spaces) is read and judged on its fields.
        using var near = Json("""{"type":"test.gate"}""" + new string(' ', 200 * 1024));
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsync("/api/v1/tasks", near)).StatusCode);

        using var over = Json("""{"type":"test.gate"}""" + new string(' ', 256 * 1024));
        await (await _admin.PostAsync("/api/v1/tasks", over)).IsProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    private async Task AssertEveryEndpointAsync(string what, Func<HttpContent> content, HttpStatusCode status, string? field = null)
    {
        var ruleId = await AnyRuleIdAsync();
        var before = await SnapshotAsync();
        var failures = new List<string>();
        foreach (var (method, route) in BodyEndpoints)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id}", ruleId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                Content = content(),
            };
            using var response = await _admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var namesField = field is null || (response.Content.Headers.ContentType?.MediaType == "application/problem+json" &&
                                                JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _));
            if (response.StatusCode != status || response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !namesField)
            {
                failures.Add($"{method} {route}: {(int)response.StatusCode} {Shorten(text)}");
            }
        }

        Assert.True(failures.Count == 0, $"{what}: expected {(int)status}{(field is null ? "" : $" naming '{field}'")}:\n{string.Join("\n", failures)}");
        await AssertNothingChangedAsync(before, what);
    }

    private async Task AssertNothingChangedAsync(Snapshot before, string what)
    {
        Assert.Equal(before, await SnapshotAsync());
        var withException = _app.Services.GetRequiredService<LogRingBuffer>().Query(new LogQuery { Limit = LogQuery.MaxLimit })
            .Where(e => e.Exception is not null || e.Message.Contains("Exception", StringComparison.Ordinal))
            .Select(e => $"{e.Level} {e.Source}: {e.Message} {e.Exception}")
            .ToList();
        Assert.True(withException.Count == 0, $"{what}: logged exceptions:\n{string.Join("\n", withException)}");
    }

    private sealed record Snapshot(int Tasks, int Audit, int Rules, int Silences, int ApiKeys, int Settings);

    private async Task<Snapshot> SnapshotAsync()
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        await using var accounts = await _app.Services.GetRequiredService<IDbContextFactory<AccountStore>>().CreateDbContextAsync();
        return new Snapshot(
            await db.Tasks.CountAsync(), await db.AuditEntries.CountAsync(), await db.AlertRules.CountAsync(), await db.Silences.CountAsync(),
            await accounts.ApiKeys.CountAsync(), await accounts.SettingOverrides.CountAsync());
    }

    private async Task<long> AnyRuleIdAsync()
    {
        var rules = await (await _admin.GetAsync("/api/v1/alerts/rules")).ReadJsonAsync();
        return rules.EnumerateArray().First().GetProperty("id").GetInt64();
    }

    private static string Route(RouteEndpoint endpoint) =>
        System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!.TrimEnd('/'), @"\{id:long\}", "{id}");

    private static string Padded(int bytes) => """{"name":"x","pad":""" + "\"" + new string('a', bytes) + "\"}";

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>A body without Content-Length, as a chunked upload sends it.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
