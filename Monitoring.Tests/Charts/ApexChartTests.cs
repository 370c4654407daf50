using Bunit;
using Microsoft.AspNetCore.Components;
using Monitoring.Web.Components.Charts;
using Monitoring.Web.Components.Preferences;

namespace Monitoring.Tests.Charts;

/// <summary>The chart wrapper renders its element once and sends parameter changes to the browser as they are set.</summary>
public sealed class ApexChartTests : BunitContext
{
    private readonly BunitJSModuleInterop _module;
    private readonly JSRuntimeInvocationHandler<string> _create;

    public ApexChartTests()
    {
        _module = JSInterop.SetupModule("./js/charts.js");
        _create = _module.Setup<string>("create", _ => true);
        _module.SetupVoid("update", _ => true).SetVoidResult();
        _module.SetupVoid("setTheme", _ => true).SetVoidResult();
        _module.SetupVoid("reshape", _ => true).SetVoidResult();
        _module.SetupVoid("appendPoints", _ => true).SetVoidResult();
        _module.SetupVoid("destroy", _ => true).SetVoidResult();
    }

    [Fact]
    public void New_series_and_dark_mode_reach_the_browser_without_rendering_the_element_again()
    {
        var first = Series("first");
        var host = Render<CascadingValue<ConsolePreferences>>(p => p.Add(x => x.Value, ConsolePreferences.Default)
            .AddChildContent<ApexChart>(c => c.Add(x => x.Series, first).AddUnmatched("data-testid", "chart")));
        var chart = host.FindComponent<ApexChart>();
        _create.SetResult("7");
        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["create"]));

        var second = Series("second");
        host.Render(p => p.Add(x => x.Value, ConsolePreferences.Default with { Dark = true })
            .AddChildContent<ApexChart>(c => c.Add(x => x.Series, second).AddUnmatched("data-testid", "chart")));

        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["setTheme"]));
        var update = Assert.Single(_module.Invocations["update"]);
        Assert.Equal("7", update.Arguments[0]);
        Assert.Contains("\"second\"", (string)update.Arguments[1]!, StringComparison.Ordinal);
        Assert.Equal(true, _module.Invocations["setTheme"][0].Arguments[1]);
        Assert.Equal(1, chart.RenderCount);
        // No numbers cross: Blazor's interop builds metadata per page for every type it sends, a number's thirty-odd
        // interfaces included (the numbers go inside the JSON text).
        Assert.All(_module.Invocations.SelectMany(i => i.Arguments), a => Assert.False(a is int or long or double, $"{a} was sent as a number"));
    }

    [Fact]
    public void A_new_height_renders_the_element_again_and_reshapes_the_chart()
    {
        var series = Series("only");
        var chart = Render<ApexChart>(p => p.Add(x => x.Series, series).Add(x => x.Height, 200));
        _create.SetResult("7");
        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["create"]));

        chart.Render(p => p.Add(x => x.Series, series).Add(x => x.Height, 300));

        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["reshape"]));
        Assert.Equal(2, chart.RenderCount);
        Assert.Contains("min-height: 300px", chart.Markup, StringComparison.Ordinal);
        Assert.Empty(_module.Invocations["update"]);
    }

    [Fact]
    public void Points_appended_while_the_browser_creates_the_chart_follow_its_creation()
    {
        var series = Series("queued");
        var chart = Render<ApexChart>(p => p.Add(x => x.Series, series));
        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["create"]));
        var at = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        chart.InvokeAsync(() => chart.Instance.AppendAsync(at, 5));
        Assert.Empty(_module.Invocations["appendPoints"]);
        _create.SetResult("7");

        chart.WaitForAssertion(() => Assert.Single(_module.Invocations["appendPoints"]));
        var append = _module.Invocations["appendPoints"][0];
        Assert.Equal("7", append.Arguments[0]);
        Assert.Contains($"[{at.ToUnixTimeMilliseconds()},5]", (string)append.Arguments[1]!, StringComparison.Ordinal);
    }

    private static IReadOnlyList<ApexSeries> Series(string name) => [new ApexSeries(name, [])];
}
