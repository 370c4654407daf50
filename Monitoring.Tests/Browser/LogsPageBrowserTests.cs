using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class LogsPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_logs_page_finds_old_lines_tails_new_ones_live_and_lets_go_of_its_subscription()
    {
        var baseAddress = _app.StartKestrel();
        var logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Tests.Marker");
        var buffer = _app.Services.GetRequiredService<LogRingBuffer>();
        logger.LogWarning("marker-before-page {Value}", 17);
        var page = await browser.OpenAsync(baseAddress);

        await BrowserFixture.GotoAsync(page, "logs");
        await Assertions.Expect(page.GetByTestId("log-table")).ToContainTextAsync("marker-before-page 17");
        await Eventually.TrueAsync(() => buffer.SubscriberCount == 1, "the page subscribes to the live tail");

        logger.LogError("marker-live {Value}", 42);
        await Assertions.Expect(page.GetByTestId("log-table")).ToContainTextAsync("marker-live 42");
        await Assertions.Expect(page.Locator("tr.log-error", new() { HasText = "marker-live 42" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "logs.png"), FullPage = true });

        await page.GetByTestId("log-search").FillAsync("marker-before");
        await page.GetByTestId("log-search-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("log-table")).Not.ToContainTextAsync("marker-live 42");

        await page.Locator("a[href='tasks']").First.ClickAsync();
        await Eventually.TrueAsync(() => buffer.SubscriberCount == 0, "leaving the page ends its subscription");
    }
}
