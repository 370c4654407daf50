using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core;
using Monitoring.Core.Audit;
using Monitoring.Web.Api;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Web.Security;

public sealed record ApiKeyView(long Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The only time the key is shown.</summary>
public sealed record CreatedApiKey(ApiKeyView Key, string Secret);

public sealed record CreateApiKeyRequest(string? Name, string? Role);

public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/system/apikeys").WithTags("System").RequireAuthorization(Roles.AdministerPolicy);
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("API keys (never the secrets).");
        keys.MapPost("/", Create).WithName("CreateApiKey").WithSummary("Creates a key with a role; the secret is in this response only.")
            .Accepts<CreateApiKeyRequest>("application/json");
        keys.MapDelete("/{id:long}", Revoke).WithName("RevokeApiKey").WithSummary("Revokes a key at once.");
        return routes;
    }

    public static async Task<Ok<List<ApiKeyView>>> List(IDbContextFactory<AccountStore> accounts, CancellationToken cancellationToken)
    {
        await using var db = await accounts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(keys.Select(View).ToList());
    }

    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> Create(
        HttpContext context, IDbContextFactory<AccountStore> accounts, AuditWriter audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        CreateApiKeyRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<CreateApiKeyRequest>(MonitoringJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return ApiProblems.Invalid("body", "The body must be JSON like {\"name\": \"ci\", \"role\": \"Operator\"}.");
        }

        var errors = new Dictionary<string, string[]>();
        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            errors["name"] = ["name is required: 1–100 printable characters."];
        }

        var role = new[] { Roles.Viewer, Roles.Operator, Roles.Admin }.FirstOrDefault(r => string.Equals(r, body?.Role, StringComparison.OrdinalIgnoreCase));
        if (role is null)
        {
            errors["role"] = ["role must be Viewer, Operator or Admin."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var secret = "mon_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var actor = context.ToActor();
        var key = new ApiKey
        {
            Name = name!, Role = role!, Hash = ApiKeyAuthenticationHandler.Hash(secret), Prefix = secret[..10],
            CreatedAt = clock.GetUtcNow(), CreatedBy = actor.Name,
        };
        await using (var db = await accounts.CreateDbContextAsync(cancellationToken))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
        }

        await audit.RecordAsync(actor, "apikey.create", $"apikey:{key.Id}", null, new { key.Name, key.Role, key.Prefix }, cancellationToken);
        return TypedResults.Created($"/api/v1/system/apikeys/{key.Id}", new CreatedApiKey(View(key), secret));
    }

    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> Revoke(
        long id, HttpContext context, IDbContextFactory<AccountStore> accounts, AuditWriter audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await accounts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return ApiProblems.NotFound($"API key {id} does not exist.");
        }

        if (key.RevokedAt is not null)
        {
            return ApiProblems.Conflict($"API key {id} ({key.Name}) was already revoked.");
        }

        key.RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(context.ToActor(), "apikey.revoke", $"apikey:{id}", new { key.Name, key.Role }, new { revokedAt = key.RevokedAt }, cancellationToken);
        return TypedResults.Ok(View(key));
    }

    private static ApiKeyView View(ApiKey k) => new(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedBy, k.LastUsedAt, k.RevokedAt);
}
