using System.Text.Json;
using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class HistoryPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_history_search_by_a_parameter_value_finds_the_task_and_two_tasks_compare_side_by_side()
    {
        var baseAddress = _app.StartKestrel();
        var wanted = await FinishedAsync(new { scene = "harbour-at-dusk", width = 1920 });
        var other = await FinishedAsync(new { scene = "city-night", width = 1280 });
        var page = await browser.OpenAsync(baseAddress);

        await BrowserFixture.GotoAsync(page, "history");
        await page.GetByTestId("history-search").FillAsync("harbour-at-dusk");
        await page.GetByTestId("history-search-button").ClickAsync();

        await Assertions.Expect(page.Locator($"a[href='tasks/{wanted.Id}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"a[href='tasks/{other.Id}']")).ToHaveCountAsync(0);

        await page.GetByTestId("history-search").FillAsync("");
        await page.GetByTestId("history-search-button").ClickAsync();
        await Assertions.Expect(page.Locator($"a[href='tasks/{other.Id}']")).ToBeVisibleAsync();
        foreach (var id in new[] { wanted.Id, other.Id })
        {
            await page.Locator("tr", new() { Has = page.Locator($"a[href='tasks/{id}']") }).Locator("input[type=checkbox]").ClickAsync();
        }

        var diff = page.GetByTestId("history-diff");
        await Assertions.Expect(diff).ToContainTextAsync("\"harbour-at-dusk\"");
        await Assertions.Expect(diff).ToContainTextAsync("\"city-night\"");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "history.png"), FullPage = true });
    }

    private async Task<TaskItem> FinishedAsync(object parameters)
    {
        var task = (await _app.Queue.EnqueueAsync(new TaskSubmission { Type = "render", Parameters = JsonSerializer.SerializeToElement(parameters) }, Actor.System)).Task;
        await _app.Queue.ClaimAsync(task.Id, "w1", null);
        return await _app.Queue.CompleteAsync(task.Id);
    }
}
