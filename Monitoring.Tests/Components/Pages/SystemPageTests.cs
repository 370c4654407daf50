using Bunit;
using Monitoring.Core.Handlers;
using Monitoring.Tests.Support;
using Monitoring.Web.Components.Pages;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Components.Pages;

/// <summary>The page reads the live settings, task types and job monitor in memory: it has no loading or database
/// error state.</summary>
public sealed class SystemPageTests
{
    private const string Setting = "[data-testid='config-Retention:CompletedDays']";

    [Fact]
    public async Task Viewer_SeesSettingsAndTaskTypesReadOnly()
    {
        await using var page = await PageTestContext.CreateAsync(("Retention:CompletedDays", "31"));
        page.SignInAs(Roles.Viewer);

        var cut = page.RenderPage<SystemPage>();

        Assert.Contains(cut.RowTexts("config-table"), r => r.StartsWith("Retention:CompletedDays | 31 |", StringComparison.Ordinal));
        Assert.Empty(cut.Elements("[data-testid=config-table] input"));
        Assert.False(cut.Has("save-config"));
        var types = cut.Elements("table").Single(t => t.QuerySelector("th")?.TextContent == "Type");
        Assert.Contains(DemoTaskHandler.NoopType, types.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_AppliesAnEditedSettingAndItIsMarkedChanged()
    {
        await using var page = await PageTestContext.CreateAsync(("Retention:CompletedDays", "30"));
        var cut = page.RenderPage<SystemPage>();
        Assert.True(cut.Element("[data-testid=save-config]").HasAttribute("disabled"));

        cut.Element($"input{Setting}").Change("45");
        Assert.Contains("Apply 1 change(s)", cut.Element("[data-testid=save-config]").TextContent, StringComparison.Ordinal);
        cut.Element("[data-testid=save-config]").Click();

        page.AssertToast("Applied 1 change(s).");
        var row = cut.Rows("config-table").Single(r => r.TextContent.Contains("Retention:CompletedDays", StringComparison.Ordinal));
        Assert.Contains("changed at run time", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("45", row.QuerySelector("input")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Admin_OutOfRangeValue_ChangesNothingAndNamesTheSetting()
    {
        await using var page = await PageTestContext.CreateAsync(("Retention:CompletedDays", "30"));
        var cut = page.RenderPage<SystemPage>();

        cut.Element($"input{Setting}").Change("0");
        cut.Element("[data-testid=save-config]").Click();

        page.AssertToast("Nothing was changed: 1 setting(s) need fixing.");
        var row = cut.Rows("config-table").Single(r => r.TextContent.Contains("Retention:CompletedDays", StringComparison.Ordinal));
        Assert.DoesNotContain("changed at run time", row.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(row.QuerySelectorAll(".mud-input-error"));
    }
}
