using Microsoft.Playwright;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Charts;

/// <summary>wwwroot/js/charts.js on a real console page (its CSP, its ApexCharts): the chart kinds and formats the
/// dashboard does not use yet, the bounded window, redraws held to one per interval and to charts in view, theme
/// changes and destroy.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ChartModuleBrowserTests(BrowserFixture browser) : IAsyncLifetime, IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly List<string> _errors = [];
    private IPage? _page;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_page is not null)
        {
            await _page.Context.CloseAsync();
        }
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Each_kind_of_chart_draws_formats_its_values_and_keeps_a_bounded_window()
    {
        var page = _page = await browser.OpenAsync(_app.StartKestrel());
        page.PageError += (_, error) => _errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
            {
                _errors.Add(message.Text);
            }
        };
        await BrowserFixture.GotoAsync(page, "tasks");

        await page.EvaluateAsync("""
            async () => {
              const charts = await import('./js/charts.js');
              // In view (fixed at the top), or far below the fold.
              const make = (name, top = 0) => {
                const element = document.createElement('div');
                element.dataset.chart = name;
                element.style.cssText = `width: 600px; position: ${top > 0 ? 'absolute' : 'fixed'}; top: ${top}px; left: 0`;
                document.body.appendChild(element);
                return element;
              };
              const t0 = Date.UTC(2026, 0, 1);
              window.testCharts = {
                module: charts,
                bar: charts.create(make('bar'), JSON.stringify({ type: 'bar', height: 200, yFormat: 'bytes', curve: 'straight', dark: false,
                  categories: ['/', '/data'], series: [{ name: 'Used', data: [1536, 5 * 1024 * 1024] }] })),
                radial: charts.create(make('radial'), JSON.stringify({ type: 'radialBar', height: 200, yFormat: 'percent', curve: 'straight', dark: false,
                  categories: ['GPU 0'], series: [{ name: 'Utilization', data: [42] }] })),
                line: charts.create(make('line'), JSON.stringify({ type: 'line', height: 200, yFormat: 'seconds', curve: 'smooth', dark: false, yMax: null,
                  series: [{ name: 'p95', data: [[t0, 0.25], [t0 + 5000, 90]] }] })),
                below: charts.create(make('below', 5000), JSON.stringify({ type: 'line', height: 200, yFormat: 'count', curve: 'straight', dark: false,
                  series: [{ name: 'n', data: [[t0, 1]] }] })),
              };
            }
            """);

        await Assertions.Expect(page.Locator("[data-chart] .apexcharts-canvas")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("[data-chart=bar] .apexcharts-yaxis").First).ToContainTextAsync("MiB");
        await Assertions.Expect(page.Locator("[data-chart=radial]")).ToContainTextAsync("42 %");
        await Assertions.Expect(page.Locator("[data-chart=line] .apexcharts-yaxis").First).ToContainTextAsync(" s");

        // Points are taken at once but drawn later (at most one redraw per interval): right after the call the
        // chart still shows its two points, then the last three of six.
        var shownAtOnce = await page.EvaluateAsync<int>("""
            () => {
              const { module, line } = window.testCharts;
              const t0 = Date.UTC(2026, 0, 1);
              module.appendPoints(line, JSON.stringify([[[t0 + 10000, 1], [t0 + 15000, 2]]]), 3);
              module.appendPoints(line, JSON.stringify([[[t0 + 20000, 3], [t0 + 25000, 4]]]), 3);
              return ApexCharts.getChartByID(`monitoring-chart-${line}`).w.config.series[0].data.length;
            }
            """);
        Assert.Equal(2, shownAtOnce);
        await page.WaitForFunctionAsync("""
            () => {
              const data = ApexCharts.getChartByID(`monitoring-chart-${window.testCharts.line}`).w.config.series[0].data;
              return data.length === 3 && data[2][1] === 4;
            }
            """, null, new PageWaitForFunctionOptions { Timeout = 15_000 });

        // Out of view, points are kept but not drawn (its redraw is due at once: it last drew at its creation, over an
        // interval ago), until the chart scrolls in.
        await page.EvaluateAsync("""
            () => window.testCharts.module.appendPoints(window.testCharts.below, JSON.stringify([[[Date.UTC(2026, 0, 1) + 5000, 2]]]), 10)
            """);
        await page.WaitForTimeoutAsync(3_000);
        Assert.Equal(1, await page.EvaluateAsync<int>("() => ApexCharts.getChartByID(`monitoring-chart-${window.testCharts.below}`).w.config.series[0].data.length"));
        await page.Locator("[data-chart=below]").ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync(
            "() => ApexCharts.getChartByID(`monitoring-chart-${window.testCharts.below}`).w.config.series[0].data.length === 2",
            null, new PageWaitForFunctionOptions { Timeout = 15_000 });

        await page.EvaluateAsync("() => window.testCharts.module.setTheme(window.testCharts.bar, true)");
        await Assertions.Expect(page.Locator("[data-chart=bar] .apexcharts-canvas.apexcharts-theme-dark")).ToHaveCountAsync(1);

        await page.EvaluateAsync("() => window.testCharts.module.update(window.testCharts.radial, JSON.stringify([{ name: 'Utilization', data: [7] }]), JSON.stringify(['GPU 0']))");
        await Assertions.Expect(page.Locator("[data-chart=radial]")).ToContainTextAsync("7 %");

        await page.EvaluateAsync("() => window.testCharts.module.destroy(window.testCharts.line)");
        await Assertions.Expect(page.Locator("[data-chart=line] .apexcharts-canvas")).ToHaveCountAsync(0);

        Assert.True(_errors.Count == 0, string.Join(Environment.NewLine, _errors));
    }
}
