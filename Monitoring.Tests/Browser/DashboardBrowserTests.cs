using Microsoft.Playwright;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_dashboard_shows_a_card_per_gpu_with_its_running_task_and_live_system_charts()
    {
        using var app = new MonitoringApp(MonitoringApp.Scheduling(
            ("Gpu:Provider", "simulated"), ("Gpu:Simulated:Count", "2"), ("Probes:GpuIntervalSeconds", "1"), ("Probes:SystemIntervalSeconds", "1")));
        var baseAddress = app.StartKestrel();
        // Straight into the queue, so the GPU memory is given here (the API would take it from the task type).
        var running = (await app.Queue.EnqueueAsync(new TaskSubmission { Type = GateHandler.GpuType, RequiredGpuMemoryBytes = 2L << 30 }, Actor.System)).Task;
        var page = await browser.OpenAsync(baseAddress);
        var problems = PageProblems.Watch(page, baseAddress);
        try
        {
            await BrowserFixture.GotoAsync(page, "");

            var cards = page.GetByTestId("gpu-card");
            await Assertions.Expect(cards).ToHaveCountAsync(2);
            await Assertions.Expect(cards.First).ToContainTextAsync("Simulated");
            await Assertions.Expect(cards.First.GetByTestId("gpu-memory")).ToContainTextAsync("of 24 GiB");
            // The task reaches its GPU through the scheduler; the card links it without a reload.
            await Assertions.Expect(page.GetByTestId("gpu-tasks").Locator($"a[href='tasks/{running.Id}']")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByTestId("no-gpu")).ToHaveCountAsync(0);

            foreach (var chart in new[] { "cpu-chart", "memory-chart", "disk-chart", "network-chart" })
            {
                await Assertions.Expect(page.Locator($"[data-testid='{chart}'] .apexcharts-canvas")).ToHaveCountAsync(1);
            }

            // Live samples (every second here) are drawn into the CPU chart once it is in view (charts below the fold
            // keep their points and draw when scrolled to).
            await page.GetByTestId("cpu-chart").ScrollIntoViewIfNeededAsync();
            await Assertions.Expect(page.Locator("[data-testid='cpu-chart'] .apexcharts-series path[d*='L']").First).ToBeAttachedAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByTestId("alerts-slot")).ToBeAttachedAsync();
            await Assertions.Expect(page.GetByTestId("quick-pending")).ToBeVisibleAsync();
            problems.AssertNone();
        }
        finally
        {
            app.Gate.Release(running.Id);
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Without_gpus_the_dashboard_says_so_with_the_reason_and_retries_all_failed_after_confirming()
    {
        using var app = new MonitoringApp();
        var baseAddress = app.StartKestrel();
        var failed = new[] { await app.InStateAsync(TaskState.Failed), await app.InStateAsync(TaskState.Failed) };
        var page = await browser.OpenAsync(baseAddress);
        try
        {
            await BrowserFixture.GotoAsync(page, "");

            await Assertions.Expect(page.GetByTestId("no-gpu")).ToContainTextAsync("No NVIDIA GPU detected");
            await Assertions.Expect(page.GetByTestId("no-gpu-reason")).ToContainTextAsync("Gpu:Provider = none");
            await Assertions.Expect(page.GetByTestId("gpu-card")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("quick-failed")).ToContainTextAsync("Failed (2)");

            await page.GetByTestId("quick-retry-failed").ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog).ToContainTextAsync("Queue all 2 failed task(s) again");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Retry 2" }).ClickAsync();

            await Assertions.Expect(page.GetByText("2 task(s) queued again.")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("quick-failed")).ToContainTextAsync("Failed (0)", new() { Timeout = 10_000 });
            foreach (var task in failed)
            {
                Assert.Equal(TaskState.Pending, (await app.Reader.GetAsync(task.Id, withEvents: false))!.Status);
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
