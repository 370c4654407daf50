using System.Globalization;
using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Preferences;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PreferencesBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Dark_mode_is_remembered_by_the_browser_across_a_reload_and_a_new_page()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        var problems = PageProblems.Watch(page, baseAddress);
        await BrowserFixture.GotoAsync(page, "");
        var toggle = page.GetByTestId("dark-mode-toggle");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-dark", "no");
        Assert.False(await IsDarkAsync(page));

        await toggle.ClickAsync();

        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-dark", "yes");
        Assert.True(await IsDarkAsync(page));
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == ConsolePreferences.CookieName);
        Assert.Contains("dark=1", cookie.Value, StringComparison.Ordinal);

        // The server renders the first paint dark: the prerendered HTML, before any script runs, already is.
        var html = await (await page.Context.APIRequest.GetAsync("")).TextAsync();
        Assert.Contains("data-dark=\"yes\"", html, StringComparison.Ordinal);

        await BrowserFixture.ReloadAsync(page);
        await Assertions.Expect(page.GetByTestId("dark-mode-toggle")).ToHaveAttributeAsync("data-dark", "yes");
        Assert.True(await IsDarkAsync(page));

        var second = await page.Context.NewPageAsync();
        await BrowserFixture.GotoAsync(second, "tasks");
        await Assertions.Expect(second.GetByTestId("dark-mode-toggle")).ToHaveAttributeAsync("data-dark", "yes");
        Assert.True(await IsDarkAsync(second));

        await second.GetByTestId("dark-mode-toggle").ClickAsync();
        await Assertions.Expect(second.GetByTestId("dark-mode-toggle")).ToHaveAttributeAsync("data-dark", "no");
        Assert.False(await IsDarkAsync(second));
        problems.AssertNone();
    }

    [Fact]
    public async Task Switching_to_the_browser_time_zone_shows_times_in_it_and_is_remembered()
    {
        var baseAddress = _app.StartKestrel();
        var task = await _app.InStateAsync(TaskState.Pending);
        // India has no daylight saving time: the offset is +05:30 whatever the date of the run.
        var page = await browser.OpenAsync(baseAddress, timeZoneId: "Asia/Kolkata");
        await BrowserFixture.GotoAsync(page, "tasks");
        var row = page.Locator("tr", new() { Has = page.Locator($"a[href='tasks/{task.Id}']") });
        var utc = task.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var india = task.CreatedAt.ToOffset(new TimeSpan(5, 30, 0)).ToString("yyyy-MM-dd HH:mm:ss '+05:30'", CultureInfo.InvariantCulture);
        await Assertions.Expect(row).ToContainTextAsync(utc);
        await Assertions.Expect(page.GetByTestId("time-zone-toggle")).ToHaveTextAsync("UTC");

        await page.GetByTestId("time-zone-toggle").ClickAsync();

        await Assertions.Expect(row).ToContainTextAsync(india);
        await Assertions.Expect(row).Not.ToContainTextAsync(utc);
        await Assertions.Expect(page.GetByTestId("time-zone-toggle")).ToHaveTextAsync("Local");
        // The hint names the zone as the browser does (Chromium says Asia/Calcutta).
        var browserZone = await page.EvaluateAsync<string>("() => Intl.DateTimeFormat().resolvedOptions().timeZone");
        await Assertions.Expect(row.Locator($"span[title$='{browserZone}']").First).ToBeVisibleAsync();

        await BrowserFixture.ReloadAsync(page);
        await Assertions.Expect(page.Locator("tr", new() { Has = page.Locator($"a[href='tasks/{task.Id}']") })).ToContainTextAsync(india);

        await page.GetByTestId("time-zone-toggle").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync(utc);
    }

    /// <summary>Whether the page background is dark, as the theme paints it (not as an attribute says).</summary>
    private static async Task<bool> IsDarkAsync(IPage page)
    {
        var rgb = await page.EvaluateAsync<int[]>(
            "() => getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)");
        return rgb.Sum() < 3 * 96;
    }
}
