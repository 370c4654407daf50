using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Audit;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Security.Accounts;

/// <summary>First start: the account tables, the three roles, the <c>admin</c> user (password from
/// <c>MONITORING_ADMIN_PASSWORD</c>, or a random one written once to the log) and, when
/// <c>MONITORING_BOOTSTRAP_API_KEY</c> is set, an Admin API key with that value.</summary>
public static class AccountBootstrap
{
    public const string AdminUserName = "admin";
    public const string AdminPasswordVariable = "MONITORING_ADMIN_PASSWORD";
    public const string BootstrapKeyVariable = "MONITORING_BOOTSTRAP_API_KEY";

    public static async Task InitializeAccountsAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccountBootstrap).FullName!);
        // Read through configuration: environment variables are part of it, and tests can supply them per host.
        var configuration = services.GetRequiredService<IConfiguration>();
        await using (var db = await services.GetRequiredService<IDbContextFactory<AccountStore>>().CreateDbContextAsync(cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in new[] { Roles.Viewer, Roles.Operator, Roles.Admin })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>();
        var audit = services.GetRequiredService<AuditWriter>();
        var clock = services.GetRequiredService<TimeProvider>();
        if (!await users.Users.AnyAsync(cancellationToken))
        {
            var given = configuration[AdminPasswordVariable];
            var password = string.IsNullOrEmpty(given) ? RandomPassword() : given;
            var admin = new MonitoringUser { UserName = AdminUserName, CreatedAt = clock.GetUtcNow(), LockoutEnabled = true };
            var created = await users.CreateAsync(admin, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(
                    $"Could not create the '{AdminUserName}' account: {string.Join(" ", created.Errors.Select(e => e.Description))} " +
                    $"(check {AdminPasswordVariable}).");
            }

            await users.AddToRoleAsync(admin, Roles.Admin);
            await audit.RecordAsync(Actor.System, "user.create", $"user:{AdminUserName}", null, new { userName = AdminUserName, role = Roles.Admin }, cancellationToken);
            if (string.IsNullOrEmpty(given))
            {
                // Written once, on the start that creates the account, to the process's own output only: the
                // searchable log (files, ring buffer, Logs page, logs API) is readable by Viewers.
                await Console.Error.WriteLineAsync(
                    $"Monitoring: created the '{AdminUserName}' account with the generated password {password} — sign in and change it " +
                    $"(or set {AdminPasswordVariable} before the first start). This is shown once and is not in the log files.");
                logger.LogWarning("Created the '{User}' account with a generated password, written once to standard error (not to the log files)", AdminUserName);
            }
            else
            {
                logger.LogInformation("Created the '{User}' account with the password from {Variable}", AdminUserName, AdminPasswordVariable);
            }
        }

        var bootstrapKey = configuration[BootstrapKeyVariable];
        if (!string.IsNullOrEmpty(bootstrapKey))
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<AccountStore>>().CreateDbContextAsync(cancellationToken);
            var hash = ApiKeyAuthenticationHandler.Hash(bootstrapKey);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Name = "bootstrap", Role = Roles.Admin, Hash = hash, Prefix = bootstrapKey[..Math.Min(6, bootstrapKey.Length)],
                    CreatedAt = clock.GetUtcNow(), CreatedBy = "system",
                });
                await db.SaveChangesAsync(cancellationToken);
                await audit.RecordAsync(Actor.System, "apikey.create", "apikey:bootstrap", null, new { name = "bootstrap", role = Roles.Admin }, cancellationToken);
                logger.LogInformation("Created the Admin API key 'bootstrap' from {Variable}", BootstrapKeyVariable);
            }
        }
    }

    /// <summary>20 characters from all four classes Identity's password rules ask for.</summary>
    private static string RandomPassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "!@#%^*-_=+";
        var all = lower + upper + digits + symbols;
        var chars = new char[20];
        chars[0] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[1] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
