using Bunit;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;

namespace Monitoring.Tests.Components.Pages;

public sealed class PerformancePageTests
{
    [Fact]
    public async Task Loading_ShowsProgressUntilTheStatisticsArrive()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.Database.Hold();

        var cut = page.RenderPage<PerformancePage>();

        Assert.True(cut.IsLoading());
        Assert.False(cut.Has("perf-success"));
        page.Database.Release();
        cut.WaitForElement("[data-testid=perf-success]");
        Assert.False(cut.IsLoading());
    }

    [Fact]
    public async Task NothingFinished_SaysToWidenTheWindowOrWait()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Pending);

        var cut = page.RenderPage<PerformancePage>();

        cut.WaitForAssertion(() => Assert.Contains("Widen the window", cut.Element("[data-testid=perf-empty]").TextContent, StringComparison.Ordinal));
        Assert.Equal("—", cut.Element("[data-testid=perf-success]").TextContent);
        Assert.False(cut.Has("perf-table"));
        Assert.False(cut.Has("bottleneck-hints"));
    }

    [Fact]
    public async Task FinishedTasks_GiveTheSuccessRatePerTypeCountsAndAHintAboutDeadTasks()
    {
        await using var page = await PageTestContext.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await page.Queue.DriveToAsync(TaskState.Completed);
        }

        await page.Queue.DriveToAsync(TaskState.Failed);
        await page.Queue.DriveToAsync(TaskState.Completed, "video.synthesize");

        var cut = page.RenderPage<PerformancePage>();

        cut.WaitForAssertion(() => Assert.Equal(0.8.ToString("P1", System.Globalization.CultureInfo.CurrentCulture), cut.Element("[data-testid=perf-success]").TextContent));
        Assert.Equal(
            ["test.job 4", "video.synthesize 1"],
            cut.Rows("perf-table").Select(r => $"{r.Children[0].TextContent} {r.Children[1].TextContent}"));
        Assert.Contains("are dead", cut.Element("[data-testid=bottleneck-hints]").TextContent, StringComparison.Ordinal);
        Assert.False(cut.Has("perf-empty"));
    }

    [Fact]
    public async Task DatabaseFailure_ShowsTheErrorInsteadOfTheStatistics()
    {
        await using var page = await PageTestContext.CreateAsync();
        await page.Queue.DriveToAsync(TaskState.Completed);
        page.Database.Fail();

        var cut = page.RenderPage<PerformancePage>();

        page.AssertLoadError(cut, "Performance history");
        Assert.False(cut.Has("perf-success"));
    }
}
