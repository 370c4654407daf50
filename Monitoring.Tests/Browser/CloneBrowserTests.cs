using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class CloneBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_operator_clones_a_task_with_edited_parameters_and_the_change_is_audited()
    {
        var baseAddress = _app.StartKestrel();
        var original = (await _app.Queue.EnqueueAsync(new TaskSubmission
        {
            Type = "video.synthesize",
            Parameters = JsonSerializer.SerializeToElement(new { width = 320, height = 240, seconds = 1 }),
        }, Actor.System)).Task;
        var page = await browser.OpenAsync(baseAddress);
        await BrowserFixture.GotoAsync(page, $"tasks/{original.Id}");

        await page.GetByTestId("detail-clone").ClickAsync();
        await page.GetByTestId("clone-parameters").FillAsync("""{"width": 640, "height": 480, "seconds": 2}""");
        await page.GetByTestId("clone-submit").ClickAsync();

        await Assertions.Expect(page.GetByText($"created as a clone of {original.Id}")).ToBeVisibleAsync();
        await page.WaitForURLAsync($"**/tasks/{original.Id + 1}");
        var clone = await _app.Reader.GetAsync(original.Id + 1);
        Assert.Equal("video.synthesize", clone!.Type);
        Assert.Equal("""{"width":640,"height":480,"seconds":2}""", clone.Parameters);
        Assert.Equal("clone", clone.Source);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == "task.clone");
        Assert.Contains("\"width\":320", audit.Before, StringComparison.Ordinal);
        Assert.Contains("\"width\":640", audit.After, StringComparison.Ordinal);

        await BrowserFixture.GotoAsync(page, $"tasks/{original.Id}");
        await page.GetByTestId("detail-clone").ClickAsync();
        await page.GetByTestId("clone-parameters").FillAsync("""{"width": "-vf", "height": 480, "seconds": 2}""");
        await page.GetByTestId("clone-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("clone-editor")).ToContainTextAsync("width must be an integer");
        Assert.Null(await _app.Reader.GetAsync(original.Id + 2));
    }
}
