using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.Tests.Support;
using Monitoring.Web.Live;

namespace Monitoring.Tests.Charts;

[Collection(BrowserCollection.Name)]
public sealed class DashboardLiveBrowserTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly MonitoringApp _app = new();
    private PageProblems? _problems;
    private Uri? _baseAddress;
    private IPage? _page;

    public Task InitializeAsync() => Task.CompletedTask;

    // Runs before Dispose: the browser goes first, as an open circuit holds the host's shutdown until its timeout.
    public async Task DisposeAsync()
    {
        if (_page is not null)
        {
            await _page.Context.CloseAsync();
        }
    }

    public void Dispose() => _app.Dispose();

    private LiveFeed Feed => _app.Services.GetRequiredService<LiveFeed>();

    private async Task<IPage> OpenAsync()
    {
        var page = _page = await browser.OpenAsync(_baseAddress ??= _app.StartKestrel());
        _problems = PageProblems.Watch(page, _baseAddress);
        return page;
    }

    [Fact]
    public async Task The_dashboard_draws_its_chart_and_shows_new_tasks_without_a_reload()
    {
        var page = await OpenAsync();
        await BrowserFixture.GotoAsync(page, "");
        var queued = page.GetByTestId("kpi-pending");
        await Assertions.Expect(queued).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("[data-testid='queue-chart'] .apexcharts-canvas")).ToHaveCountAsync(1);
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        for (var i = 0; i < 3; i++)
        {
            await _app.Queue.EnqueueAsync();
        }

        await Assertions.Expect(queued).ToHaveTextAsync("3", new() { Timeout = 10_000 });
        Assert.Equal(0, navigations);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "dashboard-live.png"), FullPage = true });

        // The chart follows the layout's dark mode.
        await page.GetByTestId("dark-mode-toggle").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid='queue-chart'] .apexcharts-canvas.apexcharts-theme-dark")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid='queue-chart'] .apexcharts-tooltip.apexcharts-theme-dark")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "dashboard-live-dark.png"), FullPage = true });

        _problems!.AssertNone();
    }

    [Fact]
    public async Task Leaving_the_dashboard_ends_its_live_subscription()
    {
        var page = await OpenAsync();
        var feed = Feed;
        var baseline = feed.SubscriberCount;

        await BrowserFixture.GotoAsync(page, "");
        await Assertions.Expect(page.Locator("[data-testid='queue-chart'] .apexcharts-canvas")).ToHaveCountAsync(1);
        await Eventually.TrueAsync(() => feed.SubscriberCount >= baseline + 1, "the dashboard subscribed");

        await page.Locator("a[href='tasks']").ClickAsync();
        await page.WaitForURLAsync("**/tasks");

        await Eventually.TrueAsync(() => feed.SubscriberCount == baseline, "the dashboard's subscription ended on navigating within the app");

        // Back, then away by a full page load: the old page's circuit ends, and its dashboard with it.
        await page.Locator("a[href='']").First.ClickAsync();
        await Eventually.TrueAsync(() => feed.SubscriberCount == baseline + 1, "the dashboard subscribed again");
        await BrowserFixture.GotoAsync(page, "tasks");
        await Eventually.TrueAsync(() => feed.SubscriberCount == baseline, "the dashboard's subscription ended on leaving the page");
        _problems!.AssertNone();
    }
}
