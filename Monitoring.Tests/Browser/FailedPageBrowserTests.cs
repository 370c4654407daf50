using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class FailedPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_failed_group_is_retried_from_the_failed_page_and_its_tasks_go_back_to_pending()
    {
        var baseAddress = _app.StartKestrel();
        var group = new List<TaskItem>();
        for (var i = 0; i < 3; i++)
        {
            group.Add(await _app.InStateAsync(TaskState.Failed, type: "video.synthesize"));
        }

        var other = await _app.InStateAsync(TaskState.Failed, type: "audio.transcribe");
        var fingerprint = group[0].ErrorFingerprint!;
        var page = await browser.OpenAsync(baseAddress);

        await BrowserFixture.GotoAsync(page, "failed");
        await Assertions.Expect(page.GetByTestId("failure-groups")).ToContainTextAsync("video.synthesize");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "failed.png"), FullPage = true });
        await page.GetByTestId($"retry-group-{fingerprint}").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Retry all" }).ClickAsync();

        await Assertions.Expect(page.GetByText("3 task(s) queued again.")).ToBeVisibleAsync();
        foreach (var task in group)
        {
            Assert.Equal(TaskState.Pending, (await _app.Reader.GetAsync(task.Id))!.Status);
        }

        Assert.Equal(TaskState.Failed, (await _app.Reader.GetAsync(other.Id))!.Status);
        await Assertions.Expect(page.GetByTestId("failure-groups")).Not.ToContainTextAsync("video.synthesize");
    }
}
