using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Components.Pages;

public sealed class TaskDetailPageTests
{
    private static readonly string[] OperatorActions = ["detail-retry", "detail-cancel", "detail-delete", "detail-clone"];

    [Fact]
    public async Task Loading_ShowsProgressUntilTheTaskArrives()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Completed);
        page.Database.Hold();

        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, task.Id));

        Assert.True(cut.IsLoading());
        Assert.False(cut.Has("task-parameters"));
        page.Database.Release();
        cut.WaitForElement("[data-testid=task-parameters]");
        Assert.False(cut.IsLoading());
    }

    [Fact]
    public async Task UnknownId_SaysTheTaskMayHaveBeenDeletedOrRemovedByRetention()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Completed);

        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, 4242));

        cut.WaitForAssertion(() => Assert.Contains("Task 4242 does not exist", cut.Element("[data-testid=task-missing]").TextContent, StringComparison.Ordinal));
        Assert.False(cut.Has("task-parameters"));
    }

    [Fact]
    public async Task FailedTask_ShowsItsErrorParametersAndEveryStateItWentThrough()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Failed);

        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, task.Id));

        cut.WaitForAssertion(() => Assert.Equal("Rejected: bad parameter 'x'", cut.Element("[data-testid=task-error]").TextContent.Trim()));
        Assert.Equal("Failed", cut.Element("[data-status]").GetAttribute("data-status"));
        Assert.Contains("\"n\": 1", cut.Element("[data-testid=task-parameters]").TextContent, StringComparison.Ordinal);
        Assert.Equal(
            ["new → Pending", "Pending → Processing", "Processing → Failed"],
            cut.Elements("[data-testid=task-timeline] b").Select(b => b.TextContent));
        Assert.False(cut.Has("task-missing"));
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfSayingTheTaskIsMissing()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Completed);
        page.Database.Fail();

        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, task.Id));

        page.AssertLoadError(cut, $"Task {task.Id}");
        Assert.False(cut.Has("task-missing"));
    }

    [Fact]
    public async Task Viewer_SeesTheTaskWithoutActions()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Failed);
        page.SignInAs(Roles.Viewer);

        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, task.Id));

        cut.WaitForElement("[data-testid=task-error]");
        Assert.DoesNotContain(OperatorActions, cut.Has);
    }

    [Fact]
    public async Task Operator_RetriesAFailedTaskFromItsPage()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Failed);
        page.SignInAs(Roles.Operator);
        var cut = page.RenderPage<TaskDetailPage>(p => p.Add(x => x.Id, task.Id));
        cut.WaitForElement("[data-testid=task-error]");
        Assert.Equal(["detail-retry", "detail-delete", "detail-clone"], OperatorActions.Where(cut.Has));

        cut.Element("[data-testid=detail-retry]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Pending", cut.Element("[data-status]").GetAttribute("data-status")));
        Assert.Equal(["detail-cancel", "detail-clone"], OperatorActions.Where(cut.Has));
        page.AssertToast($"Task {task.Id} queued again.");
        Assert.Equal(TaskState.Pending, (await page.Reader.GetAsync(task.Id))!.Status);
    }
}
