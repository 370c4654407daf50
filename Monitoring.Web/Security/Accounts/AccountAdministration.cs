using Monitoring.Core.Scheduling;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Audit;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Security.Accounts;

public sealed record AccountView(string Id, string UserName, string Role, bool Disabled, bool LockedOut, DateTimeOffset CreatedAt);

/// <summary>A refused account change, in words for the Admin who asked.</summary>
public sealed class AccountChangeException(string message) : InvalidOperationException(message);

/// <summary>What an Admin does to accounts: create, set the role, disable, enable, reset the password.
/// Each change is audited; each runs in its own scope (the console calls it from a long-lived circuit).</summary>
public sealed class AccountAdministration(IServiceScopeFactory scopes, AuditWriter audit, InstanceRole instanceRole, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> AssignableRoles = [Roles.Viewer, Roles.Operator, Roles.Admin];

    public async Task<IReadOnlyList<AccountView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>();
        var all = await users.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var views = new List<AccountView>();
        foreach (var user in all)
        {
            var role = (await users.GetRolesAsync(user)).FirstOrDefault() ?? "(none)";
            views.Add(new AccountView(user.Id, user.UserName!, role, AccountStore.IsDisabled(user.LockoutEnd),
                user.LockoutEnd is { } end && end > now && !AccountStore.IsDisabled(end), user.CreatedAt));
        }

        return views;
    }

    public Task CreateAsync(Actor actor, string userName, string password, string role) =>
        ChangeAsync(async users =>
        {
            RequireRole(role);
            if (string.IsNullOrWhiteSpace(userName))
            {
                throw new AccountChangeException("Enter a user name.");
            }

            var user = new MonitoringUser { UserName = userName.Trim(), CreatedAt = clock.GetUtcNow(), LockoutEnabled = true };
            Check(await users.CreateAsync(user, password));
            Check(await users.AddToRoleAsync(user, role));
            await audit.RecordAsync(actor, "user.create", $"user:{user.UserName}", null, new { userName = user.UserName, role });
        });

    public Task SetRoleAsync(Actor actor, string userName, string role) =>
        ChangeAsync(async users =>
        {
            RequireRole(role);
            var user = await FindAsync(users, userName);
            var before = await users.GetRolesAsync(user);
            await GuardLastAdminAsync(users, user, role != Roles.Admin);
            Check(await users.RemoveFromRolesAsync(user, before));
            Check(await users.AddToRoleAsync(user, role));
            await users.UpdateSecurityStampAsync(user);
            await audit.RecordAsync(actor, "user.set-role", $"user:{userName}", new { roles = before }, new { roles = new[] { role } });
        });

    /// <summary>Disabling locks the account for good and signs it out within a minute (security stamp).</summary>
    public Task DisableAsync(Actor actor, string userName) =>
        ChangeAsync(async users =>
        {
            var user = await FindAsync(users, userName);
            if (string.Equals(user.UserName, actor.Name, StringComparison.Ordinal))
            {
                throw new AccountChangeException("You cannot disable your own account.");
            }

            await GuardLastAdminAsync(users, user, leavesAdmins: true);
            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue));
            await users.UpdateSecurityStampAsync(user);
            await audit.RecordAsync(actor, "user.disable", $"user:{userName}", new { disabled = false }, new { disabled = true });
        });

    public Task EnableAsync(Actor actor, string userName) =>
        ChangeAsync(async users =>
        {
            var user = await FindAsync(users, userName);
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
            await audit.RecordAsync(actor, "user.enable", $"user:{userName}", new { disabled = true }, new { disabled = false });
        });

    public Task ResetPasswordAsync(Actor actor, string userName, string newPassword) =>
        ChangeAsync(async users =>
        {
            var user = await FindAsync(users, userName);
            var token = await users.GeneratePasswordResetTokenAsync(user);
            Check(await users.ResetPasswordAsync(user, token, newPassword));
            await users.UpdateSecurityStampAsync(user);
            await audit.RecordAsync(actor, "user.reset-password", $"user:{userName}", null, null);
        });

    private async Task ChangeAsync(Func<UserManager<MonitoringUser>, Task> change)
    {
        // Accounts live in the owner's database too, and each change writes its audit row there.
        if (instanceRole.Reason is { } readOnly)
        {
            throw new AccountChangeException($"{readOnly}; make account changes there.");
        }

        await using var scope = scopes.CreateAsyncScope();
        await change(scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>());
    }

    private static async Task<MonitoringUser> FindAsync(UserManager<MonitoringUser> users, string userName) =>
        await users.FindByNameAsync(userName) ?? throw new AccountChangeException($"There is no account '{userName}'.");

    /// <summary>Someone must always be able to administer the console.</summary>
    private static async Task GuardLastAdminAsync(UserManager<MonitoringUser> users, MonitoringUser user, bool leavesAdmins)
    {
        if (!leavesAdmins || !await users.IsInRoleAsync(user, Roles.Admin))
        {
            return;
        }

        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        if (admins.Count(a => !AccountStore.IsDisabled(a.LockoutEnd)) <= 1)
        {
            throw new AccountChangeException($"'{user.UserName}' is the last active Admin; make another Admin first.");
        }
    }

    private static void RequireRole(string role)
    {
        if (!AssignableRoles.Contains(role))
        {
            throw new AccountChangeException("The role must be Viewer, Operator or Admin.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new AccountChangeException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
