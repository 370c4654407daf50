using Monitoring.Core.Scheduling;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Audit;
using Monitoring.Core.Tasks;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Web.Security;

public sealed record ApiKeyView(long Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The only time the key is shown.</summary>
public sealed record CreatedApiKey(ApiKeyView Key, string Secret);

/// <summary>Creating, listing and revoking API keys, for the API and the Users page alike; every change audited.</summary>
public sealed class ApiKeyAdministration(IDbContextFactory<AccountStore> accounts, AuditWriter audit, InstanceRole instanceRole, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> AssignableRoles = [Roles.Viewer, Roles.Operator, Roles.Admin];

    public async Task<List<ApiKeyView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await accounts.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return keys.Select(View).ToList();
    }

    /// <summary>Problems with a request, keyed by field; empty when the key can be created.</summary>
    public static Dictionary<string, string[]> Validate(string? name, string? role)
    {
        var errors = new Dictionary<string, string[]>();
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 100 || trimmed.Any(char.IsControl))
        {
            errors["name"] = ["name is required: 1–100 printable characters."];
        }

        if (NormalizeRole(role) is null)
        {
            errors["role"] = ["role must be Viewer, Operator or Admin."];
        }

        return errors;
    }

    public async Task<CreatedApiKey> CreateAsync(Actor actor, string name, string role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        instanceRole.EnsureWritable();
        if (Validate(name, role).Count > 0)
        {
            throw new ArgumentException("The API key request is invalid; call Validate first.", nameof(name));
        }

        var secret = "mon_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new ApiKey
        {
            Name = name.Trim(), Role = NormalizeRole(role)!, Hash = ApiKeyAuthenticationHandler.Hash(secret), Prefix = secret[..10],
            CreatedAt = clock.GetUtcNow(), CreatedBy = actor.Name,
        };
        await using (var db = await accounts.CreateDbContextAsync(cancellationToken))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
        }

        await audit.RecordAsync(actor, "apikey.create", $"apikey:{key.Id}", null, new { key.Name, key.Role, key.Prefix }, cancellationToken);
        return new CreatedApiKey(View(key), secret);
    }

    /// <summary>Revokes a key. Returns null when there is no such key; throws when it was revoked already.</summary>
    public async Task<ApiKeyView?> RevokeAsync(Actor actor, long id, CancellationToken cancellationToken = default)
    {
        instanceRole.EnsureWritable();
        await using var db = await accounts.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (key.RevokedAt is not null)
        {
            throw new InvalidOperationException($"API key {id} ({key.Name}) was already revoked.");
        }

        key.RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, "apikey.revoke", $"apikey:{id}", new { key.Name, key.Role }, new { revokedAt = key.RevokedAt }, cancellationToken);
        return View(key);
    }

    private static string? NormalizeRole(string? role) =>
        AssignableRoles.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));

    private static ApiKeyView View(ApiKey k) => new(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedBy, k.LastUsedAt, k.RevokedAt);
}
