using System.Text.RegularExpressions;
using Bunit;
using Monitoring.Web.Components.Layout;
using MudBlazor;
using MudBlazor.Services;

namespace Monitoring.Tests.Components.Layout;

/// <summary>The layout's theme provider writes what MudBlazor's writes, for either mode, from text shared by every
/// circuit.</summary>
public sealed partial class SharedThemeProviderTests : BunitContext
{
    public SharedThemeProviderTests()
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
        var shared = Render<SharedThemeProvider>(p => p.Add(x => x.IsDarkMode, dark).Add(x => x.ObserveSystemDarkModeChange, false));

        var theme = ThemeStyle().Match(mud.Markup);
        Assert.True(theme.Success, "MudBlazor's provider wrote no mud-theme-provider style.");
        Assert.Equal(theme.Value, ThemeStyle().Match(shared.Markup).Value);
        Assert.Contains("::-webkit-scrollbar", shared.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void SwitchingTheMode_WritesTheOtherPalette()
    {
        var shared = Render<SharedThemeProvider>(p => p.Add(x => x.IsDarkMode, false).Add(x => x.ObserveSystemDarkModeChange, false));
        var light = Background().Match(shared.Markup).Value;

        shared.Render(p => p.Add(x => x.IsDarkMode, true));

        var dark = Background().Match(shared.Markup).Value;
        Assert.NotEqual("", light);
        Assert.NotEqual(light, dark);
        Assert.Equal(dark, Background().Match(Render<MudThemeProvider>(p => p.Add(x => x.IsDarkMode, true).Add(x => x.ObserveSystemDarkModeChange, false)).Markup).Value);
    }

    [Fact]
    public void EveryProviderWithoutATheme_UsesTheOneSharedTheme()
    {
        var first = Render<SharedThemeProvider>(p => p.Add(x => x.ObserveSystemDarkModeChange, false));
        var second = Render<SharedThemeProvider>(p => p.Add(x => x.IsDarkMode, true).Add(x => x.ObserveSystemDarkModeChange, false));
        var own = new MudTheme();
        var given = Render<SharedThemeProvider>(p => p.Add(x => x.Theme, own).Add(x => x.ObserveSystemDarkModeChange, false));

        Assert.Same(SharedThemeProvider.DefaultTheme, first.Instance.Theme);
        Assert.Same(SharedThemeProvider.DefaultTheme, second.Instance.Theme);
        Assert.Same(own, given.Instance.Theme);
    }

    [GeneratedRegex(@"<style class='mud-theme-provider'>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex ThemeStyle();

    [GeneratedRegex(@"--mud-palette-background: [^;]+;")]
    private static partial Regex Background();
}
