using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Layout;
using Monitoring.Web.Components.Pages;
using TasksPage = Monitoring.Web.Components.Pages.Tasks;

namespace Monitoring.Tests.Components.Layout;

/// <summary>The provider (in Routes, around every page) cascades whether this process may change the database; pages
/// disable their actions with the reason instead of letting a click fail.</summary>
public sealed class ConsoleAccessProviderTests
{
    private const string Owner = "host-a/pid 123/deadbeef";

    [Fact]
    public async Task On_a_read_only_instance_actions_are_disabled_with_the_owner_named_and_come_back_when_it_takes_over()
    {
        await using var page = await PageTestContext.CreateAsync();
        var failed = await page.Queue.DriveToAsync(TaskState.Failed);
        var role = page.App.GetRequiredService<InstanceRole>();
        role.Update(Owner);

        var cut = page.RenderPage<ConsoleAccessProvider>(p => p.AddChildContent<TasksPage>());

        cut.WaitForAssertion(() => Assert.Single(cut.Rows("task-table")));
        foreach (var action in new[] { "bulk-retry", "bulk-cancel", "bulk-delete", $"retry-{failed.Id}" })
        {
            var button = cut.Element($"[data-testid={action}]");
            Assert.True(button.HasAttribute("disabled"), $"{action} is disabled on a read-only instance");
            Assert.Equal($"read-only: this database is scheduled by {Owner}", button.GetAttribute("title"));
        }

        // The owner died and this process took the lease: the same page is writable again, without a reload.
        role.Update(null);

        cut.WaitForAssertion(() => Assert.False(cut.Element($"[data-testid=retry-{failed.Id}]").HasAttribute("disabled")));
        Assert.Null(cut.Element("[data-testid=bulk-retry]").GetAttribute("title"));
        cut.Element($"[data-testid=retry-{failed.Id}]").Click();
        cut.WaitForAssertion(() => Assert.Equal(TaskState.Pending, page.Reader.GetAsync(failed.Id).GetAwaiter().GetResult()!.Status));
    }

    [Fact]
    public async Task On_a_read_only_instance_the_workers_page_shows_the_owner_instead_of_its_own_pool()
    {
        await using var page = await PageTestContext.CreateAsync(("Workers:Count", "3"));
        page.App.GetRequiredService<InstanceRole>().Update(Owner);

        var cut = page.RenderPage<ConsoleAccessProvider>(p => p.AddChildContent<WorkersPage>());

        Assert.Contains(Owner, cut.Element("[data-testid=not-owner-pool]").TextContent, StringComparison.Ordinal);
        Assert.False(cut.Has("pool-size"));
        Assert.False(cut.Has("worker-table"));
        Assert.False(cut.Has("pool-resize"));
    }
}
