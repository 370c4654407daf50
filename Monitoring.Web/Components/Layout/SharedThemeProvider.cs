using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace Monitoring.Web.Components.Layout;

/// <summary>MudBlazor's theme provider whose stylesheet text is one instance per process for each distinct text,
/// not one per open page: <see cref="MudThemeProvider"/> writes about 12,000 characters of CSS variables into every
/// circuit's render tree, and a console open in many tabs for hours kept a copy of them per tab. The text is built
/// as MudBlazor builds it when the provider renders (its parameters changed: dark mode) and the shared instance with
/// the same content is kept instead (PlainMarkup's reasoning, for the theme).</summary>
/// <remarks>What is written is what <see cref="MudThemeProvider"/> writes, less the hover style of MudBlazor's own
/// charts, which the console does not use (its charts are ApexCharts). The console follows its own dark-mode
/// preference (a cookie), so the layout turns off <see cref="MudThemeProvider.ObserveSystemDarkModeChange"/> (a JS
/// listener and an object reference per circuit otherwise).</remarks>
public sealed class SharedThemeProvider : MudThemeProvider
{
    /// <summary>Distinct texts kept at most: light and dark of the one theme, with room to spare. Past it, a text
    /// is used as built (per circuit, as in MudBlazor).</summary>
    private const int MaxShared = 8;

    private static readonly ConcurrentDictionary<string, string> Shared = new(StringComparer.Ordinal);

    /// <summary>The theme of every circuit that passes none: MudBlazor creates a <see cref="MudTheme"/> per provider
    /// otherwise (two palettes of about 60 colors and 15 typographies each, per open page). Nothing changes it.</summary>
    public static MudTheme DefaultTheme { get; } = new();

    public override Task SetParametersAsync(ParameterView parameters)
    {
        if (!parameters.TryGetValue<MudTheme>(nameof(Theme), out _))
        {
            var withTheme = new Dictionary<string, object?>(parameters.ToDictionary());
            withTheme[nameof(Theme)] = DefaultTheme;
            parameters = ParameterView.FromDictionary(withTheme);
        }

        return base.SetParametersAsync(parameters);
    }

    protected override void BuildRenderTree(RenderTreeBuilder __builder)
    {
        ArgumentNullException.ThrowIfNull(__builder);
        var built = (DefaultScrollbar ? "" : BuildMudBlazorScrollbar()) + BuildTheme();
        __builder.AddMarkupContent(0, Share(built));
    }

    private static string Share(string text) =>
        Shared.TryGetValue(text, out var shared) ? shared : Shared.Count < MaxShared ? Shared.GetOrAdd(text, text) : text;
}
