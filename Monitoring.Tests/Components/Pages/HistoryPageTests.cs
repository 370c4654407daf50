using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;

namespace Monitoring.Tests.Components.Pages;

public sealed class HistoryPageTests
{
    [Fact]
    public async Task Loading_ShowsTheTableLoadingUntilTheTasksArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Completed);
        page.Database.Hold();

        var cut = page.RenderPage<HistoryPage>();

        cut.WaitForAssertion(() => Assert.True(cut.IsLoading()));
        Assert.Empty(cut.Rows("history-table"));
        page.Database.Release();
        cut.WaitForAssertion(() => Assert.Single(cut.Rows("history-table")));
        Assert.False(cut.IsLoading());
    }

    [Fact]
    public async Task OnlyFinishedTasksAreListed_NewestFirst()
    {
        await using var page = await PageTestContext.CreateAsync();
        var completed = await page.Queue.DriveToAsync(TaskState.Completed);
        var failed = await page.Queue.DriveToAsync(TaskState.Failed);
        var cancelled = await page.Queue.DriveToAsync(TaskState.Cancelled);
        foreach (var unfinished in new[] { TaskState.Pending, TaskState.Processing, TaskState.Retrying })
        {
            await page.Queue.DriveToAsync(unfinished);
        }

        var cut = page.RenderPage<HistoryPage>();

        cut.WaitForAssertion(() => Assert.Equal(
            [$"{cancelled.Id} Cancelled", $"{failed.Id} Failed", $"{completed.Id} Completed"],
            cut.Rows("history-table").Select(r => $"{r.Children[1].TextContent} {r.Children[3].TextContent}")));
        Assert.False(cut.Has("history-empty"));
    }

    [Fact]
    public async Task SearchByErrorText_NarrowsTheList()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Completed);
        var failed = await page.Queue.DriveToAsync(TaskState.Failed);
        var cut = page.RenderPage<HistoryPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Rows("history-table").Count));

        cut.Element("input[data-testid=history-search]").Change("bad parameter");
        cut.Element("[data-testid=history-search-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal([failed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            cut.Rows("history-table").Select(r => r.Children[1].TextContent)));
    }

    [Fact]
    public async Task NothingFinished_SaysHowToWidenTheSearch()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Pending);

        var cut = page.RenderPage<HistoryPage>();

        cut.WaitForAssertion(() => Assert.Contains("Widen the time range", cut.Element("[data-testid=history-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.Rows("history-table"));
    }

    [Fact]
    public async Task TwoTicked_ShowTheirParametersSideBySideWithDifferencesMarked()
    {
        await using var page = await PageTestContext.CreateAsync();
        var small = await FinishedAsync(page.Queue, new { n = 1, model = "small" });
        var large = await FinishedAsync(page.Queue, new { n = 1, model = "large" });
        var cut = page.RenderPage<HistoryPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Rows("history-table").Count));
        Assert.False(cut.Has("history-diff"));

        cut.Rows("history-table")[0].QuerySelector("input[type=checkbox]")!.Change(true);
        cut.Rows("history-table")[1].QuerySelector("input[type=checkbox]")!.Change(true);

        cut.WaitForAssertion(() => Assert.Equal(
            ["model | \"large\" | \"small\" | changed", "n | 1 | 1 | same"],
            cut.Elements("[data-testid=history-diff] tbody tr").Select(r =>
                $"{r.Children[0].TextContent} | {r.Children[1].TextContent} | {r.Children[2].TextContent} | {(r.ClassList.Contains("log-warning") ? "changed" : "same")}")));
        Assert.Contains($"task {large.Id} and task {small.Id}", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfTheEmptyMessage()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Fail();

        var cut = page.RenderPage<HistoryPage>();

        page.AssertLoadError(cut, "The task history");
        Assert.False(cut.Has("history-empty"));
    }

    private static async Task<TaskItem> FinishedAsync(TaskQueue queue, object parameters)
    {
        var task = await queue.EnqueueAsync(parameters: parameters);
        await queue.ClaimAsync(task.Id, "w1", gpuUuid: null);
        return await queue.CompleteAsync(task.Id);
    }
}
