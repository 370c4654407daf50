using System.Globalization;
using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;
using TasksPage = Monitoring.Web.Components.Pages.Tasks;

namespace Monitoring.Tests.Components.Pages;

/// <summary>The grid's rows, empty state and per-row actions, checked by their data-testid (bulk actions and
/// filters are still growing on this page).</summary>
public sealed class TasksTests
{
    [Fact]
    public async Task Loading_ShowsTheTableLoadingUntilTheTasksArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Pending);
        page.Database.Hold();

        var cut = page.RenderPage<TasksPage>();

        cut.WaitForAssertion(() => Assert.Equal("Loading…", cut.Element("[data-testid=task-table] tbody").TextContent.Trim()));
        Assert.Empty(cut.Rows("task-table"));
        page.Database.Release();
        cut.WaitForAssertion(() => Assert.Single(cut.Rows("task-table")));
        Assert.DoesNotContain("Loading…", cut.Element("[data-testid=task-table] tbody").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryTaskIsListedNewestFirstWithItsStatus()
    {
        await using var page = await PageTestContext.CreateAsync();
        var pending = await page.Queue.DriveToAsync(TaskState.Pending);
        var failed = await page.Queue.DriveToAsync(TaskState.Failed, "video.synthesize");
        var completed = await page.Queue.DriveToAsync(TaskState.Completed);

        var cut = page.RenderPage<TasksPage>();

        cut.WaitForAssertion(() => Assert.Equal(
            [$"{completed.Id} test.job Completed", $"{failed.Id} video.synthesize Failed", $"{pending.Id} test.job Pending"],
            cut.Rows("task-table").Select(r => $"{r.Children[0].TextContent} {r.Children[1].TextContent} {r.Children[3].TextContent}")));
        Assert.False(cut.Has("no-tasks"));
    }

    [Fact]
    public async Task CreatedRange_ListsOnlyTasksCreatedInIt_AndABackwardRangeIsRefusedAtTheField()
    {
        await using var page = await PageTestContext.CreateAsync();
        var task = await page.Queue.DriveToAsync(TaskState.Pending);
        var created = task.CreatedAt.UtcDateTime;
        var cut = page.RenderPage<TasksPage>();
        cut.WaitForAssertion(() => Assert.Single(cut.Rows("task-table")));

        // The console shows UTC unless the browser chose its zone: the fields are read in UTC here.
        cut.Element("input[data-testid=created-from]").Change(Minute(created.AddMinutes(1)));
        cut.WaitForAssertion(() => Assert.True(cut.Has("no-tasks")));

        cut.Element("input[data-testid=created-from]").Change(Minute(created));
        cut.Element("input[data-testid=created-to]").Change(Minute(created.AddMinutes(1)));
        cut.WaitForAssertion(() => Assert.Equal([task.Id.ToString(CultureInfo.InvariantCulture)], cut.Rows("task-table").Select(r => r.Children[0].TextContent)));

        // Before its start: said at the field, and the list keeps the last valid range.
        cut.Element("input[data-testid=created-to]").Change(Minute(created.AddMinutes(-5)));
        cut.WaitForAssertion(() => Assert.Contains("Must be after", cut.Markup, StringComparison.Ordinal));
        Assert.Single(cut.Rows("task-table"));

        cut.Element("input[data-testid=created-to]").Change("yesterday");
        cut.WaitForAssertion(() => Assert.Contains("Not a date and time", cut.Markup, StringComparison.Ordinal));
        Assert.Single(cut.Rows("task-table"));

        static string Minute(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task NoTasks_SaysHowToSubmitOne()
    {
        await using var page = await PageTestContext.CreateAsync();

        var cut = page.RenderPage<TasksPage>();

        cut.WaitForAssertion(() => Assert.Contains("POST /api/v1/tasks", cut.Text("no-tasks"), StringComparison.Ordinal));
        Assert.Empty(cut.Rows("task-table"));
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfRows()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Pending);
        page.Database.Fail();

        var cut = page.RenderPage<TasksPage>();

        cut.WaitForAssertion(() => Assert.Contains(
            $"The task list could not be read: {DatabaseGate.DiskIoErrorMessage}", cut.Elements(".mud-alert").Select(a => a.TextContent.Trim())));
        Assert.False(cut.Has("no-tasks"));
    }

    [Fact]
    public async Task Viewer_SeesNoRetryOrCancel()
    {
        await using var page = await PageTestContext.CreateAsync();
        var failed = await page.Queue.DriveToAsync(TaskState.Failed);
        var pending = await page.Queue.DriveToAsync(TaskState.Pending);
        page.SignInAs(Roles.Viewer);

        var cut = page.RenderPage<TasksPage>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.Rows("task-table").Count));
        Assert.False(cut.Has($"retry-{failed.Id}"));
        Assert.False(cut.Has($"cancel-{pending.Id}"));
    }

    [Fact]
    public async Task Operator_CancelsAPendingTaskFromItsRow()
    {
        await using var page = await PageTestContext.CreateAsync();
        var failed = await page.Queue.DriveToAsync(TaskState.Failed);
        var pending = await page.Queue.DriveToAsync(TaskState.Pending);
        page.SignInAs(Roles.Operator);
        var cut = page.RenderPage<TasksPage>();
        cut.WaitForAssertion(() => Assert.True(cut.Has($"retry-{failed.Id}")));
        Assert.False(cut.Has($"cancel-{failed.Id}"));

        cut.Element($"[data-testid=cancel-{pending.Id}]").Click();

        page.AssertToast($"Task {pending.Id} cancelled.");
        cut.WaitForAssertion(() => Assert.True(cut.Has($"retry-{pending.Id}")));
        Assert.Equal(TaskState.Cancelled, (await page.Reader.GetAsync(pending.Id))!.Status);
    }
}
