using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Logs;

namespace Monitoring.Tests.Components.Pages;

public sealed class LogsPageTests
{
    [Fact]
    public async Task Entries_AreListedNewestFirstWithWarningsHighlighted_AndSearchNarrowsThem()
    {
        await using var page = await PageTestContext.CreateAsync();
        var logger = Logger(page);
        logger.LogInformation("Probe {Probe} read", 1);
        logger.LogWarning("Disk {Percent} percent full", 93);
        var cut = page.RenderPage<LogsPage>();

        cut.WaitForAssertion(() => Assert.Equal(["Warning Disk 93 percent full log-warning", "Information Probe 1 read "],
            cut.Rows("log-table").Take(2).Select(r => $"{r.Children[1].TextContent} {r.Children[3].TextContent} {r.ClassName}")));

        cut.Element("input[data-testid=log-search]").Change("percent full");
        cut.Element("[data-testid=log-search-button]").Click();

        cut.WaitForAssertion(() => Assert.Equal(["Disk 93 percent full"], cut.Rows("log-table").Select(r => r.Children[3].TextContent)));
        Assert.False(cut.Has("logs-empty"));
    }

    [Fact]
    public async Task Searching_ShowsProgressInsteadOfSayingNothingMatches()
    {
        await using var page = await PageTestContext.CreateAsync();

        var cut = page.RenderPage<LogsPage>();

        // The first render happens while the files are still being read.
        Assert.True(cut.IsLoading() || cut.Rows("log-table").Count > 0);
        cut.WaitForAssertion(() => Assert.False(cut.IsLoading()));
        Assert.NotEmpty(cut.Rows("log-table"));
        Assert.False(cut.Has("logs-empty"));
    }

    [Fact]
    public async Task LiveTail_PutsANewErrorOnTop()
    {
        await using var page = await PageTestContext.CreateAsync();
        var cut = page.RenderPage<LogsPage>();
        cut.WaitForAssertion(() => Assert.False(cut.IsLoading()));

        Logger(page).LogError("GPU {Index} lost", 3);

        cut.WaitForAssertion(() => Assert.Equal("Error GPU 3 lost log-error",
            cut.Rows("log-table").Select(r => $"{r.Children[1].TextContent} {r.Children[3].TextContent} {r.ClassName}").First()));
    }

    [Fact]
    public async Task NothingMatches_SaysHowToWidenTheSearch()
    {
        await using var page = await PageTestContext.CreateAsync();
        var cut = page.RenderPage<LogsPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.Rows("log-table")));
        Assert.False(cut.Has("logs-empty"));

        cut.Element("input[data-testid=log-search]").Change("no entry says this");
        cut.Element("[data-testid=log-search-button]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Lower the minimum level", cut.Element("[data-testid=logs-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.Rows("log-table"));
    }

    [Fact]
    public async Task UnreadableLogFile_ShowsTheErrorInsteadOfEntries()
    {
        await using var page = await PageTestContext.CreateAsync();
        // A log file the search lists but cannot open (root reads any file, so a link to itself stands in for a bad one).
        var folder = page.App.GetRequiredService<LogFolder>();
        var unreadable = Path.Combine(folder.Path, "monitoring-20990101.clef");
        Directory.CreateDirectory(folder.Path);
        File.CreateSymbolicLink(unreadable, unreadable);

        var cut = page.RenderPage<LogsPage>();

        page.AssertLoadError(cut, "The log files", because: $"Too many levels of symbolic links : '{unreadable}'");
        Assert.False(cut.Has("logs-empty"));
    }

    private static ILogger Logger(PageTestContext page) =>
        page.App.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Tests.Pages");
}
