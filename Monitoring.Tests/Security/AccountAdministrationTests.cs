using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

public sealed class AccountAdministrationTests : IDisposable
{
    private static readonly Actor Admin = new("admin", ActorKind.User, "127.0.0.1");
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Local",
        [AccountBootstrap.AdminPasswordVariable] = "Adm1n-Passw0rd!",
    });

    public void Dispose() => _app.Dispose();

    private AccountAdministration Accounts => _app.Services.GetRequiredService<AccountAdministration>();

    [Fact]
    public async Task An_admin_creates_changes_disables_and_enables_an_account_and_each_change_is_audited()
    {
        await Accounts.CreateAsync(Admin, "olga", "Op3rator-Passw0rd!", Roles.Operator);
        await Accounts.SetRoleAsync(Admin, "olga", Roles.Viewer);
        await Accounts.DisableAsync(Admin, "olga");

        var olga = (await Accounts.ListAsync()).Single(a => a.UserName == "olga");
        Assert.Equal(Roles.Viewer, olga.Role);
        Assert.True(olga.Disabled);

        await Accounts.EnableAsync(Admin, "olga");
        await Accounts.ResetPasswordAsync(Admin, "olga", "N3w-Passw0rd!!");
        Assert.False((await Accounts.ListAsync()).Single(a => a.UserName == "olga").Disabled);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>();
            Assert.True(await users.CheckPasswordAsync((await users.FindByNameAsync("olga"))!, "N3w-Passw0rd!!"));
        }

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var actions = await db.AuditEntries.Where(a => a.Target == "user:olga").OrderBy(a => a.Id).Select(a => a.Action + " by " + a.Actor).ToListAsync();
        Assert.Equal(["user.create by admin", "user.set-role by admin", "user.disable by admin", "user.enable by admin", "user.reset-password by admin"], actions);
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_disabled_or_demoted()
    {
        await Accounts.CreateAsync(Admin, "ada", "Adm1n-Passw0rd!2", Roles.Admin);
        var ada = new Actor("ada", ActorKind.User);

        await Assert.ThrowsAsync<AccountChangeException>(() => Accounts.DisableAsync(Admin, "admin"));
        await Accounts.DisableAsync(ada, "admin");
        var error = await Assert.ThrowsAsync<AccountChangeException>(() => Accounts.SetRoleAsync(Admin, "ada", Roles.Viewer));
        Assert.Contains("last active Admin", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Valid-Passw0rd!", "Admin", "Enter a user name.")]
    [InlineData("weak", "short", "Viewer", "Passwords must be at least 10 characters.")]
    [InlineData("root", "Valid-Passw0rd!", "Root", "The role must be Viewer, Operator or Admin.")]
    public async Task Bad_account_requests_are_refused_with_a_clear_message_and_create_nothing(string name, string password, string role, string message)
    {
        var error = await Assert.ThrowsAsync<AccountChangeException>(() => Accounts.CreateAsync(Admin, name, password, role));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Single(await Accounts.ListAsync());
    }
}
