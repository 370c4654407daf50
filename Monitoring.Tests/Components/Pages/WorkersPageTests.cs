using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Workers;
using Monitoring.Gpu;
using Monitoring.Tests.Support;
using Monitoring.Web.Components;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Components.Pages;

/// <summary>The page reads the live pool and GPU inventory in memory: it has no loading or database error state.</summary>
public sealed class WorkersPageTests
{
    [Fact]
    public async Task Pool_ShowsEveryWorkerIdle()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));

        var cut = page.RenderPage<WorkersPage>();

        Assert.StartsWith("Pool size 3 · 0 busy · 3 idle", cut.Element("[data-testid=pool-size]").TextContent, StringComparison.Ordinal);
        Assert.Equal(["w1 Idle", "w2 Idle", "w3 Idle"], cut.Rows("worker-table").Select(r => $"{r.Children[0].TextContent} {r.Children[1].TextContent}"));
    }

    [Fact]
    public async Task NoGpu_SaysWhyAndThatCpuTasksStillRun()
    {
        await using var page = await PageTestContext.CreateAsync();

        var cut = page.RenderPage<WorkersPage>();

        Assert.Contains("Gpu:Provider = none", cut.Element(".mud-alert").TextContent, StringComparison.Ordinal);
        Assert.Contains("CPU tasks run", cut.Element(".mud-alert").TextContent, StringComparison.Ordinal);
        Assert.False(cut.Has("gpu-card"));
    }

    [Fact]
    public async Task ReadGpus_AreShownAsCardsWithTheirMemory()
    {
        await using var page = await PageTestContext.CreateAsync(("Gpu:Provider", "simulated"), ("Gpu:Simulated:Count", "2"));
        var gpus = page.App.GetRequiredService<GpuInventory>();
        gpus.Refresh(includeProcesses: false);
        var first = gpus.Samples[0];

        var cut = page.RenderPage<WorkersPage>();

        var cards = cut.Elements("[data-testid=gpu-card]");
        Assert.Equal(2, cards.Count);
        Assert.All(cards, c => Assert.Contains("Simulated GPU", c.TextContent, StringComparison.Ordinal));
        Assert.Contains(
            $"Memory {DisplayFormat.Bytes(first.MemoryUsedBytes)} of {DisplayFormat.Bytes(first.MemoryTotalBytes)}", cards[0].TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.Elements(".mud-alert"));
    }

    [Fact]
    public async Task Operator_SeesThePoolButCannotResizeIt()
    {
        await using var page = await PageTestContext.CreateAsync();
        page.SignInAs(Roles.Operator);

        var cut = page.RenderPage<WorkersPage>();

        Assert.True(cut.Has("pool-size"));
        Assert.False(cut.Has("pool-resize"));
        Assert.False(cut.Has("pool-new-size"));
    }

    [Fact]
    public async Task Admin_ResizesThePool()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));
        page.SignInAs(Roles.Admin);
        var cut = page.RenderPage<WorkersPage>();

        cut.Element("input[data-testid=pool-new-size]").Change("5");
        cut.Element("[data-testid=pool-resize]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("Pool size 5 ·", cut.Element("[data-testid=pool-size]").TextContent, StringComparison.Ordinal));
        Assert.Equal(5, cut.Rows("worker-table").Count);
        Assert.Equal(5, page.App.GetRequiredService<WorkerPool>().Size);
        page.AssertToast("Pool resized from 3 to 5.");
    }
}
