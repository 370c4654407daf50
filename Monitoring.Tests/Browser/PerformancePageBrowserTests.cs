using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PerformancePageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_performance_page_shows_percentiles_per_type_and_switches_windows()
    {
        var baseAddress = _app.StartKestrel();
        for (var i = 0; i < 3; i++)
        {
            await _app.InStateAsync(TaskState.Completed, type: "video.synthesize");
        }

        await _app.InStateAsync(TaskState.Failed, type: "video.synthesize");
        var page = await browser.OpenAsync(baseAddress);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await BrowserFixture.GotoAsync(page, "performance");

        await Assertions.Expect(page.GetByTestId("perf-table")).ToContainTextAsync("video.synthesize");
        await Assertions.Expect(page.GetByTestId("perf-success")).ToHaveTextAsync("75.0 %");
        await Assertions.Expect(page.GetByTestId("bottleneck-hints")).ToContainTextAsync("25 % of tasks finished in this window are dead");
        await page.GetByTestId("window-picker").GetByText("24 h").ClickAsync();
        await Assertions.Expect(page.GetByTestId("perf-table")).ToContainTextAsync("video.synthesize");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "performance.png"), FullPage = true });
        Assert.True(errors.All(e => e.Contains("favicon", StringComparison.OrdinalIgnoreCase)), string.Join("\n", errors));
    }
}
