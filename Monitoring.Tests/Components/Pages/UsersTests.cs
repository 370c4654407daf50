using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Components.Pages;

public sealed class UsersTests
{
    [Fact]
    public async Task Loading_ShowsProgressUntilTheAccountsArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Hold();

        var cut = page.RenderPage<Users>();

        Assert.True(cut.IsLoading());
        Assert.False(cut.Has("user-table"));
        page.Database.Release();
        cut.WaitForAssertion(() => Assert.Single(cut.Rows("user-table")));
        Assert.False(cut.IsLoading());
    }

    [Fact]
    public async Task Accounts_AreListedWithTheirRoleAndState()
    {
        await using var page = await PageTestContext.CreateAsync();
        var accounts = page.App.GetRequiredService<AccountAdministration>();
        await accounts.CreateAsync(TestTasks.Operator, "bob", "Correct-Horse-1", Roles.Operator);
        await accounts.CreateAsync(TestTasks.Operator, "carol", "Correct-Horse-2", Roles.Viewer);
        await accounts.DisableAsync(TestTasks.Operator, "carol");

        var cut = page.RenderPage<Users>();

        cut.WaitForAssertion(() => Assert.Equal(
            ["admin Admin Active", "bob Operator Active", "carol Viewer Disabled"],
            cut.Rows("user-table").Select(r =>
                $"{r.Children[0].TextContent} {r.Children[1].QuerySelector("input")?.GetAttribute("value")} {r.Children[2].TextContent}")));
    }

    [Fact]
    public async Task NoApiKeys_SaysToCreateOnePerAutomation_AndACreatedKeyIsShownOnce()
    {
        await using var page = await PageTestContext.CreateAsync();
        var cut = page.RenderPage<Users>();
        cut.WaitForAssertion(() => Assert.Contains("Create one for each automation", cut.Element("[data-testid=keys-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.Rows("key-table"));

        cut.Element("input[data-testid=new-key-name]").Change("ci");
        cut.Element("[data-testid=create-key]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["ci Operator Active"],
            cut.Rows("key-table").Select(r => $"{r.Children[0].TextContent} {r.Children[1].TextContent} {r.Children[6].TextContent}")));
        Assert.Contains("it is not shown again", cut.Element("[data-testid=new-key-secret]").TextContent, StringComparison.Ordinal);
        Assert.False(cut.Has("keys-empty"));
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorsInsteadOfTheAccountsAndKeys()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Fail();

        var cut = page.RenderPage<Users>();

        page.AssertLoadError(cut, "Accounts");
        page.AssertLoadError(cut, "API keys");
        Assert.False(cut.Has("user-table"));
        Assert.False(cut.Has("keys-empty"));
    }
}
