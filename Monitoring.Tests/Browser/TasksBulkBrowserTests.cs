using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Audit;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class TasksBulkBrowserTests(BrowserFixture browser) : IDisposable
{
    // More than the table's first page (25 rows): the action must reach the rows no page shows.
    private const int Matching = 30;

    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Bulk_retry_covers_every_page_of_the_filter_result_after_confirming_the_count()
    {
        var baseAddress = _app.StartKestrel();
        var matching = new List<long>();
        for (var i = 0; i < Matching; i++)
        {
            matching.Add((await _app.InStateAsync(TaskState.Failed, type: "bulk.render")).Id);
        }

        var otherType = await _app.InStateAsync(TaskState.Failed, type: "bulk.other");
        var completed = await _app.InStateAsync(TaskState.Completed, type: "bulk.render");
        var page = await browser.OpenAsync(baseAddress);
        await BrowserFixture.GotoAsync(page, "tasks");

        await page.GetByTestId("type-filter").FillAsync("bulk.render");
        await page.GetByTestId("type-filter").PressAsync("Enter");
        await page.GetByTestId($"status-filter-{TaskState.Failed}").ClickAsync();
        await Assertions.Expect(page.Locator($"a[href='tasks/{completed.Id}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"a[href='tasks/{otherType.Id}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("task-table").Locator("tbody tr")).ToHaveCountAsync(25);

        // Declining changes nothing.
        await page.GetByTestId("bulk-retry").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync($"Retry all {Matching} Failed or Cancelled task(s)");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep them" }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        Assert.Equal(Matching, await CountAsync(TaskState.Failed, "bulk.render"));

        await page.GetByTestId("bulk-retry").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = $"Retry {Matching}" }).ClickAsync();

        await Assertions.Expect(page.GetByText($"{Matching} task(s) queued again.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-tasks")).ToBeVisibleAsync();
        foreach (var id in matching)
        {
            Assert.Equal(TaskState.Pending, (await _app.Reader.GetAsync(id, withEvents: false))!.Status);
        }

        Assert.Equal(TaskState.Failed, (await _app.Reader.GetAsync(otherType.Id, withEvents: false))!.Status);
        Assert.Equal(TaskState.Completed, (await _app.Reader.GetAsync(completed.Id, withEvents: false))!.Status);

        // Audited once, as the API's bulk retry is, with the filter and the count.
        using var client = new HttpClient { BaseAddress = baseAddress };
        var audit = await (await client.GetAsync("api/v1/audit?action=task.bulk-retry")).ReadAsync<AuditPage>();
        var entry = Assert.Single(audit.Items);
        Assert.Equal("local", entry.Actor);
        Assert.Contains("type=bulk.render", entry.Target, StringComparison.Ordinal);
        Assert.Contains($"\"affected\":{Matching}", entry.After, StringComparison.Ordinal);
    }

    private async Task<long> CountAsync(TaskState state, string type) =>
        (await _app.Reader.ListAsync(new TaskFilter { Statuses = [state], Types = [type] }, 1, 1)).Total;
}
