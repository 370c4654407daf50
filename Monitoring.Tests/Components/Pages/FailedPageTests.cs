using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Components.Pages;

public sealed class FailedPageTests
{
    [Fact]
    public async Task Loading_ShowsProgressUntilTheGroupsArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Hold();

        var cut = page.RenderPage<FailedPage>();

        Assert.True(cut.IsLoading());
        Assert.False(cut.Has("no-failures"));
        page.Database.Release();
        cut.WaitForAssertion(() => Assert.False(cut.IsLoading()));
        Assert.True(cut.Has("no-failures"));
    }

    [Fact]
    public async Task NoDeadTasks_SaysThatFailingTasksWithAttemptsLeftAreRetrying()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Retrying);

        var cut = page.RenderPage<FailedPage>();

        cut.WaitForAssertion(() => Assert.Contains("Retrying, not here", cut.Element("[data-testid=no-failures]").TextContent, StringComparison.Ordinal));
        Assert.False(cut.Has("failure-groups"));
    }

    [Fact]
    public async Task DeadTasks_AreGroupedByTypeAndCauseWithTheirCounts()
    {
        await using var page = await PageTestContext.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await page.Queue.DriveToAsync(TaskState.Failed, "video.synthesize");
        }

        await page.Queue.DriveToAsync(TaskState.Failed, "audio.transcribe");
        await page.Queue.DriveToAsync(TaskState.Retrying, "audio.transcribe");

        var cut = page.RenderPage<FailedPage>();

        cut.WaitForAssertion(() => Assert.Equal(
            ["3 video.synthesize", "1 audio.transcribe"],
            cut.Rows("failure-groups").Select(r => $"{r.Children[0].TextContent} {r.Children[1].TextContent}")));
        Assert.False(cut.Has("no-failures"));
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfTheGroups()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Failed);
        page.Database.Fail();

        var cut = page.RenderPage<FailedPage>();

        page.AssertLoadError(cut, "Failure groups");
        Assert.False(cut.Has("failure-groups"));
    }

    [Fact]
    public async Task Viewer_SeesTheGroupsWithoutRetryOrDelete()
    {
        await using var page = await PageTestContext.CreateAsync();
        var dead = await page.Queue.DriveToAsync(TaskState.Failed);
        page.SignInAs(Roles.Viewer);

        var cut = page.RenderPage<FailedPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.Rows("failure-groups")));
        Assert.Empty(cut.Elements($"[data-testid=retry-group-{dead.ErrorFingerprint}]"));
        Assert.DoesNotContain(cut.Elements("button"), b => b.TextContent.Trim() == "Delete");
    }

    [Fact]
    public async Task Operator_RetriesAGroupAndItLeavesThePage()
    {
        await using var page = await PageTestContext.CreateAsync();
        var first = await page.Queue.DriveToAsync(TaskState.Failed);
        var second = await page.Queue.DriveToAsync(TaskState.Failed);
        page.SignInAs(Roles.Operator);
        var cut = page.RenderPage<FailedPage>();

        cut.WaitForElement($"[data-testid=retry-group-{first.ErrorFingerprint}]").Click();
        page.Dialogs.WaitForAssertion(() => page.Dialogs.Elements("button").Single(b => b.TextContent.Trim() == "Retry all").Click());

        cut.WaitForElement("[data-testid=no-failures]");
        page.AssertToast("2 task(s) queued again.");
        Assert.Equal(TaskState.Pending, (await page.Reader.GetAsync(first.Id))!.Status);
        Assert.Equal(TaskState.Pending, (await page.Reader.GetAsync(second.Id))!.Status);
    }
}
