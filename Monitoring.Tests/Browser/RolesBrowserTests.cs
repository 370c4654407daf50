using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RolesBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "Local",
        [AccountBootstrap.AdminPasswordVariable] = "Adm1n-Passw0rd!",
    });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_viewer_sees_no_retry_button_and_an_operator_retries()
    {
        var baseAddress = _app.StartKestrel();
        await CreateUserAsync("vera", Roles.Viewer);
        await CreateUserAsync("otto", Roles.Operator);
        var failed = await _app.InStateAsync(TaskState.Failed);

        var viewer = await SignInAsync(baseAddress, "vera");
        await Assertions.Expect(viewer.Locator($"a[href='tasks/{failed.Id}']")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByTestId($"retry-{failed.Id}")).ToHaveCountAsync(0);
        await BrowserFixture.GotoAsync(viewer, $"tasks/{failed.Id}");
        await Assertions.Expect(viewer.GetByTestId("task-error")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByTestId("detail-retry")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByTestId("detail-delete")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByTestId("signed-in-as")).ToHaveTextAsync("vera");

        var operatorPage = await SignInAsync(baseAddress, "otto");
        await operatorPage.GetByTestId($"retry-{failed.Id}").ClickAsync();

        await Assertions.Expect(operatorPage.GetByText($"Task {failed.Id} queued again.")).ToBeVisibleAsync();
        var task = await _app.Reader.GetAsync(failed.Id);
        Assert.Equal(TaskState.Pending, task!.Status);
        Assert.Equal("otto", task.Events.OrderBy(e => e.Id).Last().Actor);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var retry = await db.AuditEntries.SingleAsync(a => a.Action == "task.retry");
        Assert.Equal("otto", retry.Actor);
        Assert.Equal("127.0.0.1", retry.RemoteAddress);
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == "auth.login"));
    }

    private async Task<IPage> SignInAsync(Uri baseAddress, string user)
    {
        var page = await browser.OpenAsync(baseAddress);
        await page.GotoAsync("tasks");
        // Anonymous: the console sends the browser to the sign-in form, which returns it to the page it wanted.
        await page.WaitForURLAsync("**/account/login**");
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(Password(user));
        await page.GetByTestId("sign-in").ClickAsync();
        await page.WaitForURLAsync("**/tasks");
        await page.Locator("#circuit-state[data-interactive='yes']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        return page;
    }

    private async Task CreateUserAsync(string name, string role)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>();
        var user = new MonitoringUser { UserName = name, LockoutEnabled = true };
        Assert.True((await users.CreateAsync(user, Password(name))).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
    }

    private static string Password(string user) => $"{user}-Passw0rd!";
}
