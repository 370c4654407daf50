using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;

namespace Monitoring.Tests.Components.Pages;

public sealed class AuditPageTests
{
    [Fact]
    public async Task Loading_ShowsTheTableLoadingUntilTheEntriesArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Hold();

        var cut = page.RenderPage<AuditPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.Elements("[data-testid=audit-table] .mud-table-loading-progress")));
        Assert.Empty(cut.Rows("audit-table"));
        page.Database.Release();
        cut.WaitForAssertion(() => Assert.Empty(cut.Elements("[data-testid=audit-table] .mud-table-loading-progress")));
        Assert.NotEmpty(cut.Rows("audit-table"));
    }

    [Fact]
    public async Task EveryActionIsListedNewestFirstWithItsActor()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Cancelled);

        var cut = page.RenderPage<AuditPage>();

        // First start created the admin account; alice cancelled the task (a submission by the system is not an operator action).
        cut.WaitForAssertion(() => Assert.Equal(
            [$"alice task.cancel task:{task.Id}", "system user.create user:admin"],
            cut.Rows("audit-table").Select(r => $"{r.Children[1].TextContent.Split(' ')[0]} {r.Children[2].TextContent} {r.Children[3].TextContent}")));
    }

    [Fact]
    public async Task FilterMatchingNothing_SaysWhatIsRecordedHere()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Cancelled);
        var cut = page.RenderPage<AuditPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Rows("audit-table").Count));

        var actor = cut.Element("input[data-testid=audit-actor]");
        actor.Change("bob");
        cut.Element("input[data-testid=audit-actor]").Blur();

        cut.WaitForAssertion(() => Assert.Contains("Every operator action", cut.Element("[data-testid=audit-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.Rows("audit-table"));
        Assert.Contains("actor=bob", cut.Element("[data-testid=audit-csv]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfTheEmptyMessage()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Fail();

        var cut = page.RenderPage<AuditPage>();

        page.AssertLoadError(cut, "The audit trail");
        Assert.Empty(cut.Elements("[data-testid=audit-empty]"));
    }
}
