using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AlertsBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_operator_creates_a_rule_on_the_system_page_and_a_bad_threshold_is_explained_in_the_form()
    {
        var page = await browser.OpenAsync(_app.StartKestrel());
        await BrowserFixture.GotoAsync(page, "system");
        await page.Locator(".mud-tab", new PageLocatorOptions { HasText = "Rules" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=alert-rule-row][data-rule=GpuLost]")).ToBeVisibleAsync();

        await page.GetByTestId("alert-rule-new").ClickAsync();
        await page.GetByTestId("rule-name").FillAsync("CpuBusy");
        await page.GetByTestId("rule-threshold").FillAsync("lots");
        await page.GetByTestId("rule-summary").FillAsync("CPU at {{ $value }}");
        await page.GetByTestId("rule-save").ClickAsync();

        await Assertions.Expect(page.GetByTestId("alert-rule-form")).ToContainTextAsync("threshold must be a number");
        await Assertions.Expect(page.Locator("[data-testid=alert-rule-row][data-rule=CpuBusy]")).ToHaveCountAsync(0);

        await page.GetByTestId("rule-threshold").FillAsync("0.5");
        await page.GetByTestId("rule-save").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=alert-rule-row][data-rule=CpuBusy]")).ToContainTextAsync("monitoring_system_cpu_ratio > 0.5");
        await Assertions.Expect(page.GetByTestId("alert-rule-form")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "alerts.png"), FullPage = true });
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var rule = await db.AlertRules.SingleAsync(r => r.Name == "CpuBusy");
        Assert.Equal(0.5, rule.Threshold);
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == "alert.rule.create" && a.Actor == "local"));
    }
}
