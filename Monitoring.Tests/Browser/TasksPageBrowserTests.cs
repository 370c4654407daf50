using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class TasksPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_operator_filters_tasks_by_status_and_retries_a_failed_one()
    {
        var baseAddress = _app.StartKestrel();
        var failed = await _app.InStateAsync(TaskState.Failed, type: "video.synthesize");
        var completed = await _app.InStateAsync(TaskState.Completed, type: "audio.transcribe");
        var pending = await _app.InStateAsync(TaskState.Pending, type: "audio.transcribe");
        var page = await browser.OpenAsync(baseAddress);

        await BrowserFixture.GotoAsync(page, "tasks");
        // Rows arrive once the circuit is interactive (server-side paging), so this also waits for interactivity.
        await Assertions.Expect(page.Locator($"a[href='tasks/{pending.Id}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"a[href='tasks/{completed.Id}']")).ToBeVisibleAsync();

        await page.GetByTestId($"status-filter-{TaskState.Failed}").ClickAsync();

        await Assertions.Expect(page.Locator($"a[href='tasks/{pending.Id}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"a[href='tasks/{completed.Id}']")).ToHaveCountAsync(0);
        var retry = page.GetByTestId($"retry-{failed.Id}");
        await Assertions.Expect(retry).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "tasks-filtered-failed.png"), FullPage = true });

        await retry.ClickAsync();

        await Assertions.Expect(page.GetByText($"Task {failed.Id} queued again.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-tasks")).ToBeVisibleAsync();
        var task = await _app.Reader.GetAsync(failed.Id);
        Assert.Equal(TaskState.Pending, task!.Status);
        Assert.Equal("local", task.Events.OrderBy(e => e.Id).Last().Actor);
    }

    [Fact]
    public async Task The_task_page_shows_parameters_timeline_and_error()
    {
        var baseAddress = _app.StartKestrel();
        var failed = await _app.InStateAsync(TaskState.Failed, type: "video.synthesize");
        var page = await browser.OpenAsync(baseAddress);

        await BrowserFixture.GotoAsync(page, $"tasks/{failed.Id}");

        await Assertions.Expect(page.GetByTestId("task-error")).ToContainTextAsync("bad parameter");
        await Assertions.Expect(page.GetByTestId("task-parameters")).ToContainTextAsync("\"n\": 1");
        await Assertions.Expect(page.GetByTestId("task-timeline")).ToContainTextAsync("Processing → Failed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "task-detail.png"), FullPage = true });

        await page.GetByTestId("detail-delete").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        await Assertions.Expect(page.GetByText($"Task {failed.Id} deleted.")).ToBeVisibleAsync();
        Assert.Null(await _app.Reader.GetAsync(failed.Id));
    }
}
