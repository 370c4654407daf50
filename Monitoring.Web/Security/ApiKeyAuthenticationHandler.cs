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
        // Every Authorization value counts: a Bearer key behind another scheme's header is still a key to check.
        return request.Headers.ContainsKey(HeaderName) ||
               request.Headers.Authorization.Any(v => v?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The one key the request carries, or why it carries none that can be trusted. Two different keys
    /// (Bearer and X-Api-Key, or either header twice) are refused rather than letting one win: which one a proxy
    /// or client library put first is not the caller's intent. The same key in both headers is one credential.
    /// A session cookie sent along with a key is not consulted at all (the scheme selector routes any request
    /// with a key here), so a key never mixes with a signed-in user's rights.</summary>
    internal static (string? Key, string? Failure) ReadKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var apiKeyHeaders = request.Headers[HeaderName];
        var authorizations = request.Headers.Authorization;
        if (apiKeyHeaders.Count > 1 || authorizations.Count > 1)
        {
            return (null, "Send one credential: the request has more than one X-Api-Key or Authorization header.");
        }

        var fromHeader = apiKeyHeaders.ToString().Trim();
        var authorization = authorizations.ToString();
        var fromBearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : "";
        if (fromHeader.Length > 0 && fromBearer.Length > 0 && !string.Equals(fromHeader, fromBearer, StringComparison.Ordinal))
        {
            return (null, "Send one credential: the Authorization bearer key and the X-Api-Key header differ.");
        }

        var key = fromHeader.Length > 0 ? fromHeader : fromBearer;
        return (key.Length > 0 ? key : null, null);
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (key, failure) = ReadKey(Request);
        if (failure is not null)
        {
            return AuthenticateResult.Fail(failure);
        }

        if (key is null)
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

    /// <summary>A 401 that says why (unknown, revoked, or two different keys), as a problem like every other error.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(
                result.Failure?.Message ?? "Send an API key as Authorization: Bearer <key> or X-Api-Key.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Not authenticated")
            .ExecuteAsync(Context);
    }
}
