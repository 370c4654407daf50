using System.Text.RegularExpressions;
using Bunit;
using Monitoring.Web.Components.Layout;
using MudBlazor;
using MudBlazor.Services;

namespace Monitoring.Tests.Components.Layout;

/// <summary>The layout's theme styles are what MudBlazor's provider writes, for either mode, rendered once per process.</summary>
public sealed partial class ThemeStylesTests : BunitContext
{
    public ThemeStylesTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritesMudBlazorsThemeAndScrollbarForTheMode(bool dark)
    {
        var mud = Render<MudThemeProvider>(p => p.Add(x => x.IsDarkMode, dark).Add(x => x.ObserveSystemDarkModeChange, false));
        var styles = Render<ThemeStyles>(p => p.Add(x => x.IsDarkMode, dark));

        var theme = ThemeStyle().Match(mud.Markup);
        Assert.True(theme.Success, "MudBlazor's provider wrote no mud-theme-provider style.");
        Assert.Equal(theme.Value, ThemeStyle().Match(styles.Markup).Value);
        Assert.Contains("::-webkit-scrollbar", styles.Markup, StringComparison.Ordinal);
        Assert.Equal(mud.Markup.Trim(), styles.Markup.Trim());
    }

    [Fact]
    public void SwitchingTheMode_WritesTheOtherPalette_FromOneStringPerMode()
    {
        var styles = Render<ThemeStyles>(p => p.Add(x => x.IsDarkMode, false));
        var light = Background().Match(styles.Markup).Value;

        styles.Render(p => p.Add(x => x.IsDarkMode, true));

        var dark = Background().Match(styles.Markup).Value;
        Assert.NotEqual("", light);
        Assert.NotEqual(light, dark);
        Assert.Same(ThemeStyles.Css(true), ThemeStyles.Css(true));
        Assert.NotSame(ThemeStyles.Css(false), ThemeStyles.Css(true));
    }

    [GeneratedRegex(@"<style class='mud-theme-provider'>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex ThemeStyle();

    [GeneratedRegex(@"--mud-palette-background: [^;]+;")]
    private static partial Regex Background();
}
