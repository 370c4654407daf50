using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

/// <summary>Auth:Mode=Local: every endpoint answers only to an identity with the right role.</summary>
public sealed partial class AccessTests : IDisposable
{
    private const string BootstrapKey = "mon_test-bootstrap-admin-key-0123456789";
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Local",
        [AccountBootstrap.AdminPasswordVariable] = "Adm1n-Passw0rd!",
        [AccountBootstrap.BootstrapKeyVariable] = BootstrapKey,
    });

    public void Dispose() => _app.Dispose();

    /// <summary>Mutating endpoints outside /api that are deliberately open or guarded another way. (Blazor page
    /// endpoints also accept POST for their forms: antiforgery and the page's authorization guard those.)</summary>
    private static readonly HashSet<string> NonApiMutations = new(StringComparer.Ordinal)
    {
        "POST /account/logout", // antiforgery-protected form; signing out needs no role
    };

    [Fact]
    public void Every_mutating_endpoint_requires_the_Operator_or_Admin_role()
    {
        var unguarded = MutatingEndpoints()
            .Where(e => e.Route.StartsWith("/api/", StringComparison.Ordinal) && RequiredPolicy(e.Endpoint) is not (Roles.OperatePolicy or Roles.AdministerPolicy))
            .Select(e => $"{e.Method} {e.Route}")
            .ToList();
        Assert.True(unguarded.Count == 0, "mutating endpoints without an Operator/Admin policy: " + string.Join(", ", unguarded));

        var unexpected = MutatingEndpoints()
            .Where(e => !e.Route.StartsWith("/api/", StringComparison.Ordinal) && !e.Route.StartsWith("/_blazor", StringComparison.Ordinal))
            .Where(e => e.Endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
            .Select(e => $"{e.Method} {e.Route}")
            .Where(e => !NonApiMutations.Contains(e))
            .ToList();
        Assert.True(unexpected.Count == 0, "mutating endpoints outside /api that nobody reviewed: " + string.Join(", ", unexpected));
    }

    [Fact]
    public async Task The_role_matrix_holds_for_every_mutating_api_endpoint()
    {
        using var admin = Client(BootstrapKey);
        var keys = new Dictionary<string, string>();
        foreach (var role in new[] { Roles.Viewer, Roles.Operator })
        {
            var created = await admin.PostJsonAsync("/api/v1/system/apikeys", new { name = role.ToLowerInvariant(), role });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            keys[role] = (await created.ReadJsonAsync()).GetProperty("secret").GetString()!;
        }

        var failures = new List<string>();
        foreach (var (method, route, endpoint) in MutatingEndpoints().Where(e => e.Route.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var adminOnly = RequiredPolicy(endpoint) == Roles.AdministerPolicy;
            var url = Placeholder().Replace(route, "999999");
            foreach (var (who, key, allowed) in new (string, string?, bool)[]
            {
                ("anonymous", null, false),
                (Roles.Viewer, keys[Roles.Viewer], false),
                (Roles.Operator, keys[Roles.Operator], !adminOnly),
                (Roles.Admin, BootstrapKey, true),
            })
            {
                using var client = Client(key);
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { }) };
                var status = (await client.SendAsync(request)).StatusCode;
                var expected = key is null ? "401" : allowed ? "not 401/403" : "403";
                var ok = key is null ? status == HttpStatusCode.Unauthorized
                    : allowed ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    : status == HttpStatusCode.Forbidden;
                if (!ok)
                {
                    failures.Add($"{method} {route} as {who}: {(int)status}, expected {expected}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Reads_need_an_identity_and_a_viewer_may_read()
    {
        using var admin = Client(BootstrapKey);
        var viewerKey = (await (await admin.PostJsonAsync("/api/v1/system/apikeys", new { name = "dash", role = "Viewer" })).ReadJsonAsync()).GetProperty("secret").GetString();
        using var anonymous = Client(null);
        using var viewer = Client(viewerKey);

        foreach (var url in new[] { "/api/v1/tasks", "/api/v1/monitor/stats", "/api/v1/monitor/workers", "/api/v1/audit", "/openapi/v1.json" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(url)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/system/apikeys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_are_stored_hashed_shown_once_and_stop_working_when_revoked()
    {
        using var admin = Client(BootstrapKey);
        var created = await (await admin.PostJsonAsync("/api/v1/system/apikeys", new { name = "ci", role = "Operator" })).ReadJsonAsync();
        var secret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("key").GetProperty("id").GetInt64();
        using var ci = Client(secret);
        var failed = await _app.InStateAsync(TaskState.Failed);

        Assert.Equal(HttpStatusCode.OK, (await ci.PostAsync($"/api/v1/tasks/{failed.Id}/retry", null)).StatusCode);

        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<AccountStore>>().CreateDbContextAsync())
        {
            var stored = await db.ApiKeys.SingleAsync(k => k.Id == id);
            Assert.NotEqual(secret, stored.Hash);
            Assert.DoesNotContain(secret, stored.Hash, StringComparison.Ordinal);
            Assert.Equal(64, stored.Hash.Length);
            Assert.NotNull(stored.LastUsedAt);
        }

        var listed = await (await admin.GetAsync("/api/v1/system/apikeys")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/system/apikeys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ci.GetAsync("/api/v1/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/v1/system/apikeys/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"","role":"Operator"}""", "name")]
    [InlineData("""{"name":"x","role":"Root"}""", "role")]
    [InlineData("""{"name":"x"}""", "role")]
    public async Task A_bad_api_key_request_names_the_field_and_creates_nothing(string body, string field)
    {
        using var admin = Client(BootstrapKey);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await admin.PostAsync("/api/v1/system/apikeys", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(1, (await (await admin.GetAsync("/api/v1/system/apikeys")).ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Each_action_is_audited_with_the_caller_that_did_it()
    {
        using var admin = Client(BootstrapKey);
        var operatorKey = (await (await admin.PostJsonAsync("/api/v1/system/apikeys", new { name = "oncall", role = "Operator" })).ReadJsonAsync()).GetProperty("secret").GetString();
        using var oncall = Client(operatorKey);
        var failed = await _app.InStateAsync(TaskState.Failed);
        var pending = await _app.InStateAsync(TaskState.Pending);

        await oncall.PostAsync($"/api/v1/tasks/{failed.Id}/retry", null);
        await oncall.PostAsync($"/api/v1/tasks/{pending.Id}/cancel", null);
        await admin.PostJsonAsync("/api/v1/system/workers/resize", new { count = 6 });

        var audit = await (await admin.GetAsync("/api/v1/audit?pageSize=50")).ReadJsonAsync();
        var rows = audit.GetProperty("items").EnumerateArray()
            .Select(a => $"{a.GetProperty("action").GetString()} by {a.GetProperty("actor").GetString()}")
            .ToList();
        Assert.Contains("task.retry by apikey:oncall", rows);
        Assert.Contains("task.cancel by apikey:oncall", rows);
        Assert.Contains("pool.resize by apikey:bootstrap", rows);
        Assert.Contains("apikey.create by apikey:bootstrap", rows);

        var filtered = await (await admin.GetAsync("/api/v1/audit?actor=apikey:oncall&action=task.")).ReadJsonAsync();
        Assert.Equal(2, filtered.GetProperty("total").GetInt64());
        var csv = await (await admin.GetAsync("/api/v1/audit?format=csv&action=task.retry")).Content.ReadAsStringAsync();
        Assert.Equal(2, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Nothing_in_the_api_can_change_or_delete_the_audit_trail()
    {
        var touching = MutatingEndpoints()
            .Where(e => e.Route.Contains("audit", StringComparison.OrdinalIgnoreCase) && e.Endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
            .ToList();
        Assert.Empty(touching);
    }

    private HttpClient Client(string? key)
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        }

        return client;
    }

    private List<(string Method, string Route, RouteEndpoint Endpoint)> MutatingEndpoints() =>
        _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m is not ("GET" or "HEAD" or "OPTIONS"))
                .Select(m => (m, "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'), e)))
            .ToList();

    /// <summary>The most demanding role policy on the endpoint (endpoint metadata beats the group's).</summary>
    private static string? RequiredPolicy(Microsoft.AspNetCore.Http.Endpoint endpoint)
    {
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
        return policies.Contains(Roles.AdministerPolicy) ? Roles.AdministerPolicy
            : policies.Contains(Roles.OperatePolicy) ? Roles.OperatePolicy
            : policies.LastOrDefault();
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();
}
