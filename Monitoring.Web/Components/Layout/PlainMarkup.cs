using Microsoft.AspNetCore.Components;
using System.Collections.Concurrent;
using System.Text.Encodings.Web;

namespace Monitoring.Web.Components.Layout;

/// <summary>MudBlazor's look without its components, for markup repeated on pages that stay open for hours.</summary>
/// <remarks>Every component instance costs a circuit about 3–4 KB for as long as the page is open (two render-tree
/// buffers, its state, its parameters); a text, an icon or a paper needs none of that. Pages that many people keep
/// open (the dashboard, the layout around it) write plain elements with MudBlazor's CSS classes instead, and keep
/// components for what is interactive. The <c>circuits</c> benchmark measures the difference.</remarks>
public static class PlainMarkup
{
    /// <summary>Distinct icons kept as markup: the console's icons in the classes it uses, with room to spare.
    /// Past it, an icon is built for each use.</summary>
    private const int MaxCachedIcons = 256;

    private static readonly ConcurrentDictionary<(string Svg, string Classes), MarkupString> IconMarkup = new();

    /// <summary>An SVG icon as <c>MudIcon</c> draws it; <paramref name="svg"/> is one of MudBlazor's <c>Icons</c>. One
    /// render-tree entry (the element, its four attributes and its content would be six), built once per process.</summary>
    public static MarkupString Icon(string svg, string classes = "mud-icon-size-medium")
    {
        ArgumentNullException.ThrowIfNull(svg);
        ArgumentNullException.ThrowIfNull(classes);
        var key = (svg, classes);
        if (IconMarkup.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var icon = new MarkupString(
            $"""<svg class="mud-icon-root mud-svg-icon {HtmlEncoder.Default.Encode(classes)}" focusable="false" viewBox="0 0 24 24" aria-hidden="true">{svg}</svg>""");
        return IconMarkup.Count < MaxCachedIcons ? IconMarkup.GetOrAdd(key, icon) : icon;
    }
}
