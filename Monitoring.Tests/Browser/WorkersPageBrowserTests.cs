using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.Core.Storage;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class WorkersPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new(MonitoringApp.Scheduling(("Workers:Count", "4"), ("Gpu:Provider", "simulated"), ("Probes:GpuIntervalSeconds", "1")));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_admin_resizes_the_pool_from_the_workers_page()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        await BrowserFixture.GotoAsync(page, "workers");
        await Assertions.Expect(page.GetByTestId("pool-size")).ToContainTextAsync("Pool size 4");
        await Assertions.Expect(page.GetByTestId("gpu-card")).ToHaveCountAsync(2);

        await page.GetByTestId("pool-new-size").FillAsync("6");
        await page.GetByTestId("pool-resize").ClickAsync();

        await Assertions.Expect(page.GetByTestId("pool-size")).ToContainTextAsync("Pool size 6");
        Assert.Equal(6, _app.Services.GetRequiredService<WorkerPool>().Size);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "workers.png"), FullPage = true });
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == "pool.resize" && a.Actor == "local"));
    }
}
