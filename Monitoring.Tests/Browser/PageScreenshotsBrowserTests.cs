using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

/// <summary>Every console page at a laptop's 1366×768 with data in it: it renders its content, Blazor shows no
/// error, the browser logs none, and a full-page screenshot is left in the test output (screenshots/pages-*.png).</summary>
[Collection(BrowserCollection.Name)]
public sealed class PageScreenshotsBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new(new Dictionary<string, string?>
    {
        ["Gpu:Provider"] = "simulated",
        ["Gpu:Simulated:Count"] = "2",
        ["Probes:GpuIntervalSeconds"] = "1",
        ["Probes:SystemIntervalSeconds"] = "1",
    });

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Every_page_renders_its_content_without_errors_at_laptop_size()
    {
        var baseAddress = _app.StartKestrel();
        foreach (var state in new[] { TaskState.Pending, TaskState.Pending, TaskState.Processing, TaskState.Retrying, TaskState.Completed, TaskState.Completed, TaskState.Cancelled })
        {
            await _app.InStateAsync(state, type: "video.synthesize");
        }

        var failed = await _app.InStateAsync(TaskState.Failed, type: "video.synthesize");
        await _app.InStateAsync(TaskState.Failed, type: "audio.transcribe");
        await _app.Queue.RetryAsync((await _app.InStateAsync(TaskState.Failed)).Id, TestTasks.Operator);

        (string Name, string Path, string Heading, string Content)[] pages =
        [
            ("dashboard", "", "Dashboard", "[data-testid='gpu-card']"),
            ("tasks", "tasks", "Tasks", "[data-testid='task-table'] tbody tr a"),
            ("task", $"tasks/{failed.Id}", $"Task {failed.Id}", "[data-testid='task-parameters']"),
            ("failed", "failed", "Failed", "[data-testid='failure-groups']"),
            ("history", "history", "History", "[data-testid='history-table']"),
            ("performance", "performance", "Performance", "[data-testid='perf-success']"),
            ("workers", "workers", "Workers & GPUs", "[data-testid='worker-table']"),
            ("system", "system", "System", "[data-testid='config-table']"),
            ("logs", "logs", "Logs", "[data-testid='log-table']"),
            ("audit", "audit", "Audit", "[data-testid='audit-table'] tbody tr"),
            ("users", "users", "Users", "[data-testid='user-table']"),
        ];

        var page = await browser.OpenAsync(baseAddress);
        var problems = PageProblems.Watch(page, baseAddress);
        try
        {
            foreach (var (name, path, heading, content) in pages)
            {
                await BrowserFixture.GotoAsync(page, path);
                await Assertions.Expect(page.Locator("h4.mud-typography-h4").First).ToHaveTextAsync(heading);
                await Assertions.Expect(page.Locator(content).First).ToBeVisibleAsync();
                // Blazor shows this element when a circuit fails; it is in every page, hidden.
                await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeAttachedAsync();
                await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
                Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"/{path} scrolls sideways at 1366 px");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"pages-{name}.png"), FullPage = true });
                problems.AssertNone($"on /{path}");
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
