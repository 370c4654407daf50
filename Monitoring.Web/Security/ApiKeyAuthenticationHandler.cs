using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monitoring.Core.Tasks;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Web.Security;

/// <summary>Authenticates automation by API key: <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>.
/// The key's name is the actor in events and the audit trail; its role is its only role.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IDbContextFactory<AccountStore> accounts, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>Last-used times are written at most this often per key, not on every request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static bool HasKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsKey(HeaderName) ||
               request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers[HeaderName].ToString();
        if (key.Length == 0)
        {
            var authorization = Request.Headers.Authorization.ToString();
            key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
        }

        if (key.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = Hash(key);
        await using var db = await accounts.CreateDbContextAsync(Context.RequestAborted);
        var apiKey = await db.ApiKeys.FirstOrDefaultAsync(k => k.Hash == hash, Context.RequestAborted);
        if (apiKey is null || apiKey.RevokedAt is not null)
        {
            return AuthenticateResult.Fail(apiKey is null ? "Unknown API key." : "The API key was revoked.");
        }

        var now = clock.GetUtcNow();
        if (apiKey.LastUsedAt is null || now - apiKey.LastUsedAt > LastUsedResolution)
        {
            apiKey.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, $"apikey:{apiKey.Name}"),
                new Claim(ClaimTypes.Role, apiKey.Role),
                new Claim(Roles.ActorKindClaim, nameof(ActorKind.ApiKey)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
