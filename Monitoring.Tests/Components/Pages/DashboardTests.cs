using System.Globalization;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Alerts;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Live;

namespace Monitoring.Tests.Components.Pages;

/// <summary>The KPIs, which stay while the dashboard grows (GPU cards, alerts); checked by their data-testid.</summary>
public sealed class DashboardTests
{
    private static readonly string[] Kpis =
        ["kpi-pending", "kpi-processing", "kpi-retrying", "kpi-completed-hour", "kpi-failed-hour", "kpi-success-rate", "kpi-workers"];

    [Fact]
    public async Task Loading_ShowsProgressUntilTheStatisticsArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Hold();

        var cut = page.RenderPage<Dashboard>();

        Assert.True(cut.IsLoading());
        Assert.False(cut.Has("kpi-pending"));
        page.Database.Release();
        // The statistics and the firing alerts are two reads; the page has loaded when both have arrived.
        cut.WaitForAssertion(() =>
        {
            Assert.True(cut.Has("kpi-pending"));
            Assert.False(cut.IsLoading());
        });
    }

    [Fact]
    public async Task NoTasks_ShowsZerosAndNoSuccessRate()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));

        var cut = page.RenderPage<Dashboard>();

        cut.WaitForAssertion(() => Assert.Equal(["0", "0", "0", "0", "0", "—", "0 / 3"], Kpis.Select(cut.Text)));
    }

    [Fact]
    public async Task Tasks_AreCountedByStateAndTheLastHour()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));
        foreach (var state in new[] { TaskState.Pending, TaskState.Pending, TaskState.Processing, TaskState.Retrying, TaskState.Completed, TaskState.Completed, TaskState.Failed })
        {
            await page.Queue.DriveToAsync(state);
        }

        var cut = page.RenderPage<Dashboard>();

        // Processing counts tasks the database says are running; the pool KPI is the live (here idle) pool.
        var successRate = (2 / 3.0).ToString("P1", CultureInfo.CurrentCulture);
        cut.WaitForAssertion(() => Assert.Equal(["2", "1", "1", "2", "1", successRate, "0 / 3"], Kpis.Select(cut.Text)));
    }

    [Fact]
    public async Task ANewTask_RaisesTheQueuedCountWithoutARefresh()
    {
        await using var page = await PageTestContext.CreateAsync();
        // The one statistics reader every dashboard follows is a hosted service, and the test context starts none.
        var statistics = page.App.GetRequiredService<LiveStatistics>();
        await statistics.StartAsync(CancellationToken.None);
        try
        {
            var cut = page.RenderPage<Dashboard>();
            cut.WaitForAssertion(() => Assert.Equal("0", cut.Text("kpi-pending")));

            await page.Queue.DriveToAsync(TaskState.Pending);

            cut.WaitForAssertion(() => Assert.Equal("1", cut.Text("kpi-pending")));
        }
        finally
        {
            await statistics.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task APoolResize_ShowsWithoutARefresh_GrowingOrShrinking()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));
        var statistics = page.App.GetRequiredService<LiveStatistics>();
        await statistics.StartAsync(CancellationToken.None);
        try
        {
            var cut = page.RenderPage<Dashboard>();
            cut.WaitForAssertion(() => Assert.Equal("0 / 3", cut.Text("kpi-workers")));
            var pool = page.App.GetRequiredService<WorkerPool>();

            // The dashboard shows the pool when the statistics read after a pool change arrive.
            pool.Resize(5);
            cut.WaitForAssertion(() => Assert.Equal("0 / 5", cut.Text("kpi-workers")));
            pool.Resize(2);
            cut.WaitForAssertion(() => Assert.Equal("0 / 2", cut.Text("kpi-workers")));
        }
        finally
        {
            await statistics.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfTheKpis()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Fail();

        var cut = page.RenderPage<Dashboard>();

        cut.WaitForAssertion(() => Assert.Contains(
            $"Statistics could not be read: {DatabaseGate.DiskIoErrorMessage}", cut.Elements(".mud-alert").Select(a => a.TextContent.Trim())));
        Assert.False(cut.Has("kpi-pending"));
        Assert.False(cut.IsLoading());
    }

    [Fact]
    public async Task FiringAlerts_AreShownAndNoneFiringSaysSo()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.App.GetRequiredService<AlertMaintenance>().SeedBuiltInRulesAsync();
        var quiet = page.RenderPage<Dashboard>();
        quiet.WaitForAssertion(() => Assert.True(quiet.Has("no-firing-alerts")));

        var factory = page.App.GetRequiredService<IDbContextFactory<MonitoringDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var rule = await db.AlertRules.OrderBy(r => r.Id).FirstAsync();
            var now = DateTimeOffset.UtcNow;
            db.AlertInstances.Add(new AlertInstance
            {
                RuleId = rule.Id, SeriesLabels = "", Fingerprint = "dashboard-test", State = AlertState.Firing,
                ActiveSince = now, FiredAt = now, LastEvaluatedAt = now, LastValue = 1,
            });
            await db.SaveChangesAsync();
            var firing = page.RenderPage<Dashboard>();

            firing.WaitForAssertion(() => Assert.Contains(rule.Name, firing.Text("firing-alert"), StringComparison.Ordinal));
            Assert.False(firing.Has("no-firing-alerts"));
        }
    }
}
