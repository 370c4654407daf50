using System.Net;
using Monitoring.Tests.Support;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

/// <summary>A request carries one credential; two different ones are refused instead of letting one win.</summary>
public sealed class CredentialTests : IDisposable
{
    private const string AdminKey = "mon_test-credential-admin-key-0123456789";
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Local",
        [AccountBootstrap.AdminPasswordVariable] = "Adm1n-Passw0rd!",
        [AccountBootstrap.BootstrapKeyVariable] = AdminKey,
    });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Two_different_keys_in_one_request_are_a_401_even_when_both_are_valid()
    {
        var viewerKey = await CreateKeyAsync("Viewer");
        var cases = new (string What, (string Name, string Value)[] Headers)[]
        {
            ("bearer and X-Api-Key differ", [("Authorization", $"Bearer {AdminKey}"), ("X-Api-Key", viewerKey)]),
            ("bearer and X-Api-Key differ, viewer first", [("Authorization", $"Bearer {viewerKey}"), ("X-Api-Key", AdminKey)]),
            ("two X-Api-Key headers", [("X-Api-Key", AdminKey), ("X-Api-Key", viewerKey)]),
            ("two Authorization headers", [("Authorization", $"Bearer {AdminKey}"), ("Authorization", $"Bearer {viewerKey}")]),
            ("another scheme before a bearer", [("Authorization", "Basic YTpi"), ("Authorization", $"Bearer {AdminKey}")]),
        };

        using var client = _app.CreateClient();
        foreach (var (what, headers) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/system/apikeys");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            await response.IsProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task The_same_key_in_both_headers_is_one_credential()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/system/apikeys");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {AdminKey}");
        request.Headers.TryAddWithoutValidation("X-Api-Key", AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    private async Task<string> CreateKeyAsync(string role)
    {
        using var admin = _app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var created = await admin.PostJsonAsync("/api/v1/system/apikeys", new { name = role.ToLowerInvariant(), role });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("secret").GetString()!;
    }
}
